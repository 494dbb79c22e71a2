"""The mosaïque des enjeux as a picture: geometry, colours, marks and texts, computed once as plain data.

Three painters draw this same data: the Qt widget (``ui/widgets/mosaic_widget.py``), the SVG writer
(``app/mosaic_svg.py``) and reportlab for the PDF and the command line's PNG (``app/mosaic_reportlab.py``).
A painter only places what it is given, so a colour or a layout rule changed here changes them all.

Units are abstract: the canvas is ``CANVAS_WIDTH`` (1000) wide and as high as its content; y grows
downwards and a text's ``y`` is its baseline. Painters scale the whole picture to their width.

Palette (why these colours): the levels of realisation use steps of the *viridis* ramp, from light
yellow (first level) to dark blue (top level). Viridis keeps its order in lightness for every kind of
colour blindness and in greyscale print, so the state can be read from lightness alone. "Nouveau depuis
l'édition précédente" uses the Okabe-Ito vermilion, distinct from the ramp for all colour vision types.
Colour is never the only carrier: each state also has a mark (none, "?", 1 or 2 pips…, a check for the
top level) drawn in the lower band of the cell, and a new service has a corner triangle.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from app.edition import Edition, Level, fold
from app.model import DossierData
from app.mosaic import ServiceCoverage, coverage

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


# ---------------------------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x < self.x + self.w and self.y <= y < self.y + self.h


@dataclass(frozen=True, slots=True)
class Mark:
    """What is drawn on a cell besides its fill: ``kind`` is "none", "unknown" ("?"), "pips" or "check"."""

    kind: str = "none"
    count: int = 0  # number of pips


@dataclass(frozen=True, slots=True)
class Shape:
    """A piece of a mark: "circle" (``points[0]`` centre, ``radius``), "polyline" (stroked, ``width``),
    "polygon" (filled) or "text" (``points[0]`` is the middle of the baseline)."""

    kind: str
    points: tuple[tuple[float, float], ...]
    color: str
    radius: float = 0.0
    width: float = 0.0
    text: str = ""
    size: float = 0.0


@dataclass(frozen=True, slots=True)
class TextItem:
    """One line of text; ``y`` is the baseline, ``anchor`` is "start", "middle" or "end" at ``x``."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    anchor: str = "start"
    color: str = TEXT
    max_width: float = 0.0  # a painter squeezes the line to this width if its font is wider (0: no limit)


@dataclass(frozen=True, slots=True)
class Cell:
    """One service."""

    service_id: str
    subtheme_id: str
    theme_id: str
    rect: Rect
    state: str | None  # the best level id, or None (no action, or no action says its level)
    covered: bool
    state_key: str  # a level id, STATE_UNKNOWN or STATE_EMPTY: the legend entry of this cell
    state_label: str  # the state in words, e.g. "Réalisé", "Aucune action"
    fill: str
    ink: str  # colour of the mark: black or white, whichever contrasts more with the fill
    mark: Mark
    label: str  # the service's wording
    action_titles: tuple[str, ...]
    is_new: bool  # covered now, not covered in the previous edition's dossier
    tooltip: str  # plain text, several lines
    index: int  # reading order (edition order)

    @property
    def mark_rect(self) -> Rect:
        """The lower band where the mark is drawn."""
        return mark_rect(self.rect)

    @property
    def new_triangle(self) -> tuple[tuple[float, float], ...]:
        """The corner triangle (top right) that marks a new service."""
        return new_triangle(self.rect)

    @property
    def swatch_point(self) -> tuple[float, float]:
        """A point that always shows the plain fill (no mark, no corner, no border)."""
        r = self.rect
        return (r.x + r.w * 0.28, r.y + r.h * 0.26)

    @property
    def shapes(self) -> tuple[Shape, ...]:
        return mark_shapes(self.rect, self.mark, self.ink, self.is_new)


@dataclass(frozen=True, slots=True)
class Block:
    """One sub-theme: its title, its figure and its cells."""

    subtheme_id: str
    theme_id: str
    title: str
    rect: Rect
    covered: int
    total: int
    new: int
    level_counts: tuple[tuple[str, str, int], ...]  # (state key, words, count), legend order
    texts: tuple[TextItem, ...]

    @property
    def figure(self) -> str:
        return f"{self.covered} / {self.total}"


