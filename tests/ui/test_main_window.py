"""The main window on real store files: pages, navigation, autosave to the file, settings, files menu."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog, EditionError
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import complete_dossier, fixed_clock
from tests.ui.helpers import StoreOpener, tab_controls, visible_windows, wait_idle
from ui.application import build_main_window
from ui.main_window import MainWindow
from ui.qt import QApplication, QLabel, QMessageBox, QSettings


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "reglages.ini"), QSettings.Format.IniFormat)


def _window(qtbot: QtBot, ws: Workspace, open_store: StoreOpener, settings: QSettings) -> MainWindow:
    window = build_main_window(ws, open_store, settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.dossier_ready, timeout=10_000):
        window.show()
    wait_idle(qtbot, window.runner)
    return window


def _reopened(path: Path, catalog: EditionCatalog) -> Workspace:
    return Workspace.open(path, catalog, clock=fixed_clock)


def test_shows_the_collectivity_its_pages_and_figures(
    qtbot: QtBot, ws: Workspace, edition: Edition, store_path: Path, open_store: StoreOpener, settings: QSettings
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=3)))
    window = _window(qtbot, ws, open_store, settings)

    assert window.windowTitle() == "Arobase — Saint-Aubin-des-Landes"
    assert window.view.stack.currentWidget() is window.view.profile_page  # the default first page
    assert window.path_label.text() == str(store_path.absolute())
    assert window.view.actions_page.model.rowCount() == 3
    window.view.navigate("send")
    s = window.summary
    assert s.text("name") == "Saint-Aubin-des-Landes"
    assert s.text("state") == "brouillon" and s.text("revision") == "1"
    assert s.text("actions") == "3"
    assert s.text("coverage") == "3 / 138 services"


def test_a_new_store_starts_an_empty_draft(
    qtbot: QtBot, ws: Workspace, open_store: StoreOpener, settings: QSettings
) -> None:
    window = _window(qtbot, ws, open_store, settings)
    assert window.windowTitle() == "Arobase — Nouvelle collectivité"
    assert window.controller.dossier.state == "brouillon"
    assert ws.dossier_summaries()[0].edition == "2019"


def test_typed_text_reaches_the_file_and_the_status_bar_says_so(
    qtbot: QtBot,
    ws: Workspace,
    edition: Edition,
    catalog: EditionCatalog,
    open_store: StoreOpener,
    settings: QSettings,
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=2)))
    window = _window(qtbot, ws, open_store, settings)
    uuid = window.controller.dossier.actions[1].uuid
    assert window.view.navigate(f"action:{uuid}")
    synthesis = window.view.actions_page.editor.widgets["synthesis"]
    synthesis.setFocus()
    qtbot.keyClicks(synthesis, " Mis a jour <b>&amp;")
    with qtbot.waitSignal(window.controller.saved, timeout=5_000):
        pass
    wait_idle(qtbot, window.runner)
    assert window.saved_label.text().startswith("Enregistré à ")
    other = _reopened(ws.path, catalog)
    assert other.load("2019").action(uuid).synthesis.startswith(" Mis a jour <b>&amp;Des ateliers")
    other.close()


def test_closing_writes_what_the_timer_had_not_yet_saved(
    qtbot: QtBot,
    ws: Workspace,
    edition: Edition,
    catalog: EditionCatalog,
    open_store: StoreOpener,
    settings: QSettings,
    store_path: Path,
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=1)))
    window = _window(qtbot, ws, open_store, settings)
    uuid = window.controller.dossier.actions[0].uuid
    window.controller.set_action_field(uuid, "title", "Titre tapé juste avant de fermer")
    assert window.controller.has_pending()
    window.close()
    other = _reopened(store_path, catalog)
    assert other.load("2019").action(uuid).title == "Titre tapé juste avant de fermer"
    other.close()


def test_ctrl_z_undoes_a_deletion_from_the_window(
    qtbot: QtBot, ws: Workspace, edition: Edition, open_store: StoreOpener, settings: QSettings
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=2)))
    window = _window(qtbot, ws, open_store, settings)
    uuid = window.controller.dossier.actions[0].uuid
    window.controller.delete_action(uuid)
    wait_idle(qtbot, window.runner)
    assert window.undo_action.isEnabled()
    assert ws.load("2019").action(uuid) is None
    window.undo_action.trigger()
    wait_idle(qtbot, window.runner)
    assert ws.load("2019").action(uuid) is not None
    assert window.view.stack.currentWidget() is window.view.actions_page


def test_a_problem_link_jumps_to_its_field(
    qtbot: QtBot, ws: Workspace, open_store: StoreOpener, settings: QSettings
) -> None:
    window = _window(qtbot, ws, open_store, settings)
    assert window.view.navigate("field:profile.referent_email")
    assert window.view.stack.currentWidget() is window.view.profile_page
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view.profile_page.editors["referent_email"])


def test_size_splitter_and_last_page_come_back(
    qtbot: QtBot,
    ws: Workspace,
    store_path: Path,
    catalog: EditionCatalog,
    open_store: StoreOpener,
    settings: QSettings,
) -> None:
    window = _window(qtbot, ws, open_store, settings)
    window.resize(760, 540)  # the offscreen screen is 800×600; the window's minimum width may be larger
    first_size = window.size()
    window.view.splitter.setSizes([333, 400])
    wanted = window.view.splitter.sizes()[0]
    window.view.navigate("dossier")
    window.close()

    again = _window(qtbot, _reopened(store_path, catalog), open_store, settings)
    assert again.view.stack.currentWidget() is again.view.dossier_page
    assert again.size() == first_size
    assert again.view.splitter.sizes()[0] == wanted


def test_opening_an_unreadable_file_keeps_the_current_store(
    qtbot: QtBot, ws: Workspace, edition: Edition, tmp_path: Path, open_store: StoreOpener, settings: QSettings
) -> None:
    ws.import_document(to_document(complete_dossier(edition)))
    window = _window(qtbot, ws, open_store, settings)
    garbage = tmp_path / "x.sqlite"
    garbage.write_text("ceci n'est pas une base de données\n" * 20, encoding="utf-8")

    with qtbot.waitSignal(window.store_open_failed, timeout=10_000) as failed:
        window.open_store_file(garbage)

    assert "n'est pas une base Arobase" in failed.args[0]
    boxes = visible_windows(QMessageBox)
    assert len(boxes) == 1 and "reste ouvert" in boxes[0].text() and "Traceback" not in boxes[0].text()
    assert window.workspace is ws
    assert window.controller.profile.name == "Saint-Aubin-des-Landes"
    boxes[0].accept()


def test_opening_another_store_switches_and_remembers_the_first_one(
    qtbot: QtBot,
    ws: Workspace,
    edition: Edition,
    tmp_path: Path,
    open_store: StoreOpener,
    settings: QSettings,
    store_path: Path,
) -> None:
    ws.import_document(to_document(complete_dossier(edition)))
    window = _window(qtbot, ws, open_store, settings)
    other = tmp_path / "autre" / "autre.sqlite"

    with qtbot.waitSignal(window.dossier_ready, timeout=10_000):
        window.open_store_file(other)
    wait_idle(qtbot, window.runner)

    assert window.workspace is not ws
    assert other.exists()
    assert window.windowTitle() == "Arobase — Nouvelle collectivité"
    assert window.path_label.text() == str(other.absolute())
    assert window.files.recent()[:2] == [str(other.absolute()), str(store_path.absolute())]
    assert [a.text() for a in window.recent_menu.actions()] == [str(store_path.absolute())]


def test_quit_action_closes_the_window(
    qtbot: QtBot, ws: Workspace, open_store: StoreOpener, settings: QSettings
) -> None:
    window = _window(qtbot, ws, open_store, settings)
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.quit_action.trigger()
    assert not window.isVisible()
    assert window.runner.closed


def test_every_visible_control_has_an_accessible_name(
    qtbot: QtBot, ws: Workspace, edition: Edition, open_store: StoreOpener, settings: QSettings
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=2)))
    window = _window(qtbot, ws, open_store, settings)
    for target in ("profile", "subtheme:identite", "actions", "dossier"):
        window.view.navigate(target)
        page = window.view.stack.currentWidget()
        focusable = tab_controls(page)
        unnamed = [w for w in focusable if not w.accessibleName().strip() and not isinstance(w, QLabel)]
        assert unnamed == [], (target, unnamed)


def test_works_at_1366_by_768(qtbot: QtBot, ws: Workspace, open_store: StoreOpener, settings: QSettings) -> None:
    window = _window(qtbot, ws, open_store, settings)
    assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 768


def test_no_installed_edition_is_refused_in_french(store_path: Path, tmp_path: Path, open_store: StoreOpener) -> None:
    no_editions = EditionCatalog([tmp_path / "aucune-edition"])
    ws = Workspace.open(store_path, no_editions, clock=fixed_clock)
    with pytest.raises(EditionError, match="réinstallez Arobase"):
        build_main_window(ws, open_store)
    ws.close()


def test_add_an_action_from_a_sub_theme_page(
    qtbot: QtBot, ws: Workspace, catalog: EditionCatalog, open_store: StoreOpener, settings: QSettings
) -> None:
    window = _window(qtbot, ws, open_store, settings)
    window.view.navigate("subtheme:mediation")
    page = window.view.subtheme_page
    page.navigate_requested.emit("new-action:mediation-05")  # what « Ajouter une action pour ce service » sends
    assert window.view.stack.currentWidget() is window.view.actions_page
    (action,) = window.controller.dossier.actions
    assert action.services == ("mediation-05",)
    title = window.view.actions_page.editor.widgets["title"]
    qtbot.waitUntil(title.hasFocus)
    qtbot.keyClicks(title, "Espace public numerique")
    window.controller.save_pending()
    wait_idle(qtbot, window.runner)
    other = _reopened(ws.path, catalog)
    stored = other.load("2019").action(action.uuid)
    assert stored.title == "Espace public numerique" and stored.services == ("mediation-05",)
    other.close()
    assert window.view.navigation.text("subtheme:mediation").endswith("1 / 6")


def test_a_validated_dossier_is_read_only_until_a_new_revision(
    qtbot: QtBot, ws: Workspace, edition: Edition, open_store: StoreOpener, settings: QSettings
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=2)))
    window = _window(qtbot, ws, open_store, settings)
    uuid = window.controller.dossier.actions[0].uuid
    window.view.navigate("dossier")
    page = window.view.dossier_page
    page.refresh_problems()
    page.validate_button.click()
    assert ws.dossier_summaries()[0].state == "brouillon"  # nothing happens before the user says yes
    with qtbot.waitSignal(page.validated, timeout=10_000):
        box = page.confirm_box
        next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole).click()
    assert ws.dossier_summaries()[0].state == "valide"
    window.view.navigate(f"action:{uuid}")
    editor = window.view.actions_page.editor
    assert editor.banner.isVisible()
    assert editor.widgets["title"].isReadOnly()
    assert not window.controller.set_action_field(uuid, "title", "interdit")
    assert not window.view.profile_page.line("name").isEnabled() or window.view.profile_page.line("name").isReadOnly()
    window.controller.reopen()
    wait_idle(qtbot, window.runner)
    assert ws.dossier_summaries()[0].state == "brouillon" and ws.dossier_summaries()[0].revision == 2
    assert not editor.widgets["title"].isReadOnly()


def test_print_preview_from_the_file_menu(
    qtbot: QtBot, ws: Workspace, edition: Edition, open_store: StoreOpener, settings: QSettings
) -> None:
    from ui.dialogs.print_preview import PrintPreviewDialog

    ws.import_document(to_document(complete_dossier(edition, n_actions=2)))
    window = _window(qtbot, ws, open_store, settings)
    window.preview_action.trigger()
    (dialog,) = visible_windows(PrintPreviewDialog)
    with qtbot.waitSignal(dialog.ready, timeout=30_000) as ready:
        pass
    assert ready.args[0] >= 4  # cover, summary, contents, themes…
    dialog.close()


def test_the_summary_follows_edits_from_memory(
    qtbot: QtBot, ws: Workspace, edition: Edition, open_store: StoreOpener, settings: QSettings
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=1)))
    window = _window(qtbot, ws, open_store, settings)
    window.view.navigate("send")
    assert window.summary.text("coverage") == "1 / 138 services"
    uuid = window.controller.dossier.actions[0].uuid
    with qtbot.waitSignal(window.status_shown, timeout=5_000):
        window.controller.set_action_field(uuid, "services", ("identite-01", "mediation-05"))
    assert window.summary.text("coverage") == "2 / 138 services"
    with qtbot.waitSignal(window.status_shown, timeout=5_000):
        window.controller.set_action_field(uuid, "synthesis", "")
    assert window.summary.text("problems").startswith("1 bloquant, ")  # no "bloquant(s)"
