"""The Qt painter of the mosaïque, and the widget that shows it scaled to its space.

It draws a ``MosaicLayout`` (plain data from ``app.mosaic_layout``) exactly as the SVG and reportlab
painters do: positions, colours and marks all come from the layout. The static picture is cached in a
pixmap at the widget's size and device pixel ratio, so a paint is a blit plus the focus ring; the
cache is dropped only when the layout or the size changes.

Keyboard: the arrow keys move the current cell (left/right in reading order, up/down on screen),
Début/Fin go to the first/last service, Entrée or Espace activate it, like a click. The widget's
accessible name follows the current cell, for screen readers; a table of the same figures is on the
page beside it.
"""

from __future__ import annotations

import html

from app.mosaic_shapes import Cell, MosaicLayout, Rect, Shape, TextItem
from app.mosaic_style import BACKGROUND, BLOCK_BORDER, BLOCK_FILL, CELL_BORDER, QUADRANT_BORDER, QUADRANT_FILL
from ui.qt import (
    QAccessible,
    QAccessibleEvent,
    QBrush,
    QColor,
    QEvent,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPointF,
    QPolygonF,
    QRectF,
    QResizeEvent,
    QSize,
    QSizePolicy,
    Qt,
    QToolTip,
    QWidget,
    Signal,
)

FOCUS_COLOR = "#000000"
FOCUS_HALO = "#FFFFFF"
_KEYS = {
    Qt.Key.Key_Left: "left",
    Qt.Key.Key_Right: "right",
    Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down",
    Qt.Key.Key_Home: "home",
    Qt.Key.Key_End: "end",
}
_ACTIVATE = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_Select)


# ------------------------------------------------------------------------------------------ painter


def _qrect(r: Rect) -> QRectF:
    return QRectF(r.x, r.y, r.w, r.h)


def _draw_text(painter: QPainter, base: QFont, t: TextItem) -> None:
    font = QFont(base)
    dpi = painter.device().logicalDpiY() or 96
    font.setPointSizeF(t.size * 72.0 / dpi)  # t.size layout units high, whatever the device's dpi
    font.setBold(t.bold)
    painter.setFont(font)
    painter.setPen(QColor(t.color))
    advance = QFontMetricsF(font, painter.device()).horizontalAdvance(t.text)
    squeeze = t.max_width / advance if t.max_width and advance > t.max_width else 1.0
    width = advance * squeeze
    x = t.x - (width / 2 if t.anchor == "middle" else width if t.anchor == "end" else 0.0)
    painter.save()
    painter.translate(x, t.y)
    painter.scale(squeeze, 1.0)
    painter.drawText(QPointF(0.0, 0.0), t.text)
    painter.restore()


def _draw_shape(painter: QPainter, base: QFont, s: Shape) -> None:
    color = QColor(s.color)
    if s.kind == "circle":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        (x, y) = s.points[0]
        painter.drawEllipse(QPointF(x, y), s.radius, s.radius)
    elif s.kind == "polyline":
        pen = QPen(color, s.width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in s.points]))
    elif s.kind == "polygon":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in s.points]))
    else:
        (x, y) = s.points[0]
        _draw_text(painter, base, TextItem(x, y, s.text, s.size, bold=True, anchor="middle", color=s.color))


def _draw_box(painter: QPainter, r: Rect, fill: str, stroke: str, width: float) -> None:
    painter.setPen(QPen(QColor(stroke), width))
    painter.setBrush(QBrush(QColor(fill)))
    painter.drawRect(_qrect(r))


def paint_layout(painter: QPainter, layout: MosaicLayout, font: QFont) -> None:
    """Draw the whole picture in layout units (the caller sets the painter's scale)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(QRectF(0, 0, layout.width, layout.height), QColor(BACKGROUND))
    for q in layout.quadrants:
        _draw_box(painter, q.rect, QUADRANT_FILL, QUADRANT_BORDER, 1.0)
        for t in q.texts:
            _draw_text(painter, font, t)
    for b in layout.blocks:
        _draw_box(painter, b.rect, BLOCK_FILL, BLOCK_BORDER, 0.8)
        for t in b.texts:
            _draw_text(painter, font, t)
    for c in layout.cells:
        _draw_box(painter, c.rect, c.fill, CELL_BORDER, 1.0)
        for s in c.shapes:
            _draw_shape(painter, font, s)
    for e in layout.legend:
        _draw_box(painter, e.swatch, e.fill, CELL_BORDER, 1.0)
        for s in e.shapes:
            _draw_shape(painter, font, s)
        _draw_text(painter, font, e.text)
    for t in layout.texts:
        _draw_text(painter, font, t)


def render_image(layout: MosaicLayout, width_px: int, font: QFont) -> QImage:
    """The picture as an image ``width_px`` wide (for the PNG export); safe on any thread."""
    height_px = max(1, round(width_px * layout.aspect))
    image = QImage(width_px, height_px, QImage.Format.Format_RGB32)
    image.fill(QColor(BACKGROUND))
    painter = QPainter(image)
    try:
        painter.scale(width_px / layout.width, height_px / layout.height)
        paint_layout(painter, layout, font)
    finally:
        painter.end()
    return image


def tooltip_html(text: str) -> str:
    """Plain tooltip text made safe for QToolTip, which would otherwise guess rich text."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br/>") + "</p>"


# ------------------------------------------------------------------------------------------- widget


