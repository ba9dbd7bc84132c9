"""Reader-facing words and formats in the briefing's language.

English is the source language: its strings are the msgids. Another language reads its gettext catalogue,
`locale/<lang>/LC_MESSAGES/briefing.po` (extract with `pybabel extract -F babel.cfg`), with Babel; numbers and
dates are formatted by Babel for the language's locale. A string the catalogue lacks is an error naming it:
the briefing never falls back to English silently.

Code values (violations, actor classes, outcomes...) are msgids too, marked with `N_` in `vocabulary.py` so
that extraction finds them; reference tables carry their own translations in columns named `<column>_<lang>`
(`name_fr` in actors.csv), read with `Language.column`. docs/translating.md says how to add a language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from gettext import c2py
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from malibrief.config import LOCALE_DIR
from malibrief.config import LOCALE_DOMAIN as DOMAIN
from malibrief.params import languages


class MissingTranslation(KeyError):
    """A reader-facing string has no translation in the chosen language's catalogue."""


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here (gettext's convention): t(value) does, later."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 (gettext's name for it)
    """Mark a singular and its plural for extraction (keyword Nn_:1,2); t.n(*pair, n) translates them, later."""
    return singular, plural


# TRANSLATORS: between the items of a list in a table cell or a line of figures ("12 killed; 3 detained"); French
# puts a narrow no-break space before the semicolon
SEPARATOR = N_("; ")
# The English text is written the British way, "a, b and c" with no comma before "and": CLDR's en_GB list patterns.
LIST_LOCALE = {"en": "en_GB"}


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=8)
def _catalogue(lang: str) -> tuple[dict, object]:
    """msgid -> translation, and the catalogue's own plural rule (its Plural-Forms header) as a function."""
    from babel.messages.pofile import read_po

    with open(catalogue_path(lang), "rb") as handle:
        catalogue = read_po(handle, locale=lang)
    messages = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    return messages, c2py(catalogue.plural_expr)


@dataclass(frozen=True)
class Language:
    """`t = Language("fr")`; `t("Summary")`, `t.n("{n} event", "{n} events", 3)`, `t.number(1201)`."""

    code: str = "en"
    locale: Locale = field(init=False)

    def __post_init__(self):
        if self.code not in languages():
            raise ValueError(f"lang: expected one of {', '.join(languages())}, got {self.code!r}")
        object.__setattr__(self, "locale", Locale.parse(self.code))

    def __call__(self, message: str, **values) -> str:
        text = message if self.code == "en" else self._lookup(message)
        return text.format(**values) if values else text

    def n(self, singular: str, plural: str, n: int, **values) -> str:
        """The singular or plural form, by the language's plural rule, with {n} formatted as a number."""
        if self.code == "en":
            text = singular if n == 1 else plural
        else:  # the form the catalogue's Plural-Forms picks: two in French, one in Bambara, six in Arabic
            text = self._lookup((singular, plural))[_catalogue(self.code)[1](n)]
        return text.format(n=self.number(n), **values)

    def _lookup(self, message):
        found = _catalogue(self.code)[0].get(message)
        if not found or (isinstance(found, tuple) and not all(found)):
            raise MissingTranslation(f"no {self.code} translation in {catalogue_path(self.code)} for {message!r}")
        return found

    def column(self, frame, column: str, file: str = "the reference table"):
        """A reference table's text column in this language: `column` in English, `<column>_<lang>` otherwise;
        a missing column, or an empty cell beside English text, is a MissingTranslation naming file, column and row."""
        if self.code == "en":
            return frame[column]
        name = f"{column}_{self.code}"
        if name not in frame.columns:
            raise MissingTranslation(f"{file} has no column {name!r} (the {column} column in {self.code})")
        blank = (frame[name].fillna("").str.strip() == "") & (frame[column].fillna("").str.strip() != "")
        if blank.any():
            row = frame.index[blank][0]
            raise MissingTranslation(f"{file}, row {row}: {name} is empty (for {frame.loc[row, column]!r})")
        return frame[name]

    def names(self, frame, key: str, file: str = "the reference table") -> dict:
        """Identifier -> display name for a reference table: the identifier itself in English (an actor, a tag),
        its `name_<lang>` column otherwise."""
        return dict(zip(frame[key], self.column(frame.assign(name=frame[key]), "name", file)))

    def listing(self, items) -> str:
        """"a", "a and b", "a, b and c" by the language's CLDR list patterns (Babel): "a, b et c" in French."""
        return format_list(list(items), locale=LIST_LOCALE.get(self.code, self.locale))

    def separated(self, items) -> str:
        """Items of a table cell or a line of figures, "a; b", with the separator the catalogue gives ("a ; b")."""
        return self(SEPARATOR).join(items)

    def number(self, value) -> str:
        """1,201 in English; 1 201 with a narrow no-break space in French."""
        return format_decimal(value, locale=self.locale)

    def date(self, day: date, precision: str = "day", end: date | None = None) -> str:
        """A date as precisely as the source gave it (codebook, `date_precision`), from the event's first and last
        day: "19 April 2022"; a span of days, "27–31 March 2022", or one day worked out from another ("one week
        later"), "about 24 March 2024"; "March 2022"; a span of months, "April–December 2022"; "2022"."""
        end = day if end is None else end
        if precision == "day" or (precision == "week" and end != day):
            return self._days(day, end)
        if precision == "week":  # one day, but counted from another date: no more exact than the source
            return self(ABOUT, date=self._day(day, "d MMMM y"))
        if precision == "months" and (day.year, day.month) != (end.year, end.month):
            if day.year == end.year:
                return f"{self._day(day, 'LLLL')}–{self._day(end, 'LLLL y')}"
            return f"{self._day(day, 'LLLL y')}\u2009–\u2009{self._day(end, 'LLLL y')}"
        if precision in ("month", "months"):
            return self._day(day, "LLLL y")
        return self._day(day, "y")

    def _days(self, first: date, last: date) -> str:
        """From one day to another, the shared month and year written once, as CLDR's interval formats do:
        "27–31 March 2022", "30 March – 2 April 2024", "31 December 2021 – 2 January 2022"."""
        if first == last:
            return self._day(first, "d MMMM y")
        if first.year != last.year:
            return f"{self._day(first, 'd MMMM y')}\u2009–\u2009{self._day(last, 'd MMMM y')}"
        if first.month != last.month:
            return f"{self._day(first, 'd MMMM')}\u2009–\u2009{self._day(last, 'd MMMM y')}"
        return f"{self._day(first, 'd')}–{self._day(last, 'd MMMM y')}"

    def _day(self, day: date, pattern: str) -> str:
        """A Babel date pattern; the first of a month as the catalogue writes it (French: "1er décembre 2026")."""
        if day.day == 1 and pattern.startswith("d"):
            pattern = self(FIRST_DAY) + pattern[1:]
        return format_date(day, pattern, locale=self.locale)


