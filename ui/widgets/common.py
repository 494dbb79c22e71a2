"""Small builders shared by pages and dialogs: plain-text labels, tab order, button rows, checkable lists."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence

from ui.qt import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStandardItemModel,
    Qt,
    QTreeView,
    QVBoxLayout,
    QWidget,
)


def plain_label(parent: QWidget, accessible_name: str = "", text: str = "") -> QLabel:
    """A wrapping label that shows user text as text, never as rich text."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if accessible_name:
        label.setAccessibleName(accessible_name)
    return label


HEADING_SCALE = 1.5  # Qt's <h2> is x-large: 1.5 times the text
HEADING_MARGINS_PX = (8, 6)  # above, below: about Qt's <h2> block margins


def page_heading(parent: QWidget, title: str) -> QLabel:
    """A page's title, in plain text set large and bold (as Qt draws ``<h2>``): no markup to escape."""
    heading = QLabel(title, parent)
    heading.setTextFormat(Qt.TextFormat.PlainText)
    font = heading.font()
    font.setPointSizeF(font.pointSizeF() * HEADING_SCALE)
    font.setBold(True)
    heading.setFont(font)
    heading.setContentsMargins(0, HEADING_MARGINS_PX[0], 0, HEADING_MARGINS_PX[1])
    heading.setAccessibleName(title)
    return heading


def framed_note(parent: QWidget, text: str) -> QLabel:
    """A framed sentence, hidden until the page shows it (« Ce dossier est validé… » on a frozen dossier)."""
    note = plain_label(parent, text=text)
    note.setFrameShape(QFrame.Shape.StyledPanel)
    note.setVisible(False)
    return note


def scrolling_column(page: QWidget, widgets: Iterable[QWidget], name: str, max_width: int = 900) -> QScrollArea:
    """A form page's content in one column, at most ``max_width`` wide so that lines stay readable, scrolled
    when the window is short (1366×768 with a task bar); the scroll area fills ``page``."""
    content = QWidget(page)
    content.setMaximumWidth(max_width)
    column = QVBoxLayout(content)
    for widget in widgets:
        column.addWidget(widget)
    column.addStretch(1)
    scroll = QScrollArea(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    scroll.setAccessibleName(name)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(scroll)
    return scroll


def chain_tab_order(widgets: Iterable[QWidget]) -> None:
    """Tab goes from each widget to the next, in reading order."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def button_row(*buttons: QWidget) -> QHBoxLayout:
    """Buttons side by side from the left, the rest of the row empty (under a list: add, open, remove)."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


def checklist_tree(
    parent: QWidget,
    *,
    columns: Sequence[str],
    object_name: str,
    accessible_name: str,
    description: str,
    buddy_of: QLabel,
    on_item_changed: Callable[[], object],
) -> tuple[QTreeView, QStandardItemModel]:
    """The view and its model; Space toggles the current row's check box, the label is its buddy."""
    model = QStandardItemModel(0, len(columns), parent)
    model.setHorizontalHeaderLabels(list(columns))
    view = QTreeView(parent)
    view.setObjectName(object_name)
    view.setAccessibleName(accessible_name)
    view.setAccessibleDescription(description)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
    buddy_of.setBuddy(view)
    model.itemChanged.connect(lambda _item: on_item_changed())
    return view, model
