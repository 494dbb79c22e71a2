"""The reportlab painter of the mosaïque: the same ``MosaicLayout`` as the Qt widget and the SVG file.

Used by the printed dossier (a ``Drawing`` is a flowable) and by the command line's PNG export. It
only places what the layout gives; colours, marks and positions are decided in ``app.mosaic_layout``.
Texts are reportlab ``String`` shapes: plain text, never markup.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, PolyLine, Rect, String
from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.atomic import write_atomically
from app.errors import ArobaseError
from app.mosaic_shapes import MosaicLayout, Shape, TextItem
from app.mosaic_shapes import Rect as LRect
from app.mosaic_style import BACKGROUND, BLOCK_BORDER, BLOCK_FILL, CELL_BORDER, QUADRANT_BORDER, QUADRANT_FILL

FONT = "Helvetica"
BOLD_FONT = "Helvetica-Bold"


class MosaicPngError(ArobaseError):
    """The PNG renderer of reportlab is not installed."""


def build_drawing(
    layout: MosaicLayout, width: float, *, font_name: str = FONT, bold_font_name: str = BOLD_FONT
) -> Drawing:
    """A Drawing ``width`` points wide, as high as the layout's aspect ratio asks.

    ``font_name``/``bold_font_name`` let the PDF pass registered TrueType fonts for full Unicode."""
    scale = width / layout.width
    height = layout.height * scale
    d = Drawing(width, height)
    painter = _Painter(scale, height, font_name, bold_font_name)
    d.add(Rect(0, 0, width, height, fillColor=HexColor(BACKGROUND), strokeColor=None))
    for q in layout.quadrants:
        d.add(painter.rect(q.rect, QUADRANT_FILL, QUADRANT_BORDER, 1.0))
        for t in q.texts:
            d.add(painter.text(t))
    for b in layout.blocks:
        d.add(painter.rect(b.rect, BLOCK_FILL, BLOCK_BORDER, 0.8))
        for t in b.texts:
            d.add(painter.text(t))
    cells = Group()
    for c in layout.cells:
        cells.add(painter.cell(c.rect, c.fill, c.shapes))
    d.add(cells, name="cells")
    for e in layout.legend:
        d.add(painter.cell(e.swatch, e.fill, e.shapes))
        d.add(painter.text(e.text))
    for t in layout.texts:
        d.add(painter.text(t))
    return d


def cell_count(drawing: Drawing) -> int:
    """How many service cells a drawing holds (one Group per cell in the "cells" group)."""
    return len(drawing.cells.contents)  # type: ignore[attr-defined]


class _Painter:
    """Layout units (y down) to reportlab points (y up)."""

    def __init__(self, scale: float, height: float, font: str, bold: str) -> None:
        self.s = scale
        self.h = height
        self.font = font
        self.bold = bold

    def pt(self, x: float, y: float) -> tuple[float, float]:
        return (x * self.s, self.h - y * self.s)

    def rect(self, r: LRect, fill: str, stroke: str, stroke_width: float) -> Rect:
        x, y = self.pt(r.x, r.bottom)
        return Rect(
            x,
            y,
            r.w * self.s,
            r.h * self.s,
            fillColor=HexColor(fill),
            strokeColor=HexColor(stroke),
            strokeWidth=stroke_width * self.s,
        )

    def cell(self, r: LRect, fill: str, shapes: tuple[Shape, ...]) -> Group:
        g = Group(self.rect(r, fill, CELL_BORDER, 1.0))
        for shape in shapes:
            g.add(self.shape(shape))
        return g

    def shape(self, shape: Shape) -> Circle | PolyLine | Polygon | String:
        color = HexColor(shape.color)
        if shape.kind == "circle":
            x, y = self.pt(*shape.points[0])
            return Circle(x, y, shape.radius * self.s, fillColor=color, strokeColor=None)
        flat = [v for p in shape.points for v in self.pt(*p)]
        if shape.kind == "polyline":
            return PolyLine(
                flat, strokeColor=color, strokeWidth=shape.width * self.s, strokeLineCap=1, strokeLineJoin=1
            )
        if shape.kind == "polygon":
            return Polygon(flat, fillColor=color, strokeColor=None)
        x, y = self.pt(*shape.points[0])
        return String(
            x, y, shape.text, fontName=self.bold, fontSize=shape.size * self.s, fillColor=color, textAnchor="middle"
        )

    def text(self, t: TextItem) -> String:
        font = self.bold if t.bold else self.font
        size = t.size * self.s
        if t.max_width:
            natural = stringWidth(t.text, font, size)
            if natural > t.max_width * self.s:
                size *= t.max_width * self.s / natural
        x, y = self.pt(t.x, t.y)
        return String(x, y, t.text, fontName=font, fontSize=size, fillColor=HexColor(t.color), textAnchor=t.anchor)


def png_bytes(layout: MosaicLayout, width_px: int) -> bytes:
    """The picture as PNG bytes, ``width_px`` wide, through reportlab's renderPM (backend ``rlPyCairo``)."""
    try:
        from reportlab.graphics import renderPM

        renderPM._getPMBackend()
    except Exception:
        raise MosaicPngError(
            "L'export PNG en ligne de commande demande le module rlPyCairo (pip install rlPyCairo) ; "
            "exportez en SVG, ou en PNG depuis la fenêtre d'Arobase."
        ) from None
    return bytes(renderPM.drawToString(build_drawing(layout, float(width_px)), fmt="PNG", dpi=72))


def write_png(layout: MosaicLayout, path: Path, width_px: int) -> None:
    """Write atomically (a temporary file renamed over the target): never a half-written image."""
    write_atomically(path, png_bytes(layout, width_px), prefix=".mosaique-", suffix=".png")
