"""From a chapter to candidate rows in the format of incidents.csv, with review columns.

A count is tied to the trigger that governs it: the count after an active verb ("killed 12 herders"),
the subject before a passive one or one whose victims come first ("nine traders ... were forcibly
disappeared", "... died in custody"), or the count the trigger ends ("20 deaths"). Each count found
becomes one candidate (with every violation that governs it, as the codebook keeps "arrested and
executed" the same people on one row); a trigger with no count still gives one candidate per violation
and sentence, without a count, for the coder to complete or drop.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from .. import config
from ..cleaning.actors import phrase_key
from ..cleaning.counts import parse_count
from ..cleaning.dates import parse_date
from ..cleaning.schemas import INCIDENT_COLUMNS
from ..io import atomic_write, read_csv
from .chapter import Paragraph, paragraphs, read_chapter
from .extract import (
    ADVERBS,
    ALLEGED,
    ALLEGED_SENTENCE,
    AUXILIARIES,
    CLAIMANTS,
    COUNT_COLUMN,
    FIGHTERS,
    OUTCOMES,
    SECURITY,
    STOP_WORDS,
    SUSPECTED,
    TAG_WORDS,
    Candidate,
    Extractor,
    Span,
    Tables,
    nearest,
)

REVIEW_COLUMNS = ("violations", "sentence", "missing_or_uncertain", "confidence", "confirmed")


def incident_columns(raw_dir: Path = config.RAW) -> tuple[str, ...]:
    """The columns of the incidents file the rows are to be appended to, in its order (the schema's when
    there is none yet)."""
    path = Path(raw_dir) / "incidents.csv"
    if not path.is_file():
        return INCIDENT_COLUMNS
    with open(path, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh), [])
    missing = [c for c in INCIDENT_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{path}, line 1: the header lacks {', '.join(missing)}")
    return tuple(header)
# Words that open another clause between a trigger and a later count ("their whereabouts became known when
# they appeared in court with two others"): that count is not the trigger's.
_NEW_CLAUSE = re.compile(r"\b(?:when|while|because|after|before|that|until|since|became|was|were)\b")
_AND_JOIN = re.compile(r"^(?: (?:in|at|near) [^,;.]{1,40}?)?,? and $")


def _passive(sentence: str, trigger: Span) -> bool:
    words = re.findall(r"[\w’'-]+", sentence[:trigger.start])
    while words and ADVERBS.match(words[-1]):
        words.pop()
    return bool(words) and words[-1].lower() in AUXILIARIES


def _same_clause(sentence: str, a: int, b: int) -> bool:
    return ";" not in sentence[min(a, b):max(a, b)]


def governed(sentence: str, triggers, counts, rules) -> dict:
    """Tie counts to triggers: returns {violation: (trigger span, alone)} for triggers that govern no count."""
    orphans, previous_end = {}, 0
    for span, violation, victims, alone in triggers:
        # a count that ends in the trigger ("20 deaths", "six of those killed"), not "several detained students"
        inside = [c for c in counts if c.span.start <= span.start and span.end == c.span.end]
        if inside:
            inside[0].violations.add(violation)
            previous_end = span.end
            continue
        chosen = []
        if victims == "before" or _passive(sentence, span):
            before = [c for c in counts if c.span.end <= span.start and _same_clause(sentence, c.span.end, span.start)]
            recent = [c for c in before if c.span.start >= previous_end]
            # "... a former minister who died": the relative pronoun names the count it follows
            related = [c for c in before if re.fullmatch(r",? (?:who|that|which) (?:\w+ )?", sentence[c.span.end:span.start])]
            chosen = related[-1:] or (recent or before)[:1]
        else:
            after = [c for c in counts if c.span.start >= span.end and _same_clause(sentence, span.end, c.span.start)
                     and len(sentence[span.end:c.span.start].split()) <= 10
                     and not _NEW_CLAUSE.search(sentence[span.end:c.span.start])]
            if after:
                chosen = [after[0]]
                for c in after[1:]:
                    if _AND_JOIN.match(sentence[chosen[-1].span.end:c.span.start]):
                        chosen.append(c)
                    else:
                        break
            elif re.search(r"\b(?:his|her|their)\s+$", sentence[:span.start]):
                chosen = [c for c in counts if _same_clause(sentence, c.span.end, span.start)][:1]  # "his whereabouts"
            elif span.text.lower().endswith("ed"):
                before = [c for c in counts if c.span.end <= span.start and _same_clause(sentence, c.span.end, span.start)]
                chosen = before[-1:]
        chosen = [_named(c, counts, sentence, rules) for c in chosen]
        for c in chosen:
            c.violations.add(violation)
        if not chosen:
            orphans.setdefault(violation, (span, alone))
        previous_end = span.end
    return orphans


def _named(count, counts, sentence: str, rules):
    """The list of names that follows a quantity as its apposition, when it names as many people ("two
    activists, Awa Traoré and Ali Keita"), else the quantity."""
    if count.name:
        return count
    for other in counts:
        gap = sentence[count.span.end:other.span.start]
        if other.name and other.span.start > count.span.end and len(gap) <= 40 and gap.endswith(", ") \
                and re.fullmatch(r"[^;.]*", gap):
            try:
                if parse_count(count.span.text, rules)[0] == parse_count(other.span.text, rules)[0]:
                    return other
            except ValueError:
                return count
    return count


def _victims(count_text: str, extractor: Extractor, name: bool, sentence: str, count: Span) -> str:
    """The victims' words: the count's noun ("villagers" of "12 villagers"), or the description just
    before a name ("journalist Awa Traoré")."""
    if name:
        m = re.search(r"(?:^|[,;] |\b(?:In|On|During) \w+, |\b(?:arrested|detained|abducted|executed) )"
                      r"((?:[a-zA-Z][\w’'-]* ){1,4})$", sentence[:count.start])
        words = m.group(1).split() if m else []
        if not words or any(w.lower() in STOP_WORDS or extractor.is_trigger(w) for w in words):
            return ""
        return m.group(1).strip()
    m = re.match(r"^(?:(?:at least|more than|over|around|about|approximately|some|up to) )?"
                 r"(?:[\d,]+|\w+)(?: (?:hundred|thousand))?(?: of (?:the [\d,]+|those|them)| of)? ?(.*)$", count_text)
    rest = m.group(1) if m else ""
    rest = re.sub(r",? and possibly more$", "", rest).strip(" “”\"")
    return rest if rest and rest in count_text else ""


def _perpetrators(info: dict) -> list:
    """A sentence's actor phrases less those inside a place ("the Sévaré army camp") or a count that a
    trigger governs ("killed one soldier"): those name places and victims, not perpetrators."""
    taken = [c.span for c in info["counts"] if c.violations] + [p for p, _, _ in info["places"]]
    return [(a, known) for a, known in info["actors"] if not any(t.start < a.end and a.start < t.end for t in taken)]


def _fill(c: Candidate, extractor: Extractor, earlier: list[dict], here: dict) -> None:
    """Every phrase of one candidate, and the notes for what is missing or uncertain."""
    s, f, notes = c.sentence, c.fields, c.notes
    anchor = c.count or c.trigger

    date, relative = nearest(here["dates"], anchor), False
    if date is None:
        date = extractor.relative_date(s)
        relative = c.relative_date = date is not None
    if date is None:
        prior = [d for e in earlier for d in e["dates"]]
        if prior:
            date = prior[-1]
            notes.append("date taken from an earlier sentence of the paragraph")
        else:
            notes.append("no date")
    f["date_text"] = date.text if date else ""
    if date is not None and not relative:
        span = parse_date(date.text, extractor.year)
        if span.end.year < extractor.year:
            f["flags"] = "before_chapter_year"

    places = here["places"]
    place = nearest([p[0] for p in places], anchor, s)
    names, kinds = [], set()
    if place is not None:
        names, kinds = next((n, k) for p, n, k in places if p == place)
        regional = [p for p, n, k in places if p.end <= place.start and ({"region", "cercle"} & k)]
        if not ({"region", "cercle"} & kinds) and regional and not names:
            f["place_text"] = f"{regional[-1].text} ... {place.text}"
        else:
            f["place_text"] = place.text
    else:
        prior = [p for e in earlier for p in e["places"]]
        if prior:
            f["place_text"] = prior[-1][0].text
            names = prior[-1][1]
            notes.append("place taken from an earlier sentence of the paragraph")
        else:
            notes.append("no place named in the sentence")
    for name in names:
        notes.append(f"place not in places.csv: {name!r} (add it, or an alias, before the cleaning)")

    actors = _perpetrators(here)
    actor = None
    if _passive(s, c.trigger):
        after = [(a, k) for a, k in actors if a.start >= c.trigger.end and re.search(r"\bby\b", s[c.trigger.end:a.start])
                 and len(s[c.trigger.end:a.start].split()) <= 6]
        actor = after[0] if after else None
    if actor is None and c.trigger.text.lower().endswith("ing") and s[:c.trigger.start].endswith(", ") and actors:
        actor = actors[0]  # ", killing 12 herders": the subject of the sentence did it
    if actor is None:
        before = [(a, k) for a, k in actors if a.end <= c.trigger.start]
        actor = before[-1] if before else (actors[0] if actors else None)
    actor_sentence = s
    # "they", or a killing told without its agent ("12 herders were killed"): the paragraph's last actor
    if actor is None and (re.search(r"\b[Tt]hey\b", s) or c.violations == {"killing"}):
        prior = [(a, e["sentence"]) for e in earlier for a in _perpetrators(e)]
        if prior:
            actor, actor_sentence = prior[-1]
            notes.append("perpetrator taken from an earlier sentence of the paragraph: check it is theirs")
    if actor is not None:
        f["perpetrator_text"] = actor[0].text
        if not actor[1]:
            notes.append(f"perpetrator not in actor_phrases.csv: {actor[0].text!r} (add it with its actors)")
        # the hedge that qualifies who did it: in or just before the perpetrator's words, or on the verb
        near = (actor_sentence[max(actor[0].start - 30, 0):actor[0].end] + " "
                + s[max(c.trigger.start - 20, 0):c.trigger.start])
        f["attribution"] = ("suspected" if SUSPECTED.search(near) else
                            "alleged" if ALLEGED.search(near) or ALLEGED_SENTENCE.search(s) else "stated")
    else:
        notes.append("no perpetrator named")

    if c.count is not None:
        for v in c.violations:
            f[COUNT_COLUMN[v]] = c.count.text
        try:
            parse_count(c.count.text, extractor.tables.rules)
        except ValueError as err:
            notes.append(f"count: {err}")
        f["victims_text"] = _victims(c.count.text, extractor, c.name, s, c.count)
    else:
        notes.append("no count found: fill it in, or drop the row")
    if not f.get("victims_text"):
        notes.append("victims: fill in")

    victims = " ".join(filter(None, (f.get("victims_text"), c.count.text if c.count else "")))
    f["victim_type"] = ("security forces" if SECURITY.search(victims) else
                        "alleged fighters" if FIGHTERS.search(victims) else "civilians" if victims else "unknown")
    notes.append("victim_type and victim_tags proposed from the victims' words: check")
    tail = s[c.count.end:c.count.end + 60] if c.count else ""
    including = re.match(r"^, including [^,;.]+", tail)
    tag_text = victims + (including.group() if including else "")
    f["victim_tags"] = ";".join(t for t, pattern in TAG_WORDS.items() if re.search(pattern, tag_text))

    claimant = next((m.group().strip() for p in CLAIMANTS for m in [p.search(s)] if m), "")
    if claimant:
        f["claimant_text"] = claimant
        kind = extractor.tables.claimants.get(phrase_key(claimant))
        if kind is None:
            notes.append(f"claimant not in claimants.csv: {claimant!r} (add it with its kind)")
        elif kind == "party":  # the codebook: a party's own figure is a claim
            f["flags"] = ";".join(filter(None, (f.get("flags"), "party_figure")))
    if c.violations & {"detention", "disappearance"} or "died in custody" in s:
        later = [here["sentence"]] + here["later"]
        for text in later:
            m = next((m for p in OUTCOMES for m in [p.search(text)] if m), None)
            if m:
                f["outcome_text"] = m.group()
                break
    if "died in custody" in s:
        f["flags"] = ";".join(filter(None, (f.get("flags"), "death_in_custody")))
    if "killing" in c.violations and f["victim_type"] in ("security forces", "alleged fighters"):
        f["flags"] = ";".join(filter(None, (f.get("flags"), "combatants_killed")))
    notes.append("summary: write one in your own words")

    score = 0.3 + (0.3 if c.count else 0) + (0.15 if f.get("place_text") and not names else 0)
    score += (0.1 if actor and actor[1] else 0) + (0.15 if f.get("date_text") else 0)
    c.confidence = round(min(score, 1.0), 2)


def _blame(found: list[Candidate], violation: str, trigger: Span, info: dict) -> None:
    """A later sentence that only names who did it ("residents blamed the army for the killings") gives
    the perpetrator to the paragraph's last candidate of that violation, if it had none."""
    target = next((c for c in reversed(found) if violation in c.violations), None)
    actors = [a for a, _ in _perpetrators(info)]
    if target is None or target.fields.get("perpetrator_text") or not actors:
        return
    before = [a for a in actors if a.end <= trigger.start]
    actor = before[-1] if before else actors[0]
    known = dict(info["actors"])[actor]
    target.fields["perpetrator_text"] = actor.text
    target.fields["attribution"] = "alleged" if ALLEGED.search(info["sentence"]) else "stated"
    target.notes[:] = [n for n in target.notes if n != "no perpetrator named"]
    target.notes.insert(0, "perpetrator taken from a later sentence of the paragraph: check the attribution")
    if not known:
        target.notes.insert(1, f"perpetrator not in actor_phrases.csv: {actor.text!r} (add it with its actors)")


def find(paragraph: Paragraph, extractor: Extractor) -> list[Candidate]:
    """The candidates of one paragraph, in reading order."""
    found, earlier = [], []
    infos = []
    for sentence in paragraph.sentences:
        s = sentence.text
        info = {"sentence": s, "dates": extractor.dates(s), "places": extractor.places(s), "actors": extractor.actors(s)}
        info["counts"] = extractor.counts(s, info["dates"] + [p[0] for p in info["places"]], [a for a, _ in info["actors"]])
        infos.append(info)
    for i, sentence in enumerate(paragraph.sentences):
        s, info = sentence.text, infos[i]
        info["later"] = [x["sentence"] for x in infos[i + 1:]]
        triggers = extractor.triggers(s)
        counts = info["counts"]
        orphans = governed(s, triggers, counts, extractor.tables.rules)
        here = []
        for count in counts:
            if count.violations:
                trigger = next(t for t, v, _, _ in triggers if v in count.violations)
                here.append(Candidate(s, set(count.violations), count.span, trigger,
                                      name=count.name))
        # a trigger without a count makes a row only in a sentence without one, for a violation the
        # paragraph has not yet proposed ("they were then held in a camp" repeats the arrest)
        proposed = {v for c in found for v in c.violations}
        for violation, (trigger, alone) in orphans.items():
            if not here and violation not in proposed and alone:
                here.append(Candidate(s, {violation}, None, trigger))
            elif not here:
                _blame(found, violation, trigger, info)
        for c in sorted(here, key=lambda c: (c.count or c.trigger).start):
            _fill(c, extractor, earlier, info)
            found.append(c)
        earlier.append(info)
    return found


def next_number(source_id: str, raw_dir: Path) -> int:
    """The first mention number after those data/raw/incidents.csv already gives this source."""
    path = Path(raw_dir) / "incidents.csv"
    if not path.is_file():
        return 1
    ids = read_csv(path, ("mention_id",))["mention_id"]
    numbers = [int(m[1]) for i in ids for m in [re.fullmatch(rf"{re.escape(source_id)}-(\d+)", i)] if m]
    return max(numbers, default=0) + 1


def propose(chapter: Path, source_id: str, year: int, reference_dir: Path = config.REFERENCE,
            raw_dir: Path = config.RAW, text: str | None = None) -> pd.DataFrame:
    """Candidate rows for one chapter (a text file or a saved web page), in the columns of raw_dir's
    incidents.csv followed by the review columns."""
    text = read_chapter(chapter) if text is None else text
    extractor = Extractor(Tables.load(reference_dir), year, text)
    rows, number = [], next_number(source_id, raw_dir)
    columns = (*incident_columns(raw_dir), *REVIEW_COLUMNS)
    for paragraph in paragraphs(text, year):
        if paragraph.footnote:
            continue
        dated = None  # the paragraph's last candidate with a date of its own, which a relative date counts from
        for c in find(paragraph, extractor):
            if c.relative_date:
                if dated:
                    c.fields["date_from"] = dated
                    c.notes.insert(0, f"relative date: date_from proposed as {dated}, the paragraph's last dated "
                                      "candidate: check it is the one the date counts from")
                else:
                    c.notes.insert(0, "relative date: set date_from to the mention it counts from")
            row = dict.fromkeys(columns, "")
            row.update(c.fields)
            row.update(mention_id=f"{source_id}-{number:03d}", source_id=source_id, section=paragraph.section,
                       paragraph=str(paragraph.number), violations=";".join(v for v in config.VIOLATIONS if v in c.violations),
                       sentence=c.sentence, missing_or_uncertain="; ".join(dict.fromkeys(c.notes)),
                       confidence=c.confidence)
            for column in row:
                if column.endswith("_text") and row[column] and not _in_text(row[column], paragraph.text):
                    raise AssertionError(f"{column} {row[column]!r} is not in paragraph {paragraph.number} of "
                                         f"{paragraph.section!r}")
            rows.append(row)
            if row["date_text"] and not c.relative_date:
                dated = row["mention_id"]
            number += 1
    return pd.DataFrame(rows, columns=list(columns))


def _inside(path: Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def check_out_paths(out: Path | None = None, sources_dir: Path | None = None) -> None:
    """Refuse to write into data/raw (the coder appends confirmed rows there by hand) or the chapter's
    text anywhere in the project but build/ (the sources' text is never committed)."""
    for what, path in (("the candidates file", out), ("the sources folder", sources_dir)):
        if path is not None and _inside(path, config.RAW):
            raise ValueError(f"{what} {path} is inside data/raw: propose never writes there; review the "
                             "candidates, then append the confirmed rows to data/raw/incidents.csv yourself")
    if sources_dir is not None and _inside(sources_dir, config.ROOT) and not _inside(sources_dir, config.ROOT / "build"):
        raise ValueError(f"the sources folder {sources_dir} is inside the project but not under build/: "
                         "the sources' text is never committed")


def write(frame: pd.DataFrame, out: Path, text: str | None = None, source_id: str | None = None,
          sources_dir: Path | None = None) -> None:
    """The candidates CSV (minimal quoting, as data/raw/incidents.csv), and the chapter's plain text as
    <source_id lower case>.txt in sources_dir, for `check_sources.py --sources sources_dir`."""
    out = Path(out)
    check_out_paths(out, sources_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    if sources_dir is not None:
        Path(sources_dir).mkdir(parents=True, exist_ok=True)
        atomic_write(Path(sources_dir) / f"{source_id.lower()}.txt", text.encode("utf-8"))


def _in_text(phrase: str, text: str) -> bool:
    """Each piece of a phrase (pieces joined by " ... ") is in the text, in order."""
    position = 0
    for piece in phrase.split(" ... "):
        found = text.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True
