"""Text normalisation shared by the parsers and parameter checks; stdlib only, so it imports fast."""
import re
import unicodedata


def normalise(text: str) -> str:
    """NFC, straight quotes, single spaces, no trailing punctuation: a phrase as it would be compared."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().strip(".;:")


def fold(text: str) -> str:
    """Case- and accent-insensitive form, so Ségou and Segou compare equal."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def slug(text: str, empty: str = "section") -> str:
    """Lower-case ASCII words joined by hyphens, accents dropped, not letters (Ségou -> segou): for ids and
    folder names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or empty


MARKUP = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'[]()!*_`#|\\~{}"})


def escape(value) -> str:
    """Data as inert text wherever it enters HTML or Markdown: every character either language reads as markup
    becomes a numeric character reference, which both show as the character itself. The one escape function."""
    return str(value).translate(MARKUP)