@dataclass(frozen=True, slots=True)
class Quadrant:
    """One theme."""

    theme_id: str
    title: str
    rect: Rect
    covered: int
    total: int
    new: int
    column: int
    texts: tuple[TextItem, ...]

    @property
    def figure(self) -> str:
        return f"{self.covered} / {self.total}"


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """A swatch drawn like a cell (same fill, mark and corner), and its words."""

    key: str  # a level id, STATE_UNKNOWN, STATE_EMPTY or "nouveau"
    label: str
    swatch: Rect
    fill: str
    ink: str
    mark: Mark
    is_new: bool
    text: TextItem

    @property
    def shapes(self) -> tuple[Shape, ...]:
        return mark_shapes(self.swatch, self.mark, self.ink, self.is_new)


@dataclass(frozen=True, slots=True)
class MosaicLayout:
    """The whole picture, in abstract units (``width`` × ``height``)."""

    width: float
    height: float
    edition_id: str
    title: str
    covered: int
    total: int
    cells: tuple[Cell, ...]
    blocks: tuple[Block, ...]
    quadrants: tuple[Quadrant, ...]
    legend: tuple[LegendEntry, ...]
    texts: tuple[TextItem, ...]  # title, subtitle, totals, note
    previous_edition_id: str | None = None
    new_count: int = 0

    @property
    def aspect(self) -> float:
        """Height over width."""
        return self.height / self.width

    def cell(self, service_id: str) -> Cell:
        for c in self.cells:
            if c.service_id == service_id:
                return c
        raise KeyError(service_id)

    def cell_at(self, x: float, y: float) -> Cell | None:
        """The cell under a point of the canvas, if any."""
        for c in self.cells:
            if c.rect.contains(x, y):
                return c
        return None

    def block(self, subtheme_id: str) -> Block:
        for b in self.blocks:
            if b.subtheme_id == subtheme_id:
                return b
        raise KeyError(subtheme_id)

    def quadrant(self, theme_id: str) -> Quadrant:
        for q in self.quadrants:
            if q.theme_id == theme_id:
                return q
        raise KeyError(theme_id)

    def neighbour(self, service_id: str, direction: str) -> str:
        """The cell the keyboard moves to: "left"/"right" in reading order, "up"/"down" on screen,
        "home"/"end" the first and last. Stays put at an edge."""
        if not self.cells:
            return service_id
        current = self.cell(service_id)
        if direction == "home":
            return self.cells[0].service_id
        if direction == "end":
            return self.cells[-1].service_id
        if direction in ("left", "right"):
            i = current.index + (1 if direction == "right" else -1)
            return self.cells[i].service_id if 0 <= i < len(self.cells) else service_id
        if direction not in ("up", "down"):
            raise ValueError(direction)
        sign = 1 if direction == "down" else -1
        cy = current.rect.center[1]
        column = self.quadrant(current.theme_id).column
        ahead = [c for c in self.cells if (c.rect.center[1] - cy) * sign > 1e-6]
        same_column = [c for c in ahead if self.quadrant(c.theme_id).column == column]
        candidates = same_column or ahead
        if not candidates:
            return service_id
        nearest_y = min(abs(c.rect.center[1] - cy) for c in candidates)
        row = [c for c in candidates if abs(abs(c.rect.center[1] - cy) - nearest_y) < 1e-6]
        cx = current.rect.center[0]
        return min(row, key=lambda c: (abs(c.rect.center[0] - cx), c.index)).service_id


# ------------------------------------------------------------------------------------------ helpers


def mark_rect(rect: Rect) -> Rect:
    """The lower band of a cell where its mark is drawn (the upper left keeps the plain fill)."""
    return Rect(rect.x + rect.w * 0.1, rect.y + rect.h * 0.5, rect.w * 0.8, rect.h * 0.42)


def new_triangle(rect: Rect) -> tuple[tuple[float, float], ...]:
    """The corner triangle (top right) that marks a service newly covered."""
    return ((rect.x + rect.w * 0.55, rect.y), (rect.right, rect.y), (rect.right, rect.y + rect.h * 0.45))


