"""Assisted coding: propose the incidents of a new chapter, for a coder to confirm.

`python -m malibrief.propose CHAPTER --source-id ID --year YEAR --out build/propose/candidates.csv` and
`notebooks/03-propose.ipynb`. It sits on the cleaning side: it reads the cleaning's reference tables and
parsers (never the briefing) and never writes into data/raw. See docs/new-chapter.md.

- chapter: the text (or a saved web page) as sections, numbered paragraphs and sentences;
- extract: triggers, counts, names, places, actors and dates found in a sentence;
- candidates: counts tied to triggers, the rows and their notes, writing them;
- review: what the notebook shows and the confirmed rows it writes.
"""