class MosaicWidget(QWidget):
    """Shows a layout scaled to fit (aspect kept, centred); emits ``service_activated`` on click/Entrée."""

    service_activated = Signal(str)  # service id
    current_changed = Signal(str)  # service id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout: MosaicLayout | None = None
        self._current: str | None = None
        self._pressed: str | None = None
        self._cache: QPixmap | None = None
        self.setObjectName("mosaicWidget")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Mosaïque des enjeux")
        self.setAccessibleDescription(
            "Une case par service. Flèches : changer de service ; Entrée : ouvrir le sous-thème du service. "
            "Les mêmes chiffres sont dans l'onglet Tableau des chiffres."
        )

    # ------------------------------------------------------------------ data

    @property
    def mosaic(self) -> MosaicLayout | None:
        return self._layout

    def set_mosaic(self, layout: MosaicLayout) -> None:
        """Show a new layout; the current cell stays on the same service."""
        self._layout = layout
        self._cache = None
        ids = {c.service_id for c in layout.cells}
        if self._current not in ids:
            self._current = layout.cells[0].service_id if layout.cells else None
        self._announce()
        self.update()

    def current_service(self) -> str | None:
        return self._current

    def set_current_service(self, service_id: str) -> None:
        if self._layout is None or service_id == self._current:
            return
        self._layout.cell(service_id)  # KeyError for an unknown id
        self._current = service_id
        self._announce()
        self.update()
        self.current_changed.emit(service_id)

    # ------------------------------------------------------------------ geometry

    def _transform(self) -> tuple[float, float, float]:
        """Scale and offsets from layout units to widget pixels (fit inside, centred)."""
        if self._layout is None or self.width() <= 0 or self.height() <= 0:
            return (1.0, 0.0, 0.0)
        lay = self._layout
        scale = min(self.width() / lay.width, self.height() / lay.height)
        return (scale, (self.width() - lay.width * scale) / 2, (self.height() - lay.height * scale) / 2)

    def to_widget(self, x: float, y: float) -> QPointF:
        """A point of the layout, in widget coordinates."""
        s, ox, oy = self._transform()
        return QPointF(ox + x * s, oy + y * s)

    def cell_at(self, pos: QPointF) -> Cell | None:
        if self._layout is None:
            return None
        s, ox, oy = self._transform()
        return self._layout.cell_at((pos.x() - ox) / s, (pos.y() - oy) / s)

    def hasHeightForWidth(self) -> bool:
        return self._layout is not None

    def heightForWidth(self, width: int) -> int:
        return round(width * self._layout.aspect) if self._layout else width

    def sizeHint(self) -> QSize:
        width = self.fontMetrics().averageCharWidth() * 110
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        width = self.fontMetrics().averageCharWidth() * 40
        return QSize(width, self.heightForWidth(width))

    # ------------------------------------------------------------------ painting

    def _picture(self) -> QPixmap:
        ratio = self.devicePixelRatioF()
        if self._cache is None or self._cache.size() != self.size() * ratio:
            pixmap = QPixmap(self.size() * ratio)
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(self.palette().color(self.backgroundRole()))
            if self._layout is not None:
                painter = QPainter(pixmap)
                s, ox, oy = self._transform()
                painter.translate(ox, oy)
                painter.scale(s, s)
                paint_layout(painter, self._layout, self.font())
                painter.end()
            self._cache = pixmap
        return self._cache

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._picture())
        if self._layout is not None and self._current is not None and self.hasFocus():
            s, ox, oy = self._transform()
            r = self._layout.cell(self._current).rect
            ring = QRectF(ox + r.x * s, oy + r.y * s, r.w * s, r.h * s)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(FOCUS_HALO), 5))
            painter.drawRect(ring.adjusted(-3, -3, 3, 3))
            painter.setPen(QPen(QColor(FOCUS_COLOR), 2.5))
            painter.drawRect(ring.adjusted(-3, -3, 3, 3))
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._cache = None
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange, QEvent.Type.DevicePixelRatioChange):
            self._cache = None
            self.update()
        super().changeEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        self._announce()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    # ------------------------------------------------------------------ input

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if self._layout is not None and self._current is not None:
            if key in _KEYS:
                self.set_current_service(self._layout.neighbour(self._current, _KEYS[key]))
                event.accept()
                return
            if key in _ACTIVATE:
                self.service_activated.emit(self._current)
                event.accept()
                return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position()) if event.button() == Qt.MouseButton.LeftButton else None
        self._pressed = cell.service_id if cell else None
        if cell is not None:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.set_current_service(cell.service_id)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position()) if event.button() == Qt.MouseButton.LeftButton else None
        pressed, self._pressed = self._pressed, None
        if cell is not None and cell.service_id == pressed:
            self.service_activated.emit(cell.service_id)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            cell = self.cell_at(QPointF(event.pos()))
            if cell is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), tooltip_html(cell.tooltip), self)
            return True
        return super().event(event)

    # ------------------------------------------------------------------ accessibility

    def spoken(self, cell: Cell) -> str:
        """What a screen reader says for a cell."""
        count = len(cell.action_titles)
        actions = f"{count} action{'s' if count > 1 else ''}" if count else "aucune action"
        new = f", nouveau depuis l'édition {self._layout.previous_edition_id}" if cell.is_new and self._layout else ""
        return f"{cell.label} — {cell.state_label}, {actions}{new}"

    def _announce(self) -> None:
        if self._layout is None or self._current is None:
            return
        name = f"Mosaïque des enjeux : {self.spoken(self._layout.cell(self._current))}"
        if name != self.accessibleName():
            self.setAccessibleName(name)
            if self.hasFocus():
                QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.NameChanged))
