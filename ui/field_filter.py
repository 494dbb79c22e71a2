"""One application-wide event filter for how fields behave, whatever page or dialog they are on.

* **The mouse wheel scrolls the page**; it changes a combo box, spin box or date field only once that
  field has the focus. One wheel notch over "Type de collectivité" must not turn a commune into an
  intercommunality while the secretary scrolls the form. An unfocused field hands the wheel to the
  nearest scroll area around it, so the page still scrolls, and its value stays. Such fields no
  longer take the focus from the wheel either (``WheelFocus`` → ``StrongFocus``): a click or Tab does.
* **A read-only text field looks read-only**: its background takes the window's colour instead of the
  white of a field one can type in (Qt draws both alike). It follows ``setReadOnly`` (Qt's
  ``ReadOnlyChange`` event), so a page only says read-only once, as it already does.

Installed once on the application (``install_field_filter``), not per page: dialogs are covered too.
The program installs it once the window shows the dossier (``ui.application.run``): the thousands of
events of building the window then cost no Python call each, and the fields already there are brought
in line at install (``_polish``), as their Polish event would have.
"""

from __future__ import annotations

from ui.qt import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QEvent,
    QLineEdit,
    QObject,
    QPalette,
    QPlainTextEdit,
    Qt,
    QTextEdit,
    QWidget,
    is_alive,
)

FILTER_ATTRIBUTE = "_arobase_field_filter"
GUARDED = (QComboBox, QAbstractSpinBox)  # QDateEdit, QTimeEdit and QDoubleSpinBox are spin boxes
TEXT_FIELDS = (QLineEdit, QPlainTextEdit, QTextEdit)
_WHEEL, _POLISH, _READ_ONLY = QEvent.Type.Wheel, QEvent.Type.Polish, QEvent.Type.ReadOnlyChange


class FieldFilter(QObject):
    """The application's event filter; see :func:`install_field_filter`."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == _WHEEL:
            field = _guarded_field(watched)
            if field is not None and not _has_focus(field):
                area = _scroll_area_around(field)
                if area is not None:
                    QApplication.sendEvent(area.viewport(), event)
                return True  # the field never sees it
        elif kind == _POLISH:
            _polish(watched)
        elif kind == _READ_ONLY and isinstance(watched, TEXT_FIELDS):
            show_read_only(watched, watched.isReadOnly())
        return False


def install_field_filter(app: QApplication) -> FieldFilter:
    """Install the filter on ``app`` unless it already is (the filter is the application's child, and
    remembered on it: ``findChild`` would wrap each of its children, 1.5 ms)."""
    existing: FieldFilter | None = getattr(app, FILTER_ATTRIBUTE, None)
    if existing is not None and is_alive(existing) and existing.parent() is app:
        return existing
    guard = FieldFilter(app)
    app.installEventFilter(guard)
    setattr(app, FILTER_ATTRIBUTE, guard)
    for top in app.topLevelWidgets():  # the fields only (found in C++), not a wrapper for each widget
        for field in (top, *(f for kind in (*GUARDED, *TEXT_FIELDS) for f in top.findChildren(kind))):
            _polish(field)
    return guard


def _polish(watched: QObject) -> None:
    """What a field's Polish event does: no focus from the wheel; a read-only text field looks read-only."""
    if isinstance(watched, GUARDED) and watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    if isinstance(watched, TEXT_FIELDS) and watched.isReadOnly():
        show_read_only(watched, True)


def show_read_only(field: QWidget, read_only: bool) -> None:
    """Paint the field's background as the window (read-only) or as a field to type in."""
    base = QApplication.palette(field).brush(QPalette.ColorRole.Window if read_only else QPalette.ColorRole.Base)
    palette = field.palette()
    if palette.brush(QPalette.ColorRole.Base) != base:
        palette.setBrush(QPalette.ColorRole.Base, base)
        field.setPalette(palette)


def _guarded_field(watched: QObject) -> QWidget | None:
    """The combo or spin box the wheel is over: itself, or the one around its line edit."""
    if isinstance(watched, GUARDED):
        return watched
    parent = watched.parent() if isinstance(watched, QWidget) else None
    return parent if isinstance(parent, GUARDED) else None


def _has_focus(field: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and (focused is field or field.isAncestorOf(focused))


def _scroll_area_around(field: QWidget) -> QAbstractScrollArea | None:
    parent = field.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None
