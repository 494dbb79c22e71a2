"""The look of the mosaïque: its palette, sizes and the text metrics its layout breaks lines with.

Palette (why these colours): the levels of realisation use steps of the *viridis* ramp, from light
yellow (first level) to dark blue (top level). Viridis keeps its order in lightness for every kind of
colour blindness and in greyscale print, so the state can be read from lightness alone. "Nouveau depuis
l'édition précédente" uses the Okabe-Ito vermilion, distinct from the ramp for all colour vision types.
Every painter (Qt, SVG, reportlab) takes its colours from here.
"""

from __future__ import annotations

import unicodedata

CANVAS_WIDTH = 1000.0

# Colours, as "#RRGGBB" (see the module docstring for the choice).
VIRIDIS_STEPS = ("#FDE725", "#7AD151", "#22A884", "#2A788E", "#414487", "#440154")
EMPTY_FILL = "#FFFFFF"  # no action linked: an empty cell
UNKNOWN_FILL = "#D9D9D9"  # actions linked, none says its level
NEW_MARK = "#D55E00"  # Okabe-Ito vermilion
CELL_BORDER = "#595959"
QUADRANT_FILL = "#F2F2F2"
QUADRANT_BORDER = "#A6A6A6"
BLOCK_FILL = "#FFFFFF"
BLOCK_BORDER = "#CCCCCC"
BACKGROUND = "#FFFFFF"
TEXT = "#1A1A1A"
MUTED_TEXT = "#404040"

MARGIN = 20.0
GUTTER = 20.0
PAD = 10.0
CELL = 32.0
CELL_GAP = 5.0
TITLE_SIZE = 22.0
SUBTITLE_SIZE = 13.0
THEME_SIZE = 15.0
BLOCK_SIZE = 11.5
LEGEND_SIZE = 11.5
LINE = 1.25  # line height, in font sizes
SLACK = 1.12  # room left for faces wider than Helvetica (DejaVu Sans on Linux) where a line has neighbours

STATE_EMPTY = "aucune"
STATE_UNKNOWN = "sans-niveau"


# Helvetica advance widths (per 1000 em) of ASCII 32..126, regular and bold, for line breaking.
# The painters use close sans-serif faces; each may squeeze a line that still comes out too wide.
def _table(numbers: str) -> tuple[int, ...]:
    return tuple(int(n) for n in numbers.split())


_WIDTHS = _table(
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 "
    "556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 "
    "722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 "
    "500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
)
_BOLD_WIDTHS = _table(
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 "
    "556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 "
    "722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 611 278 278 "
    "556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584"
)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width of a line in a Helvetica-like face (accented letters count as their base letter)."""
    table = _BOLD_WIDTHS if bold else _WIDTHS
    total = 0
    for ch in text:
        code = ord(ch)
        if code >= 127:
            base = unicodedata.normalize("NFKD", ch)[:1]
            code = ord(base) if base and ord(base) < 127 else ord("m") if ch.isalpha() else ord("n")
        total += table[code - 32] if 32 <= code < 127 else 556
    return total * size / 1000


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Greedy line breaking at spaces (a single over-long word stays whole: the painter squeezes it)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current or not lines:
        lines.append(current)
    return lines


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of a "#RRGGBB" colour (0 black, 1 white)."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ink_for(fill: str) -> str:
    """Black or white, whichever has the higher WCAG contrast ratio on ``fill``."""
    lum = relative_luminance(fill)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"
