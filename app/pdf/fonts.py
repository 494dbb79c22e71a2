"""The TrueType fonts of the printed dossier (DejaVu Sans, shipped in ``resources/fonts``), embedded as subsets.

Registered once per process in reportlab's font registry under names of our own, so that a font of the
same name installed elsewhere can never be picked up instead. Each face comes with the set of characters
its cmap covers: text is checked against it before it is laid out (see ``app.pdf.text``), so a character
the font lacks is replaced visibly instead of being printed as an empty box or dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from resources import folder

REGULAR = "Arobase-Sans"
BOLD = "Arobase-Sans-Bold"
ITALIC = "Arobase-Sans-Oblique"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf"}


@dataclass(frozen=True, slots=True)
class FontSet:
    """The registered faces and, for each, the characters it can print."""

    regular: str
    bold: str
    italic: str
    coverage: dict[str, frozenset[str]]


def font_directory() -> Path:
    return folder("resources.fonts")


@lru_cache(maxsize=1)
def register_fonts() -> FontSet:
    """Register the faces with reportlab (reportlab's registry is process-wide: done once) with their coverage."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = font_directory()
    coverage: dict[str, frozenset[str]] = {}
    for name, filename in _FILES.items():
        font = TTFont(name, str(folder / filename))
        pdfmetrics.registerFont(font)
        # Code points with a real glyph (glyph 0 is .notdef, the empty box). Outside the Basic Multilingual
        # Plane (emoji…) reportlab writes a broken ToUnicode map (the text could not be copied or searched):
        # those characters are treated as missing and printed as their visible marker.
        coverage[name] = frozenset(chr(cp) for cp, glyph in font.face.charToGlyph.items() if glyph and cp <= 0xFFFF)
    # <b> and <i> in our own markup resolve to these faces (there is no bold oblique: bold is used).
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD)
    return FontSet(REGULAR, BOLD, ITALIC, coverage)
