"""The code values of config.py as the reader sees them: each is its own English msgid, marked here with N_ so
that `pybabel extract` puts it in the catalogue; `t(value)` translates it where it is shown.

Regions are not listed: config.ADMIN1 already spells them as in French (Ségou, Tombouctou, Ménaka); `region`
puts one in a sentence.
tests/test_french.py checks that this list covers config's vocabularies.
"""
import re

from malibrief.briefing.i18n import N_

VIOLATIONS = (N_("killing"), N_("detention"), N_("disappearance"))
VICTIM_TYPES = (N_("civilians"), N_("security forces"), N_("alleged fighters"), N_("mixed"), N_("unknown"))
ATTRIBUTIONS = (N_("stated"), N_("alleged"), N_("suspected"))
DATE_PRECISIONS = (N_("day"), N_("week"), N_("month"), N_("months"), N_("year"))
ACTOR_CLASSES = (N_("state forces"), N_("state forces with foreign allies"), N_("state forces with militias"),
                 N_("civilian state authorities"), N_("foreign forces"), N_("Islamist armed groups"), N_("militias"),
                 N_("other"), N_("unknown"))
OUTCOMES = (N_("released"), N_("killed"), N_("detained or sentenced"), N_("still missing"), N_("unknown"))
# What the chapters report beyond the three violations (out_of_scope.csv's `violation` column).
NOT_COUNTED = (N_("other"), N_("torture"), N_("injury"), N_("destruction"), N_("sexual violence"), N_("threats"),
               N_("looting"))
# count_words.csv's kinds (its `kind` column).
COUNT_KINDS = (N_("number"), N_("article"), N_("name"), N_("qualifier"), N_("suffix"), N_("part"), N_("vague"),
               N_("multiplier"), N_("collective"), N_("scaled"), N_("not_a_name"))
# The gazetteer's names are proper names and stay as they are, except these descriptive ones.
PLACE_NAMES = (N_("Office of the Prime Minister"), N_("Soundiata Keita military camp"), N_("Bollé prison"))
# Where a source names no place: a case's heading, and the every-event table's narrow place column.
NO_PLACE_GIVEN = N_("place not given in the source")
# TRANSLATORS: in the every-event table's Place column, for "place not given in the source"
NO_PLACE_CELL = N_("not given")
# Bamako is the capital district, an admin1 unit that is not a region ("le district de Bamako").
DISTRICTS = ("Bamako",)
REGION_WORDS = {"region": N_("the {name} region"), "district": N_("the {name} district")}
# The firmness of an attribution, printed after the perpetrator wherever an event is told: a stated one bears none.
ATTRIBUTION_MARKS = {"alleged": N_("{actor} (alleged)"), "suspected": N_("{actor} (suspected)")}
# ...and inside the bracket a name already ends with ("JNIM (GSIM, alleged)"), never two brackets in a row.
ATTRIBUTION_INSIDE = {"alleged": N_("{actor} ({inside}, alleged)"), "suspected": N_("{actor} ({inside}, suspected)")}
BRACKET_END = re.compile(r"^(?P<actor>.*\S) \((?P<inside>[^()]+)\)$")


def place(t, name: str) -> str:
    """A place name in the briefing's language: a descriptive name listed above is translated, a proper name is
    shown as the gazetteer spells it."""
    return t(name) if name in PLACE_NAMES else name


def region(t, name: str) -> str:
    """A region in a sentence: "the Mopti region" ("la région de Mopti"); Bamako, "the Bamako district"."""
    return t(REGION_WORDS["district" if name in DISTRICTS else "region"], name=name)


def perpetrator(t, actor: str, attribution: str) -> str:
    """The perpetrator as named, with the source's firmness when it is less than stated: "X (alleged)", and
    "Forces armées maliennes (FAMa ; selon des allégations)" for a name that ends with a bracket (a
    semicolon in French, so that the firmness does not read as part of "EIS, anciennement EIGS")."""
    if not actor or attribution not in ATTRIBUTION_MARKS:
        return actor
    bracket = BRACKET_END.match(actor)
    if bracket:
        return t(ATTRIBUTION_INSIDE[attribution], actor=bracket["actor"], inside=bracket["inside"])
    return t(ATTRIBUTION_MARKS[attribution], actor=actor)


# The cleaning writes each passage an event is coded from as "AI-2022-011 (Armed forces and their allies, para 5)"
# (cleaning/incidents.py); the paragraph's word is the briefing's language's ("§ 5" in French).
PASSAGE = re.compile(r"\((?P<section>[^()]*), para (?P<paragraph>\d+)\)")


def citations(t, text: str) -> str:
    """An event's citations with "para" and the separator between them in the briefing's language ("§ 5",
    " ; "); the section headings stay as the sources write them."""
    return t.separated(PASSAGE.sub(lambda m: t("({section}, para {paragraph})", section=m["section"],
                                               paragraph=m["paragraph"]), passage) for passage in text.split("; "))
