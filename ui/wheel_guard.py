"""The mouse wheel scrolls the page; it changes a combo box, spin box or date field only once it has focus.

One wheel notch over "Type de collectivité" must not turn a commune into an intercommunality while the
secretary scrolls the form. One event filter on the application (installed once, whatever the number
of windows or dialogs) does it for every such field: an unfocused field hands the wheel to the nearest
scroll area around it, so the page still scrolls, and the value stays as it was. Such fields no longer
take the focus from the wheel either (``WheelFocus`` → ``StrongFocus``): a click or Tab focuses them.
"""

from __future__ import annotations

from ui.qt import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QEvent, QObject, Qt, QWidget

GUARDED = (QComboBox, QAbstractSpinBox)  # QDateEdit, QTimeEdit and QDoubleSpinBox are spin boxes
_WHEEL, _POLISH = QEvent.Type.Wheel, QEvent.Type.Polish


class WheelGuard(QObject):
    """The application's event filter; see :func:`install_wheel_guard`."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == _WHEEL:
            field = _guarded_field(watched)
            if field is not None and not _has_focus(field):
                area = _scroll_area_around(field)
                if area is not None:
                    QApplication.sendEvent(area.viewport(), event)
                return True  # the field never sees it
        elif kind == _POLISH and isinstance(watched, GUARDED):
            policy = watched.focusPolicy()
            if policy == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Install the guard on ``app`` unless it already is (the guard is the application's child)."""
    existing = app.findChild(WheelGuard)
    if existing is not None:
        return existing
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    return guard


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
