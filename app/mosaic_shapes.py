"""The mosaïque's picture as plain data: rectangles, cells, blocks, quadrants, legend and texts.

``app.mosaic_layout.compute_layout`` fills them; the painters only read them. Units are abstract: the
canvas is ``CANVAS_WIDTH`` wide, y grows downwards and a text's ``y`` is its baseline. Colour is never the
only carrier: each state also has a mark (none, "?", 1 or 2 pips…, a check for the top level) drawn in
the lower band of the cell, and a new service has a corner triangle (``mark_shapes``).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.mosaic_style import NEW_MARK, TEXT

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
