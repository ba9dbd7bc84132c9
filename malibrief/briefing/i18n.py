"""Reader-facing words and formats in the briefing's language.

English is the source language: its strings are the msgids. Another language reads its gettext catalogue,
`locale/<lang>/LC_MESSAGES/briefing.po` (extract with `pybabel extract -F babel.cfg`), with Babel; numbers and
dates are formatted by Babel for the language's locale. A string the catalogue lacks is an error naming it:
the briefing never falls back to English silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "fr")
DOMAIN = "briefing"


class MissingTranslation(KeyError):
    """A reader-facing string has no translation in the chosen language's catalogue."""


@lru_cache(maxsize=8)
def _catalogue(lang: str) -> dict:
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with open(path, "rb") as handle:
        catalogue = read_po(handle, locale=lang)
    return {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}


@dataclass(frozen=True)
class Language:
    """`t = Language("fr")`; `t("Summary")`, `t.n("{n} event", "{n} events", 3)`, `t.number(1201)`."""

    code: str = "en"
    locale: Locale = field(init=False)

    def __post_init__(self):
        if self.code not in LANGUAGES:
            raise ValueError(f"lang: expected one of {', '.join(LANGUAGES)}, got {self.code!r}")
        object.__setattr__(self, "locale", Locale.parse(self.code))

    def __call__(self, message: str, **values) -> str:
        text = message if self.code == "en" else self._lookup(message)
        return text.format(**values) if values else text

    def n(self, singular: str, plural: str, n: int, **values) -> str:
        """The singular or plural form, by the language's plural rule, with {n} formatted as a number."""
        if self.code == "en":
            text = singular if n == 1 else plural
        else:
            forms = self._lookup((singular, plural))
            text = forms[0] if self.locale.plural_form(n) == "one" else forms[1]
        return text.format(n=self.number(n), **values)

    def _lookup(self, message):
        found = _catalogue(self.code).get(message)
        if not found or (isinstance(found, tuple) and not all(found)):
            raise MissingTranslation(f"no {self.code} translation in {LOCALE_DIR / self.code} for {message!r}")
        return found

    def number(self, value) -> str:
        """1,201 in English; 1 201 with a narrow no-break space in French."""
        return format_decimal(value, locale=self.locale)

    def date(self, day: date, precision: str = "day") -> str:
        """A date as precisely as the source gave it: "19 April 2022" / "19 avril 2022", "March 2022", "2022"."""
        if precision in ("day", "week"):
            return format_date(day, "d MMMM y", locale=self.locale)
        if precision in ("month", "months"):
            return format_date(day, "LLLL y", locale=self.locale)
        return format_date(day, "y", locale=self.locale)
