"""The actions page and its fiche fit the small screens of town halls: 1366×768 and 1280×720 (the default)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import complete_dossier
from tests.ui.helpers import WindowFactory
from ui.qt import QAbstractScrollArea, QLabel, QWidget

SIZES = [(1366, 768), (1280, 720)]


def sideways(page: QWidget) -> list[str]:
    """The scroll areas of the page that show a horizontal scroll bar."""
    shown = [a for a in page.findChildren(QAbstractScrollArea) if a.isVisible()]
    return [a.accessibleName() or type(a).__name__ for a in shown if a.horizontalScrollBar().isVisible()]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_actions_page_has_no_horizontal_scroll_bar(
    qtbot: QtBot, make_window: WindowFactory, ws: Workspace, edition: Edition, width: int, height: int
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=3)))
    window = make_window(ws)
    window.resize(width, height)
    uuid = window.controller.dossier.actions[0].uuid
    window.view.navigate(f"action:{uuid}")
    page = window.view.actions_page
    qtbot.waitUntil(lambda: page.editor.scroll.isVisible())
    qtbot.wait(50)  # layouts settle

    assert window.width() <= width and window.height() <= height  # the window itself fits the screen
    assert sideways(page) == []
    for sizes in ([1, 10_000], [10_000, 1]):  # the splitter pushed to either end: the fiche still fits
        page.splitter.setSizes(sizes)
        qtbot.wait(50)
        assert sideways(page) == [], sizes
    page.splitter.setSizes([400, 600])
    qtbot.wait(50)

    cut = [
        label.text()
        for label in page.editor.form.findChildren(QLabel)
        if label.isVisible() and label.text() and not label.wordWrap() and label.width() < label.sizeHint().width()
    ]
    assert cut == []  # no label of the fiche is cut
    tree = page.editor.services.tree
    rows = tree.height() // max(1, tree.sizeHintForRow(0))
    assert rows >= 8 and tree.width() >= 40 * tree.fontMetrics().averageCharWidth()  # a usable services picker
