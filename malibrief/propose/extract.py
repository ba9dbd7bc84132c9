"""Candidate mentions in a chapter's sentences, with their as-written phrases.

Every phrase is a slice of the sentence (or of an earlier sentence of the same paragraph), found with
the project's own tables: violation triggers (`triggers.csv`), the gazetteer's aliases (`places.csv`),
actor phrases (`actor_phrases.csv`), count words (`count_words.csv`, read by `parse_count`) and the
date rules (`parse_date`). What the tables do not know is written into `missing_or_uncertain` for the
coder, never guessed: an unknown place or actor is quoted there as written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import config
from ..cleaning.actors import ActorIndex, phrase_key
from ..cleaning.counts import CountRules, number_word
from ..cleaning.dates import MONTHS, DateSpan, parse_date
from ..cleaning.places import GENERIC_WORDS, Gazetteer
from ..errors import Problem, raise_if
from ..io import read_csv
from ..text import fold, normalise

TRIGGERS_FILE = "triggers.csv"
VIOLATIONS = config.VIOLATIONS
COUNT_COLUMN = {v: f"{c}_text" for v, c in config.COUNT_COLUMNS.items()}

# Nouns that make a quantity a count of people ("12 villagers"); "30 homes", "24 days" are not.
PEOPLE_NOUNS = frozenset("""
people persons person civilians villagers residents inhabitants men women children boys girls man woman child
boy girl soldiers soldier officers officer gendarmes policemen police fighters combatants militants jihadists
terrorists members traders merchants herders farmers smallholders travellers passengers marketgoers worshippers
youths students pupils leaders politicians journalists activists defenders officials servants figures
individuals others detainees prisoners victims bodies corpses deaths relatives guests refugees chiefs
elders teachers imams hunters miners drivers workers peacekeepers protesters demonstrators critics opponents
supporters nationals citizens suspects hostages captives displaced
""".split())  # not "dead": "shot three men dead" counts "three men"
# Words that end a count's noun ("12 residents of Sofara, including ..."): function words and verbs.
STOP_WORDS = frozenset("""
in on at from by with during after before near including to for who which that whom whose were was had have
has are is been being be and or but while when as across into the a an their his her its they them this these
those there where said according reportedly allegedly also then not no
""".split())
AUXILIARIES = frozenset("was were been being be is are".split())
ADVERBS = re.compile(r"^(?:\w+ly|also|then|again|later|still|reportedly|allegedly|presumably|all)$", re.I)
PLACE_NOUNS = frozenset("village villages town towns city commune communes cercle district region regions camp "
                        "prison compound localities locality area".split())
LEADING_KEEP = frozenset("the a near outside along outskirts village villages town road capital compound".split())
MONTH_NAMES = tuple(m.capitalize() for m in MONTHS)
# Capitalised words that are never part of a person's name.
NOT_NAME_WORDS = frozenset("""
The In On During Between According After Also A An His Her Their They He She It This That Some Several Since
By From Following Later Days One Mali Malian Malians French Russia Russian Wagner Africa Corps Dozo Fulani
Bambara Dogon Tuareg Islamic Islamist State Sahel Katiba Group Council Court Agency Mission Movement Movements
Association Committee Force Forces Front Army Party Alliance Office Ministry Directorate Brigade Union Nations
United Security Republic Radio Human Rights Watch International Amnesty Gendarmerie Police Prime Minister
President Presidency Secretary Permanent Appeal Assizes Transitional National Coordination Synergy Observatory
Criminal Investigations Code Cluster Operation Special Economic Community West African States Facebook TikTok
Photo Images Getty Independence Day Camp Support Islam Muslims Sécurité Web MP
""".split()) | frozenset(MONTH_NAMES)

_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?![\d])|\d+|[^\W\d_](?:[\w’'\-]*\w)?|[^\w\s]")
_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)$")
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ’'ѐ]+(?:-[A-Z][a-zà-öø-ÿ]+)?"
_MONTH = "(?:" + "|".join(MONTH_NAMES) + ")"
_DATE_CORE = (rf"(?:\d{{1,2}} and \d{{1,2}} {_MONTH}|\d{{1,2}} {_MONTH} and \d{{1,2}} {_MONTH}|"
              rf"{_MONTH} \d{{1,2}} and \d{{1,2}}|\d{{1,2}} {_MONTH}(?: \d{{4}})?|{_MONTH} \d{{1,2}}(?:, \d{{4}})?|"
              rf"{_MONTH} (?:and|to) {_MONTH}|{_MONTH}(?: \d{{4}})?)")
_DATE = re.compile(rf"(?<!by )(?<!until )(?:\b(?:[Aa]lso in|[Ll]ater in|[Oo]n|[Ii]n|[Dd]uring|[Bb]etween|[Ss]ince|[Ff]rom)"
                   rf"(?: (?:early|late|mid-))? )?\b{_DATE_CORE}(?!\w)")
_RELATIVE_DATE = re.compile(r"^(?:(?:[A-Z]\w+|\d+) (?:days?|weeks?) later|(?:Several |A few )?Days later|"
                            r"The (?:same|following|next) day|(?:During|In) the same month|Later that month|"
                            r"Soon afterwards|After the attack|Later)\b")
CLAIMANTS = [
    re.compile(r"\b[Aa]ccording to (?:[^,.;(]|\.(?=\w))+?(?=\d*(?:[,.;(]|$))"),
    re.compile(r"\b(?:[Tt]he |[Ll]ocal )?(?:government|army|authorities|residents|witnesses|UN|MINUSMA)"
               r" (?:said|announced|reported|stated)\b"),
    re.compile(r"\b[Aa]n investigation by [A-Z][\w]+"),
]
OUTCOMES = [
    re.compile(r"\bdied in custody\b"),
    re.compile(r"\b(?:remained|remains|remain) (?:unknown|missing|in detention|in custody)\b"),
    re.compile(rf"\b(?:(?:were|was|been) )?(?:later )?(?:provisionally )?released"
               rf"(?: from (?:the )?(?:[A-ZÀ-Þ][\w’'-]* )?(?:prison|custody))?"
               rf"(?: (?:on|in) (?:early |late )?(?:\d{{1,2}} )?{_MONTH}(?: \d{{1,2}})?)?"),
]
SUSPECTED = re.compile(r"\b(?:suspected|presumed|presumably)\b", re.I)
ALLEGED = re.compile(r"\b(?:allegedly|alleged|reportedly)\b", re.I)
ALLEGED_SENTENCE = re.compile(r"\b(?:local residents said|according to witnesses|according to the victims)", re.I)
TAG_WORDS = {
    "children": r"\b(?:child|children|boys?|girls?)\b",
    "women": r"\b(?:women|woman|sisters)\b",
    "Fulani": r"\bFulani\b",
    "journalist": r"\bjournalists?\b",
    "politician": r"\b(?:politicians?|prime minister|MP|president)\b",
    "human rights defender": r"\bhuman rights defenders?\b",
    "activist": r"\b(?:activists?|economist|critics? of)\b",
    "students": r"\b(?:students|pupils)\b",
    "displaced people": r"\bdisplaced\b",
    "traders": r"\b(?:traders|merchants)\b",
    "travellers": r"\b(?:travellers|passengers)\b",
    "protesters": r"\bprotest",
}
SECURITY = re.compile(r"\b(?:soldiers?|officers?|gendarmes|police\w*|peacekeepers)\b", re.I)
FIGHTERS = re.compile(r"\b(?:jihadists|terrorists|fighters|militants|combatants)\b", re.I)
# Actor-like phrases the actor table may lack: a head noun naming a force or a group, with modifiers
# ("the French military", "unidentified armed men") or at least a determiner ("the gendarmerie"); "men" and
# "members" need a modifier; a few heads stand alone ("gunmen"). A head followed by a thing it owns or
# runs ("army bases", "a military operation") names no actor.
_ACTOR_MODIFIER = r"(?:unidentified|armed|alleged|suspected|presumed|Malian|[A-Z][\w’'-]+)"
_ACTOR_NOUNS = (r"(?:soldiers|forces|fighters|militiamen|gunmen|hunters|troops|assailants|attackers|kidnappers|"
                r"combatants|personnel|army|military|authorities|gendarmes|gendarmerie|officers|patrol|mob|policemen)")
_THINGS = (r"(?! (?:operation|operations|camp|camps|base|bases|position|positions|court|offensive|post|escort|"
           r"justice|commissioner|headquarters|high|instructors|recruitment|government|rule)\b)")
_ACTOR_HEAD = re.compile(
    rf"\b(?:(?:[Tt]he|[Aa]n?) )?(?:{_ACTOR_MODIFIER} ){{1,4}}(?:men|members(?: of the [\w’'-]+)?)\b"
    rf"|\b(?:(?:[Tt]he|[Aa]n?) )?(?:{_ACTOR_MODIFIER} ){{1,4}}{_ACTOR_NOUNS}\b{_THINGS}"
    rf"|\b(?:[Tt]he|[Aa]n?) {_ACTOR_NOUNS}\b{_THINGS}"
    r"|\b(?:[Gg]unmen|[Aa]ssailants|[Aa]ttackers|[Kk]idnappers|[Mm]ilitiamen|[Tt]roops|[Ss]oldiers)\b")
_NOT_ACTOR_AFTER = re.compile(_THINGS.replace("(?!", "(?=", 1))
# What widens a known phrase found inside a longer one ("army" in "an army patrol"): a determiner before
# a common noun, a force's noun after.
_ACTOR_BEFORE = re.compile(r"(?:\b(?:[Tt]he|[Aa]n?) )$")
_ACTOR_AFTER = re.compile(r"^ (?:officers|patrol|patrols|soldiers|fighters|members|forces|personnel|units)\b")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass
class Tables:
    """The reference tables propose reads, from one folder (the project's by default)."""
    triggers: list[tuple[str, str, str, bool]]  # (phrase, violation, where the victims are, alone), longest first
    gazetteer: Gazetteer
    actors: ActorIndex
    rules: CountRules
    claimants: dict[str, str]  # claimant phrase (as compared) -> kind, from claimants.csv where the folder has it

    @classmethod
    def load(cls, reference_dir: Path = config.REFERENCE) -> Tables:
        reference_dir = Path(reference_dir)
        path = reference_dir / TRIGGERS_FILE
        triggers = read_csv(path, ("violation", "trigger", "victims", "alone"))
        allowed = {"violation": (*VIOLATIONS, "none"), "victims": ("after", "before"), "alone": ("yes", "no")}
        raise_if(Problem(str(path), line, column, row[column], f"must be one of {', '.join(values)}")
                 for line, row in triggers.iterrows() for column, values in allowed.items()
                 if (column == "violation" or row["violation"] != "none") and row[column] not in values)
        places = read_csv(reference_dir / "places.csv", ("place_id", "aliases"))
        actors = read_csv(reference_dir / "actors.csv", ("actor", "group"))
        phrases = read_csv(reference_dir / "actor_phrases.csv", ("perpetrator_text", "actors"))
        rules = CountRules.from_table(read_csv(reference_dir / "count_words.csv", ("term", "kind", "low", "high")))
        entries = sorted(((normalise(t).lower(), v, w, a == "yes") for t, v, w, a in
                          zip(triggers["trigger"], triggers["violation"], triggers["victims"], triggers["alone"])),
                         key=lambda e: -len(e[0]))
        claimants = {}
        if (reference_dir / "claimants.csv").is_file():
            table = read_csv(reference_dir / "claimants.csv", ("claimant_text", "kind"))
            claimants = {phrase_key(c): k for c, k in zip(table["claimant_text"], table["kind"])}
        return cls(entries, Gazetteer(places.reset_index(drop=True)), ActorIndex(actors, phrases), rules, claimants)


@dataclass
class Count:
    span: Span
    violations: set = field(default_factory=set)
    name: bool = False


@dataclass
class Candidate:
    sentence: str
    violations: set
    count: Span | None
    trigger: Span
    fields: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    confidence: float = 0.0
    name: bool = False
    relative_date: bool = False


def _folded_map(text: str) -> tuple[str, list[int]]:
    """The text folded as the gazetteer folds it, and for each folded character its offset in the text."""
    chars, index = [], []
    for i, c in enumerate(text):
        f = fold(c)
        chars.append(f)
        index.extend([i] * len(f))
    return "".join(chars), index


def _phrase_spans(text: str, phrases) -> list[tuple[Span, object]]:
    """Non-overlapping occurrences (longest phrase first) of folded phrases in the text, whole words only."""
    folded, index = _folded_map(text)
    taken, found = [False] * len(folded), []
    for phrase, value in phrases:
        pattern = r"(?<![\w-])" + re.escape(phrase).replace(r"\ ", r"\s+") + r"(?![\w-])"
        for m in re.finditer(pattern, folded):
            if any(taken[m.start():m.end()]):
                continue
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
            start, end = index[m.start()], index[m.end() - 1] + 1
            found.append((Span(start, end, text[start:end]), value))
    return sorted(found, key=lambda f: f[0].start)



class _NumberWords:
    """`word in numbers`: whether the count rules read the word as a number (text2num, as the cleaning does)."""

    def __contains__(self, word: str) -> bool:
        return number_word([word]) is not None

class Extractor:
    """Finds candidates and their phrases with one set of tables."""

    def __init__(self, tables: Tables, year: int, chapter_text: str):
        self.tables = tables
        self.year = year
        self.lower_words = set(re.findall(r"\b[a-zà-ÿ][\w’'-]*", chapter_text))
        self.aliases = [(alias, row) for alias, row, _ in tables.gazetteer.aliases]
        self.kinds = tables.gazetteer.table["kind"].tolist()
        self.actor_phrases = sorted(((fold(normalise(p)), p) for p in tables.actors.phrases),
                                    key=lambda e: -len(e[0]))
        self.numbers = _NumberWords()
        self.qualifiers = sorted(tables.rules.qualifiers, key=len, reverse=True)
        self.vague = sorted(tables.rules.vague, key=len, reverse=True)

    # ---- triggers -------------------------------------------------------------------------------------
    def is_trigger(self, word: str) -> bool:
        return any(word.lower() == t for t, v, _, _ in self.tables.triggers if v != "none")

    def triggers(self, sentence: str) -> list[tuple[Span, str, str, bool]]:
        """The triggers in the sentence, less masked phrases and negated ones ("never arrested")."""
        hits = _phrase_spans(sentence, [(t, (v, w, a)) for t, v, w, a in self.tables.triggers])
        return [(span, v, w, a) for span, (v, w, a) in hits
                if v != "none" and not re.search(r"\b(?:never|not|no)\s+(?:\w+\s+)?$", sentence[:span.start])]

    # ---- counts ---------------------------------------------------------------------------------------
    def _quantity_at(self, tokens, i) -> int | None:
        """Index of the token after the quantity that starts at token i, or None."""
        words = [t.group().lower() for t in tokens]
        for q in self.qualifiers:
            parts = q.split()
            if words[i:i + len(parts)] == parts and i + len(parts) < len(words):
                j = i + len(parts)
                if _NUMBER.match(words[j]) or words[j] in self.numbers:
                    return self._after_number(words, j + 1)
                return None
        for v in self.vague:
            parts = v.split()
            if words[i:i + len(parts)] == parts:
                return i + len(parts)
        if _NUMBER.match(words[i]) or words[i] in self.numbers:
            return self._after_number(words, i + 1)
        return None

    def _after_number(self, words, j):
        return j + 1 if j < len(words) and words[j] in self.tables.rules.multipliers else j

    def counts(self, sentence: str, exclude: list[Span], actors: list[Span] = ()) -> list[Count]:
        """Quantity phrases whose noun is a people noun, and lists of names, in the sentence."""
        tokens = list(_TOKEN.finditer(sentence))
        words = [t.group() for t in tokens]
        lower = [w.lower() for w in words]
        found, i = [], 0
        while i < len(tokens):
            end = self._quantity_at(tokens, i)
            if end is None or self._is_date_number(words, i) or any(s.start <= tokens[i].start() < s.end for s in exclude):
                i += 1
                continue
            last = self._count_noun(words, lower, i, end)
            if last is None:
                i += 1
                continue
            span = Span(tokens[i].start(), tokens[last].end(), sentence[tokens[i].start():tokens[last].end()])
            found.append(Count(span))
            i = last + 1
        for span in self.names(sentence, [*exclude, *actors]):
            if not any(c.span.start < span.end and span.start < c.span.end for c in found):
                found.append(Count(span, name=True))
        return sorted(found, key=lambda c: c.span.start)

    def _is_date_number(self, words, i) -> bool:
        w = words[i]
        if not _NUMBER.match(w):
            return False
        near = words[i + 1:i + 2] + words[max(i - 1, 0):i] + words[i + 2:i + 4]
        return (any(n in MONTH_NAMES for n in near[:2]) or (words[i + 1:i + 2] == ["and"] and
                any(n in MONTH_NAMES for n in words[i + 2:i + 5])) or (1900 <= int(w.replace(",", "")) <= 2100))

    def _count_noun(self, words, lower, i, end) -> int | None:
        """Index of the count phrase's last token: its people noun, a part ("eight of the 15 detainees",
        "five of them"), "of <Place>", "and a woman", "and possibly more"; None if it counts no people."""
        n = len(words)
        if lower[end:end + 2] in (["of", "them"], ["of", "those"]):
            last = end + 1
            if lower[end + 1] == "those" and end + 2 < n and lower[end + 2] not in STOP_WORDS:
                last = end + 2
            return last
        j = end
        if lower[end:end + 2] == ["of", "the"] and end + 2 < n and (_NUMBER.match(words[end + 2]) or lower[end + 2] in self.numbers):
            j = end + 3
        elif lower[end:end + 1] == ["of"] and any(lower[i:end] == v.split() for v in self.vague):
            j = end + 1
        head, k, quote = None, j, False
        while k < n and k < j + 6:
            w, lw = words[k], lower[k]
            if w in "“\"":
                quote = True
            elif w in "”\"" and quote:
                if head == k - 1:
                    head = k
                quote = False
            elif not re.match(r"[^\W\d]", w) or lw in STOP_WORDS or (w[0].isupper() and lw not in self.lower_words
                                                                       and not self._demonym(words, k)):
                if not (lw == "and" and head is None and k + 1 < n and re.match(r"[a-z]", words[k + 1]) and lower[k + 1] not in STOP_WORDS
                        and lower[k + 1] not in self.numbers):
                    break
            elif lw in PEOPLE_NOUNS:
                head = k
            k += 1
        if head is None:
            if j == end and end < n and (lower[end] in AUXILIARIES or lower[end] in ("had", "remain", "remained")
                                         or ADVERBS.match(words[end]) and end + 1 < n and lower[end + 1] in AUXILIARIES):
                return end - 1  # a bare quantity as subject: "Dozens were then executed", "three were"
            if j == end and (end >= n or words[end] in ".;"):
                return end - 1  # "executed many."
            return None
        last = head
        if lower[last + 1:last + 2] == ["of"] and last + 2 < n and words[last + 2][0].isupper() and \
                words[last + 2] not in NOT_NAME_WORDS:
            last += 2
        if lower[last + 1:last + 2] == ["and"] and last + 3 < n and (lower[last + 2] in ("a", "an") or lower[last + 2] in self.numbers) \
                and lower[last + 3] in PEOPLE_NOUNS:
            last += 3
        rest = " ".join(lower[last + 1:last + 5])
        if re.match(r"^(?:, )?(?:and )?possibly more", rest.replace(" ,", ",")):
            last += 4 if lower[last + 1] == "," else 3
        return last

    def _demonym(self, words, k) -> bool:
        """A capitalised adjective before a noun ("Fulani men", "Ivorian soldiers")."""
        return k + 1 < len(words) and words[k + 1].lower() in PEOPLE_NOUNS

    def _name_word(self, word: str) -> bool:
        return word not in NOT_NAME_WORDS and word.lower() not in self.lower_words and word.lower() not in PEOPLE_NOUNS

    def names(self, sentence: str, exclude: list[Span]) -> list[Span]:
        """People's names, and lists of them ("Ali Keita and sisters Awa and Fanta Traoré"): runs of capitalised
        words that never occur in lower case in the chapter and are not places, dates, groups or titles."""
        items = []
        for m in re.finditer(rf"{_NAME_WORD}(?: {_NAME_WORD})*", sentence):
            words = [(w.start(), w.end()) for w in re.finditer(r"\S+", m.group())]
            while words and not self._name_word(m.group()[words[0][0]:words[0][1]]):
                words.pop(0)
            if not words or not all(self._name_word(m.group()[a:b]) for a, b in words):
                continue
            start, end = m.start() + words[0][0], m.start() + words[-1][1]
            if not any(s.start < end and start < s.end for s in exclude):
                items.append([start, end, len(words)])
        joined = []
        for item in items:  # "Awa and Fanta Traoré": two sisters, one surname
            if joined and joined[-1][2] == 1 and item[2] > 1 and sentence[joined[-1][1]:item[0]] == " and ":
                joined[-1][1], joined[-1][2] = item[1], item[2]
            else:
                joined.append(item)
        merged = []
        for item in (i for i in joined if i[2] > 1):
            gap = sentence[merged[-1][1]:item[0]] if merged else ""
            if merged and re.fullmatch(r"(?:, and |, | and )(?:[a-z]+ ){0,3}", gap) and "known as" not in gap:
                merged[-1][1] = item[1]
            else:
                merged.append(item)
        return [Span(a, b, sentence[a:b]) for a, b, _ in merged]

    # ---- places ---------------------------------------------------------------------------------------
    def places(self, sentence: str) -> list[tuple[Span, list[str], set[str]]]:
        """Place phrases: runs of gazetteer aliases and the generic words between them ("Sofara village,
        Mopti region"); a capitalised name before a place noun that no alias covers is taken as written
        and returned among the unknown names."""
        hits = _phrase_spans(sentence, self.aliases)
        known = [(s, self.kinds[row]) for s, row in hits]
        covered = [s for s, _ in known]
        unknown = []
        for m in re.finditer(rf"\b(?:village of |town of |villages of )?({_NAME_WORD}(?:[ -]{_NAME_WORD})*)"
                             rf"(?= (?:village|villages|town|region|cercle|Cercle|district|commune)\b)", sentence):
            s = Span(m.start(1), m.end(1), m.group(1))
            if not any(c.start < s.end and s.start < c.end for c in covered) and m.group(1) not in NOT_NAME_WORDS:
                unknown.append(s)
        named = rf"{_NAME_WORD}(?:[ -]{_NAME_WORD})*"
        after_word = [(m.start(1), m.group(1)) for m in
                      re.finditer(rf"\b(?:in|near|at) ({named})(?![\w’'-])", sentence)]
        for m in re.finditer(rf"\b(?:village|villages|town|towns) of ({named}(?:(?:, | and ){named})*)", sentence):
            after_word += [(m.start(1) + n.start(), n.group()) for n in re.finditer(named, m.group(1))]
        for start, text in after_word:
            s = Span(start, start + len(text), text)
            if (not any(c.start < s.end and s.start < c.end for c in covered + unknown)
                    and not any(re.sub(r"[’']s$", "", w) in NOT_NAME_WORDS or w.lower() in self.lower_words
                                for w in s.text.split())):
                unknown.append(s)
        marks = sorted(known + [(s, "unknown") for s in unknown], key=lambda e: e[0].start)
        tokens = list(re.finditer(r"[\w’'-]+|[^\w\s]", sentence))
        runs = []
        for span, kind in marks:
            if runs and self._bridgeable(sentence[runs[-1][1]:span.start]):
                runs[-1][1] = span.end
                runs[-1][2].append((span, kind))
            else:
                runs.append([span.start, span.end, [(span, kind)]])
        found = []
        for start, end, parts in runs:
            start, end = self._widen(sentence, tokens, start, end)
            names = [s.text for s, k in parts if k == "unknown"]
            found.append((Span(start, end, sentence[start:end]), names, {k for _, k in parts if k != "unknown"}))
        return found

    @staticmethod
    def _bridgeable(gap: str) -> bool:
        if re.search(r", (?:near|after|before)\b", gap):
            return False
        words = re.findall(r"[\w’'-]+|[^\w\s]", gap)
        return len(words) <= 8 and all(fold(w) in GENERIC_WORDS or w in ",()" for w in words)

    @staticmethod
    def _widen(sentence, tokens, start, end):
        """Take in the generic words around a run ("the outskirts of", "village"), then drop leading
        prepositions and trailing words that are not place nouns."""
        before = [t for t in tokens if t.end() <= start]
        while before and (fold(before[-1].group()) in GENERIC_WORDS or before[-1].group() == "("):
            start = before.pop().start()
        after = [t for t in tokens if t.start() >= end]
        while after and (fold(after[0].group()) in GENERIC_WORDS or after[0].group() in ",()"):
            end = after.pop(0).end()
        text = sentence[start:end]
        while True:
            first = re.match(r"[\w’'-]+|[^\w\s]", text)
            if first and (first.group().lower() not in LEADING_KEEP or first.group() in ",()") and \
                    fold(first.group()) in GENERIC_WORDS | {",", "(", ")"}:
                start += first.end() + (len(text[first.end():]) - len(text[first.end():].lstrip()))
                text = sentence[start:end]
                continue
            last = re.search(r"([\w’'-]+|[^\w\s])$", text)
            if last and ((fold(last.group()) in GENERIC_WORDS and fold(last.group()) not in PLACE_NOUNS)
                         or last.group() in ",(" or (last.group() == ")" and "(" not in text)):
                end = start + last.start(1)
                text = sentence[start:end].rstrip()
                end = start + len(text)
                continue
            return start, end

    # ---- actors ---------------------------------------------------------------------------------------
    def actors(self, sentence: str) -> list[tuple[Span, bool]]:
        """Actor phrases: those of actor_phrases.csv (widened where the sentence goes on naming allies:
        "soldiers and Dozo hunters"), and actor-like phrases it lacks (marked False)."""
        found = []
        for span, _ in _phrase_spans(sentence, self.actor_phrases):
            if _NOT_ACTOR_AFTER.match(sentence[span.end:]):
                continue
            before = _ACTOR_BEFORE.search(sentence[:span.start]) if span.text[0].islower() else None
            after = _ACTOR_AFTER.match(sentence[span.end:])
            if before or after:  # "army" inside "an army patrol": the text's own phrase, marked if unknown
                start = before.start() if before else span.start
                end = span.end + (after.end() if after else 0)
                span = Span(start, end, sentence[start:end])
            rest = sentence[span.end:]
            more = re.match(r"(?:,? (?:and|accompanied by|with the support of|with) )(?:[\w’'()-]+ ){0,6}?"
                            r"(?:fighters|militiamen|personnel|hunters|soldiers|forces|members of the \w+)\b", rest)
            if more:
                longer = Span(span.start, span.end + more.end(), sentence[span.start:span.end + more.end()])
                found.append((longer, phrase_key(longer.text) in self.tables.actors.phrases))
            else:
                found.append((span, phrase_key(span.text) in self.tables.actors.phrases))
        for m in _ACTOR_HEAD.finditer(sentence):
            if not any(s.start < m.end() and m.start() < s.end for s, _ in found):
                words = [w for w in m.group().split() if w.lower() not in ("the", "a", "an")]
                if words[0] in NOT_NAME_WORDS and words[0] not in ("Malian",):
                    continue
                found.append((Span(m.start(), m.end(), m.group()), False))
        return sorted(found, key=lambda f: f[0].start)

    # ---- dates ----------------------------------------------------------------------------------------
    def dates(self, sentence: str) -> list[Span]:
        found = []
        for m in _DATE.finditer(sentence):
            try:
                parse_date(m.group(), self.year)
            except ValueError:
                continue
            found.append(Span(m.start(), m.end(), m.group()))
        return found

    def relative_date(self, sentence: str) -> Span | None:
        m = _RELATIVE_DATE.match(sentence)
        if not m:
            return None
        try:
            parse_date(m.group(), self.year, DateSpan(date(self.year, 6, 1), date(self.year, 6, 1), "day"))
        except ValueError:
            return None
        return Span(0, m.end(), m.group())


def nearest(spans, anchor: Span, sentence: str = ""):
    """The span closest to the anchor (by characters between them), or None. A span before the anchor
    and cut off from it by a comma counts as further ("After an attack on Sévaré, eight detainees held in
    Mopti were executed": Mopti)."""
    def gap(s):
        if s.end <= anchor.start:
            return anchor.start - s.end + (30 if "," in sentence[s.end:anchor.start] else 0)
        return max(s.start - anchor.end, 0)
    return min(spans, key=gap) if spans else None