def mark_shapes(rect: Rect, mark: Mark, ink: str, is_new: bool) -> tuple[Shape, ...]:
    """What a painter draws over a cell's fill, so that no state is told by colour alone."""
    band = mark_rect(rect)
    cy = band.y + band.h / 2
    shapes: list[Shape] = []
    if mark.kind == "pips" and mark.count > 0:
        r = min(rect.w * 0.11, band.w / (mark.count * 2.6))
        step = r * 2.6
        x0 = band.x + band.w / 2 - step * (mark.count - 1) / 2
        shapes += [Shape("circle", ((x0 + i * step, cy),), ink, radius=r) for i in range(mark.count)]
    elif mark.kind == "check":
        pts = ((0.22, 0.5), (0.42, 0.88), (0.8, 0.08))
        shapes.append(
            Shape(
                "polyline", tuple((band.x + band.w * a, band.y + band.h * b) for a, b in pts), ink, width=rect.w * 0.1
            )
        )
    elif mark.kind == "unknown":
        size = band.h * 1.05
        shapes.append(Shape("text", ((band.x + band.w / 2, band.bottom - band.h * 0.08),), ink, text="?", size=size))
    if is_new:
        shapes.append(Shape("polygon", new_triangle(rect), NEW_MARK))
    return tuple(shapes)


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


def level_colors(levels: Iterable[Level]) -> dict[str, str]:
    """One viridis step per level, light (lowest rank) to dark (top level), spread over the ramp."""
    ordered = sorted(levels, key=lambda lv: lv.rank)
    n = len(ordered)
    steps = VIRIDIS_STEPS
    if n == 1:
        return {ordered[0].id: steps[-2]}
    # The darkest step is kept for a sixth level: five levels or fewer stay clear of near-black.
    span = len(steps) - 2 if n < len(steps) else len(steps) - 1
    return {lv.id: steps[min(span, round(i * span / (n - 1)))] for i, lv in enumerate(ordered)}


def level_marks(levels: Iterable[Level]) -> dict[str, Mark]:
    """Pips counting the rank's position, and a check for the top level."""
    ordered = sorted(levels, key=lambda lv: lv.rank)
    marks = {lv.id: Mark("pips", i + 1) for i, lv in enumerate(ordered)}
    if ordered:
        marks[ordered[-1].id] = Mark("check")
    return marks


@dataclass(frozen=True, slots=True)
class _Style:
    key: str
    label: str
    fill: str
    mark: Mark


def _styles(edition: Edition) -> list[_Style]:
    """Legend order: the top level first, then lower levels, then "sans niveau", then "aucune action"."""
    colors = level_colors(edition.levels)
    marks = level_marks(edition.levels)
    styles = [_Style(lv.id, lv.label, colors[lv.id], marks[lv.id]) for lv in reversed(edition.levels)]
    styles.append(_Style(STATE_UNKNOWN, "Niveau non indiqué", UNKNOWN_FILL, Mark("unknown")))
    styles.append(_Style(STATE_EMPTY, "Aucune action", EMPTY_FILL, Mark("none")))
    return styles


def _previously_covered(
    edition: Edition, previous: DossierData | None, previous_edition: Edition | None
) -> set[str] | None:
    """Ids (in ``edition``) of the services the previous dossier covered; a service whose id changed is
    matched by its wording, as the carry-over does."""
    if previous is None:
        return None
    old_ids = {sid for a in previous.actions for sid in a.services}
    found = {sid for sid in old_ids if edition.has_service(sid)}
    if previous_edition is not None:
        old_labels = {
            fold(" ".join(previous_edition.service(s).label.split()))
            for s in old_ids
            if previous_edition.has_service(s)
        }
        found |= {sv.id for sv in edition.services if fold(" ".join(sv.label.split())) in old_labels}
    return found


