"""One home for paths, vocabularies and colours that the cleaning, the briefing and the build share."""
import os
from pathlib import Path

# The imported package's own folder, wherever it is installed: its data (templates, catalogues, fields.yaml) lie
# there, not in the checkout.
PACKAGE = Path(__file__).resolve().parent


def _project_root() -> Path:
    """The project folder (notebooks/, data/): MALIBRIEF_ROOT when set (build.py sets it for its kernels), else the
    checkout this package lies in (an editable install), else the current folder or, in a kernel that runs in
    notebooks/, its parent: so a `pip install .` works from the project folder too."""
    if os.environ.get("MALIBRIEF_ROOT"):
        return Path(os.environ["MALIBRIEF_ROOT"]).resolve()
    for folder in (PACKAGE.parent, Path.cwd(), Path.cwd().parent):
        if (folder / "notebooks").is_dir() and (folder / "data").is_dir():
            return folder
    return Path.cwd()


ROOT = _project_root()
DATA = ROOT / "data"
RAW = DATA / "raw"
REFERENCE = DATA / "reference"
PROCESSED = DATA / "processed"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
SOURCES_DIR = ROOT.parent / "shared" / "sources"
# The briefing's translation catalogues, <lang>/LC_MESSAGES/briefing.po (gettext, read with Babel).
LOCALE_DIR = PACKAGE / "briefing" / "locale"
LOCALE_DOMAIN = "briefing"
# What the map draws, in the reference folder; the cleaning copies every one into its output for the map.
OUTLINE_FILE, ADMIN1_FILE = "mali_outline.geojson", "mali_admin1.geojson"
NEIGHBOURS_FILE, RIVERS_FILE, LAKES_FILE = "mali_neighbours.geojson", "mali_rivers.geojson", "mali_lakes.geojson"
CAPITALS_FILE = "mali_capitals.geojson"
BOUNDARY_FILES = (OUTLINE_FILE, ADMIN1_FILE, NEIGHBOURS_FILE, RIVERS_FILE, LAKES_FILE, CAPITALS_FILE)

# The three violations the briefing counts, in display order, with the raw column that holds each count.
VIOLATIONS = ("killing", "detention", "disappearance")
COUNT_COLUMNS = {"killing": "killed", "detention": "detained", "disappearance": "disappeared"}

VICTIM_TYPES = ("civilians", "security forces", "alleged fighters", "mixed", "unknown")
ATTRIBUTIONS = ("stated", "alleged", "suspected")
DATE_PRECISIONS = ("day", "week", "month", "months", "year")
GEO_PRECISIONS = (1, 2, 3)

# Actor classes in display order. "state forces with militias" is needed for soldiers operating with
# Dozo militiamen and no foreign allies (HRW-2025, Kamona and Balle).
ACTOR_CLASSES = (
    "state forces",
    "state forces with foreign allies",
    "state forces with militias",
    "civilian state authorities",
    "foreign forces",
    "Islamist armed groups",
    "militias",
    "other",
    "unknown",
)

# Pre-2023 first-level division, spelt as the project spells it; ACLED uses the same units unaccented.
ADMIN1 = (
    "Kayes", "Koulikoro", "Sikasso", "Ségou", "Mopti", "Tombouctou",
    "Gao", "Kidal", "Ménaka", "Taoudénit", "Bamako",
)

# Plausibility bounds: a count or an ACLED fatality figure above these is refused, naming the bound, as a
# misread ("10 billion") or a typing error rather than a figure of people in one event.
MAX_VICTIMS_PER_EVENT = 1_000_000
MAX_ACLED_FATALITIES = 10_000  # ACLED's largest single events in the Sahel are in the hundreds
# An ACLED point this close outside Mali's outline is Malian: the outline is simplified to about 1 km, and
# border localities (Tin Zaouaten, In Khalil, Anderamboukane) lie on or just beyond it.
ACLED_BORDER_TOLERANCE_KM = 10.0

# What out_of_scope.csv records: violations the chapters report that the briefing does not count.
OUT_OF_SCOPE_VIOLATIONS = ("torture", "sexual violence", "injury", "looting", "destruction", "threats", "other")

# Admin1 values Natural Earth draws inside another region's polygon (the old division).
ADMIN1_POLYGON = {"Ménaka": "Gao", "Taoudénit": "Tombouctou"}
# The northern regions, whose cercles are far larger than the south's (the gazetteer's distance checks).
NORTHERN_ADMIN1 = ("Tombouctou", "Gao", "Kidal", "Ménaka", "Taoudénit")

OUTCOMES = ("released", "killed", "detained or sentenced", "still missing", "unknown")

# One visual language for every chart. Violations have Okabe-Ito colours used for nothing else; perpetrators
# have a palette of their own (greens for the state, earth tones for the others), with the unnamed in light grey.
VIOLATION_COLOURS = {"killing": "#D55E00", "detention": "#0072B2", "disappearance": "#CC79A7"}
ACTOR_CLASS_COLOURS = {
    "state forces": "#00544F",
    "state forces with foreign allies": "#2A9D8F",
    "state forces with militias": "#8AB17D",
    "civilian state authorities": "#C5DEB8",
    "foreign forces": "#5E548E",
    "Islamist armed groups": "#E9C46A",
    "militias": "#7F5539",
    "other": "#8D8D8D",
    "unknown": "#D4D4D4",
}
CHART_INK = {"text": "#333333", "muted": "#666666", "grid": "#E6E6E6", "band_alpha": 0.22}


def project_path(path) -> Path:
    """A parameter path as given, or relative to the project root, so notebooks run from any folder."""
    path = Path(path)
    return path if path.is_absolute() else ROOT / path
