"""Fields on every page: the wheel scrolls the page, not unfocused values; read-only looks so; focus shows."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import complete_dossier
from tests.ui.helpers import WindowFactory, wait_idle
from ui.application import build_main_window
from ui.field_filter import FieldFilter, install_field_filter
from ui.main_window import MainWindow
from ui.qt import QApplication, QComboBox, QPalette, QPoint, QPointF, QScrollArea, Qt, QWheelEvent, QWidget


def wheel_down(widget: QWidget, notches: int = 3) -> None:
    """Real wheel events, as the mouse sends them over the middle of ``widget``."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    for _ in range(notches):
        event = QWheelEvent(
            centre,
            QPointF(widget.mapToGlobal(centre)),
            QPoint(0, 0),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(widget, event)


def small_window(qtbot: QtBot, make_window: WindowFactory, ws: Workspace, edition: Edition) -> MainWindow:
    ws.import_document(to_document(complete_dossier(edition, n_actions=2)))
    window = make_window(ws)
    window.resize(1000, 520)  # short enough for every page to scroll
    qtbot.wait(10)
    return window


def check_guarded(qtbot: QtBot, window: MainWindow, combo: QComboBox, scroll: QScrollArea) -> None:
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus  # a wheel over it does not give it the focus
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    bar = scroll.verticalScrollBar()
    bar.setValue(0)
    window.view.navigation.view.setFocus()
    before = combo.currentIndex()

    wheel_down(combo)

    assert combo.currentIndex() == before
    assert bar.value() > 0  # the page scrolled instead
    assert not window.controller.has_pending()
    wait_idle(qtbot, window.runner)

    combo.setFocus()  # once chosen (click or Tab), the wheel changes it as usual
    qtbot.waitUntil(combo.hasFocus)
    wheel_down(combo, 1)
    assert combo.currentIndex() != before


def test_wheel_over_the_profile_type_scrolls_and_keeps_the_commune(
    qtbot: QtBot, make_window: WindowFactory, ws: Workspace, edition: Edition
) -> None:
    window = small_window(qtbot, make_window, ws, edition)
    window.view.navigate("profile")
    page = window.view.profile_page
    check_guarded(qtbot, window, page.kind_combo, page.scroll)
    window.controller.save_pending()
    wait_idle(qtbot, window.runner)


def test_wheel_over_the_fiche_scrolls_and_keeps_who_delivers_it(
    qtbot: QtBot, make_window: WindowFactory, ws: Workspace, edition: Edition
) -> None:
    window = small_window(qtbot, make_window, ws, edition)
    uuid = window.controller.dossier.actions[0].uuid
    window.view.navigate(f"action:{uuid}")
    editor = window.view.actions_page.editor
    before = window.controller.action(uuid)
    for combo in (editor.delivered_combo, editor.level_combo):
        window.view.navigation.view.setFocus()
        editor.scroll.verticalScrollBar().setValue(0)
        wheel_down(combo)
        assert window.controller.action(uuid) == before
        assert editor.scroll.verticalScrollBar().value() > 0
    assert not window.controller.has_pending()
    assert ws.load(edition.id).action(uuid) == before
    check_guarded(qtbot, window, editor.delivered_combo, editor.scroll)
    window.controller.save_pending()
    wait_idle(qtbot, window.runner)


def base_colour(widget: QWidget) -> str:
    return widget.palette().color(QPalette.ColorRole.Base).name()


def test_text_fields_of_a_validated_dossier_look_read_only(
    qtbot: QtBot, make_window: WindowFactory, ws: Workspace, edition: Edition
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=1)))
    ws.validate(edition.id)
    window = make_window(ws)
    app_palette = QApplication.palette()
    grey, white = app_palette.color(QPalette.ColorRole.Window).name(), app_palette.color(QPalette.ColorRole.Base).name()
    assert grey != white
    name = window.view.profile_page.line("name")
    window.view.navigate(f"action:{window.controller.dossier.actions[0].uuid}")
    editor = window.view.actions_page.editor
    fields = [name, editor.title_edit, editor.synthesis_edit, editor.start_edit]
    assert all(f.isReadOnly() for f in fields)
    assert [base_colour(f) for f in fields] == [grey] * len(fields)

    window.controller.reopen()
    wait_idle(qtbot, window.runner)
    assert not any(f.isReadOnly() for f in fields)
    assert [base_colour(f) for f in fields] == [white] * len(fields)


def test_the_navigation_tree_shows_where_the_keyboard_is(
    qtbot: QtBot, make_window: WindowFactory, ws: Workspace
) -> None:
    window = make_window(ws)
    tree = window.view.navigation.view
    highlight = tree.palette().color(QPalette.ColorRole.Highlight)
    window.view.actions_page.search_edit.setFocus()
    qtbot.waitUntil(lambda: not tree.hasFocus())
    unfocused = tree.grab().toImage()
    tree.setFocus()
    qtbot.waitUntil(tree.hasFocus)
    focused = tree.grab().toImage()
    y = focused.height() // 2
    assert focused.pixelColor(0, y) == highlight and focused.pixelColor(1, y) == highlight  # a 2-pixel frame
    assert unfocused.pixelColor(0, y) != highlight


def test_installed_once_the_window_shows_it_brings_the_fields_already_there_in_line(
    qtbot: QtBot, make_window: WindowFactory, ws: Workspace, edition: Edition
) -> None:
    """The program installs the filter once the dossier is on screen (ui.application.run): the fields built
    before get what their Polish event would have given them, and the wheel is guarded from then on."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for old in app.findChildren(FieldFilter):  # installed by an earlier test: start as the program does
        app.removeEventFilter(old)
        old.setParent(None)
    ws.import_document(to_document(complete_dossier(edition, n_actions=1)))
    ws.validate(edition.id)
    window = build_main_window(ws, lambda p: Workspace.open(p, EditionCatalog()), field_filter=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.controller.dossier.actions != ())
    name, combo = window.view.profile_page.line("name"), window.view.profile_page.kind_combo
    white = QApplication.palette().color(QPalette.ColorRole.Base).name()
    assert combo.focusPolicy() == Qt.FocusPolicy.WheelFocus and base_colour(name) == white  # no filter yet

    install_field_filter(app)
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert base_colour(name) == QApplication.palette().color(QPalette.ColorRole.Window).name()
    window.controller.reopen()
    wait_idle(qtbot, window.runner)
    assert base_colour(name) == white  # ReadOnlyChange reaches the filter now
    window.close()