def _tooltip(sv_label: str, subtheme_title: str, words: str, titles: tuple[str, ...], new_since: str | None) -> str:
    lines = [sv_label, f"Sous-thème : {subtheme_title}", f"Meilleur niveau : {words}"]
    if titles:
        lines.append(f"Action{'s' if len(titles) > 1 else ''} liée{'s' if len(titles) > 1 else ''} :")
        lines += [f"• {t}" for t in titles]
    else:
        lines.append("Aucune action liée.")
    if new_since:
        lines.append(f"Nouveau depuis l'édition {new_since}.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- layout


def compute_layout(
    edition: Edition,
    dossier: DossierData,
    previous: DossierData | None = None,
    previous_edition: Edition | None = None,
) -> MosaicLayout:
    """The picture of ``dossier``; with ``previous`` (a dossier of an earlier edition), services covered
    now but not then are flagged new. Pure and fast: the widget recomputes it on every edit."""
    cov = coverage(edition, dossier)
    styles = {s.key: s for s in _styles(edition)}
    titles = {a.uuid: (a.title.strip() or "(action sans titre)") for a in dossier.actions}
    before = _previously_covered(edition, previous, previous_edition)
    prev_id = (previous_edition.id if previous_edition else previous.edition) if previous is not None else None

    def state_of(sc: ServiceCoverage) -> str:
        if not sc.covered:
            return STATE_EMPTY
        return sc.best_level.id if sc.best_level is not None else STATE_UNKNOWN

    texts: list[TextItem] = []
    y = MARGIN + TITLE_SIZE
    name = " ".join(dossier.profile.name.split())
    title = f"Mosaïque des enjeux — {name}" if name else "Mosaïque des enjeux"
    inner = CANVAS_WIDTH - 2 * MARGIN
    texts.append(TextItem(MARGIN, y, title, TITLE_SIZE, bold=True, max_width=inner))
    y += SUBTITLE_SIZE * LINE + 4
    subtitle = f"Label Territoires, Villes & Villages Internet — édition {edition.id}"
    texts.append(TextItem(MARGIN, y, subtitle, SUBTITLE_SIZE, color=MUTED_TEXT, max_width=inner))
    y += SUBTITLE_SIZE * LINE
    new_total = 0
    if before is not None:
        new_total = sum(
            1 for t in cov.themes for st in t.subthemes for s in st.services if s.covered and s.service_id not in before
        )
    summary = (
        f"{cov.covered} service{'s' if cov.covered > 1 else ''} couvert{'s' if cov.covered > 1 else ''} sur {cov.total}"
    )
    if before is not None:
        summary += f" — {new_total} nouveau{'x' if new_total > 1 else ''} depuis l'édition {prev_id}"
    texts.append(TextItem(MARGIN, y, summary, SUBTITLE_SIZE, bold=True, max_width=inner))
    y += 14

    columns = 2 if len(cov.themes) > 1 else 1
    col_w = (inner - GUTTER * (columns - 1)) / columns
    content_w = col_w - 2 * PAD
    per_row = max(1, int((content_w + CELL_GAP) // (CELL + CELL_GAP)))
    figure_w = text_width("000 / 000", BLOCK_SIZE, True) + 8

    cells: list[Cell] = []
    blocks: list[Block] = []
    quadrants: list[Quadrant] = []
    index = 0
    top = y
    theme_rows = [cov.themes[i : i + columns] for i in range(0, len(cov.themes), columns)]
    for row_themes in theme_rows:
        # Lay out each quadrant of the row from the top, then give the row its tallest height.
        built: list[tuple[int, float, list[TextItem], list[Block], int]] = []
        for col, tc in enumerate(row_themes):
            x0 = MARGIN + col * (col_w + GUTTER)
            cx = x0 + PAD
            qy = top + PAD
            q_texts: list[TextItem] = []
            t_lines = wrap(tc.title, THEME_SIZE, content_w - figure_w * 1.3, bold=True)
            for line in t_lines:
                qy += THEME_SIZE
                q_texts.append(TextItem(cx, qy, line, THEME_SIZE, bold=True, max_width=content_w - figure_w * 1.3))
                qy += THEME_SIZE * (LINE - 1)
            q_texts.append(
                TextItem(cx + content_w, top + PAD + THEME_SIZE, f"{tc.covered} / {tc.total}", THEME_SIZE, True, "end")
            )
            qy += 8
            theme_new = 0
            q_blocks: list[Block] = []
            for stc in tc.subthemes:
                st = edition.subtheme(stc.subtheme_id)
                by = qy
                b_texts: list[TextItem] = []
                ty = by + 6
                for line in wrap(st.title, BLOCK_SIZE, content_w - 12 - figure_w):
                    ty += BLOCK_SIZE
                    b_texts.append(TextItem(cx + 6, ty, line, BLOCK_SIZE, max_width=content_w - 12 - figure_w))
                    ty += BLOCK_SIZE * (LINE - 1)
                b_texts.append(
                    TextItem(
                        cx + content_w - 6, by + 6 + BLOCK_SIZE, f"{stc.covered} / {stc.total}", BLOCK_SIZE, True, "end"
                    )
                )
                gy = ty + 6
                block_new = 0
                counts: dict[str, int] = dict.fromkeys(styles, 0)
                for i, sc in enumerate(stc.services):
                    r, c = divmod(i, per_row)
                    rect = Rect(cx + 6 + c * (CELL + CELL_GAP), gy + r * (CELL + CELL_GAP), CELL, CELL)
                    key = state_of(sc)
                    counts[key] += 1
                    style = styles[key]
                    is_new = before is not None and sc.covered and sc.service_id not in before
                    block_new += is_new
                    action_titles = tuple(titles[u] for u in sc.action_uuids if u in titles)
                    cells.append(
                        Cell(
                            service_id=sc.service_id,
                            subtheme_id=stc.subtheme_id,
                            theme_id=tc.theme_id,
                            rect=rect,
                            state=sc.best_level.id if sc.best_level is not None else None,
                            covered=sc.covered,
                            state_key=key,
                            state_label=style.label,
                            fill=style.fill,
                            ink=ink_for(style.fill),
                            mark=style.mark,
                            label=sc.label,
                            action_titles=action_titles,
                            is_new=is_new,
                            tooltip=_tooltip(
                                sc.label, st.title, style.label, action_titles, prev_id if is_new else None
                            ),
                            index=index,
                        )
                    )
                    index += 1
                rows = max(1, -(-len(stc.services) // per_row))
                bh = gy + rows * (CELL + CELL_GAP) - CELL_GAP + 6 - by
                theme_new += block_new
                q_blocks.append(
                    Block(
                        subtheme_id=stc.subtheme_id,
                        theme_id=tc.theme_id,
                        title=st.title,
                        rect=Rect(cx, by, content_w, bh),
                        covered=stc.covered,
                        total=stc.total,
                        new=block_new,
                        level_counts=tuple((s.key, s.label, counts[s.key]) for s in styles.values()),
                        texts=tuple(b_texts),
                    )
                )
                qy = by + bh + 8
            built.append((col, qy - 8 + PAD, q_texts, q_blocks, theme_new))
        row_bottom = max(b[1] for b in built)
        for (col, _bottom, q_texts, q_blocks, theme_new), tc in zip(built, row_themes, strict=True):
            x0 = MARGIN + col * (col_w + GUTTER)
            quadrants.append(
                Quadrant(
                    theme_id=tc.theme_id,
                    title=tc.title,
                    rect=Rect(x0, top, col_w, row_bottom - top),
                    covered=tc.covered,
                    total=tc.total,
                    new=theme_new,
                    column=col,
                    texts=tuple(q_texts),
                )
            )
            blocks.extend(q_blocks)
        top = row_bottom + GUTTER

    # Legend: swatches with their marks and words, wrapped over as many lines as needed.
    legend: list[LegendEntry] = []
    ly = top
    legend_title_w = text_width("Légende :", LEGEND_SIZE, True) * SLACK
    texts.append(TextItem(MARGIN, ly + LEGEND_SIZE, "Légende :", LEGEND_SIZE, bold=True, max_width=legend_title_w))
    lx = MARGIN + legend_title_w + 10
    start_x = lx
    entries = [(s.key, s.label, s.fill, s.mark, False) for s in styles.values()]
    if before is not None:
        entries.append(("nouveau", f"Nouveau depuis l'édition {prev_id}", EMPTY_FILL, Mark("none"), True))
    sw = 20.0
    for key, label, fill, mark, is_new in entries:
        label_w = text_width(label, LEGEND_SIZE) * SLACK
        w = sw + 6 + label_w + 16
        if lx + w > CANVAS_WIDTH - MARGIN and lx > start_x:
            lx = start_x
            ly += sw + 8
        swatch = Rect(lx, ly - 3, sw, sw)
        legend.append(
            LegendEntry(
                key=key,
                label=label,
                swatch=swatch,
                fill=fill,
                ink=ink_for(fill),
                mark=mark,
                is_new=is_new,
                text=TextItem(lx + sw + 6, ly + LEGEND_SIZE, label, LEGEND_SIZE, max_width=label_w),
            )
        )
        lx += w
    ly += sw + 10
    note = (
        "Chaque case est un service du questionnaire ; sa couleur et sa marque disent le meilleur niveau "
        "de réalisation des actions qui lui sont liées. Les chiffres « couverts / total » comptent les services "
        "ayant au moins une action."
    )
    for line in wrap(note, LEGEND_SIZE - 1, inner):
        ly += LEGEND_SIZE - 1
        texts.append(TextItem(MARGIN, ly, line, LEGEND_SIZE - 1, color=MUTED_TEXT, max_width=inner))
        ly += (LEGEND_SIZE - 1) * (LINE - 1)
    height = ly + MARGIN

    return MosaicLayout(
        width=CANVAS_WIDTH,
        height=height,
        edition_id=edition.id,
        title=title,
        covered=cov.covered,
        total=cov.total,
        cells=tuple(cells),
        blocks=tuple(blocks),
        quadrants=tuple(quadrants),
        legend=tuple(legend),
        texts=tuple(texts),
        previous_edition_id=prev_id,
        new_count=new_total,
    )