# TRANSLATORS: the first day of a month in a Babel date pattern ("'1' MMMM y"), in quotes: written as is ('1er')
FIRST_DAY = N_("'1'")
# TRANSLATORS: a day worked out from another date ("one week later"), so known only roughly: "vers le {date}"
ABOUT = N_("about {date}")


FSTRING_CALL = re.compile(r"""\bt\(\s*(["'])((?:(?!\1).)+)\1\s*[,)]""")


def extract_python(fileobj, keywords, comment_tags, options):
    """Babel extraction method for the package (babel.cfg): Babel's own, plus what it misses. Babel loses a call
    inside another call's arguments (t("... {listing}", listing=_and([t("{n} in {year}", ...)], t))), takes a
    keyword that is passed on rather than called (the `t` in `_and(items, t)`) for a call and drops the plural
    around it, and cannot see into an f-string (Python 3.11 reads f"<h3>{t('Annex')}</h3>" as one token)."""
    import ast
    import io
    import tokenize

    from babel.messages.extract import extract_python as babel_python

    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    lines = source.splitlines(keepends=True)
    tokens = [tok for tok in tokenize.generate_tokens(io.StringIO(source).readline)
              if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    calls = []
    for i, tok in enumerate(tokens[:-1]):
        if tok.type == tokenize.NAME and tok.string in keywords and tokens[i + 1].string != "(":
            row, col = tok.start
            lines[row - 1] = lines[row - 1][:col] + tok.string.swapcase() + lines[row - 1][col + len(tok.string):]
        elif tok.type == tokenize.NAME and tok.string in keywords:
            calls.append((tok.start[0], tok.string, _literal_arguments(tokens, i + 2, ast)))
        elif tok.type == tokenize.STRING and tok.string[:2].lower() in ('f"', "f'", 'rf', 'fr'):
            calls += [(tok.start[0], "t", [m.group(2)]) for m in FSTRING_CALL.finditer(tok.string)]
    found = list(babel_python(io.BytesIO("".join(lines).encode("utf-8")), keywords, comment_tags, options))
    yield from found
    seen = {messages if isinstance(messages, str) else messages[0] for _, _, messages, _ in found if messages}
    for line, name, arguments in calls:
        if arguments and arguments[0] not in seen:
            yield line, name, arguments[0] if len(arguments) == 1 else tuple(arguments), []


def _literal_arguments(tokens, start, ast) -> list[str]:
    """The string literals a call starts with ("a" "b", "c", ...), each with its implicit concatenation."""
    import tokenize

    arguments, parts = [], []
    for tok in tokens[start:]:
        if tok.type == tokenize.STRING and not tok.string[:2].lower().startswith(("f", "rf", "fr", "b")):
            parts.append(ast.literal_eval(tok.string))
        elif tok.string == "," and parts:
            arguments.append("".join(parts))
            parts = []
        else:
            break
    if parts:
        arguments.append("".join(parts))
    return arguments


def extract_notebook(fileobj, keywords, comment_tags, options):
    """Babel extraction method for a notebook (babel.cfg): its code cells read as one Python file."""
    import io
    import json

    cells = json.load(fileobj)["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    yield from extract_python(io.BytesIO(source.encode("utf-8")), keywords, comment_tags, options)
