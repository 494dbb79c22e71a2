"""The main window on real store files: what it shows, Fichier › Ouvrir…, Fichier › Quitter."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import complete_dossier, fixed_clock
from tests.ui.helpers import StoreOpener, WindowFactory, visible_windows, wait_idle
from ui.application import build_main_window
from ui.qt import QLabel, QMessageBox, QWidget
from ui.summary_widget import LOADING, NOT_STARTED


def test_shows_collectivity_and_dossier_after_import(
    qtbot: QtBot, ws: Workspace, edition: Edition, store_path: Path, open_store: StoreOpener
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=3)))
    expected = ws.status()

    window = build_main_window(ws, open_store)
    qtbot.addWidget(window)
    window.show()
    assert window.summary.message.text() == LOADING  # the load runs in the background...
    assert window.runner.pending == 1  # ...as a job of the window's task runner
    with qtbot.waitSignal(window.status_shown, timeout=10_000):
        pass

    s = window.summary
    assert window.windowTitle() == "Arobase — Saint-Aubin-des-Landes"
    assert not s.message.isVisible()
    assert s.text("name") == "Saint-Aubin-des-Landes"
    assert s.text("kind") == "Commune"
    assert s.text("code") == "35248"
    assert s.text("departement") == "35"
    assert s.text("population") == "1\u202f047 habitants"
    assert s.text("edition").startswith("2019 — ")
    assert s.text("state") == "brouillon"
    assert s.text("revision") == "1"
    assert s.text("actions") == "3"
    assert s.text("coverage") == "3 / 138 services"
    assert s.text("problems") == f"{expected.blocking} bloquant(s), {expected.warnings} conseil(s)"
    assert not s.not_started.isVisible()
    assert window.path_label.text() == str(store_path.absolute())


def test_empty_store_says_dossier_not_started(ws: Workspace, make_window: WindowFactory) -> None:
    window = make_window(ws)

    assert window.windowTitle() == "Arobase — Nouvelle collectivité"
    assert window.summary.not_started.isVisible()
    assert window.summary.not_started.text() == NOT_STARTED
    assert window.summary.text("edition").startswith("2019 — ")
    assert not window.summary.findChild(QLabel, "summary-state").isVisible()


def test_opening_an_unreadable_file_keeps_the_current_store(
    qtbot: QtBot, ws: Workspace, edition: Edition, tmp_path: Path, make_window: WindowFactory
) -> None:
    ws.import_document(to_document(complete_dossier(edition)))
    window = make_window(ws)
    garbage = tmp_path / "x.sqlite"
    garbage.write_text("ceci n'est pas une base de données\n" * 20, encoding="utf-8")

    with qtbot.waitSignal(window.store_open_failed, timeout=10_000) as failed:
        window.open_store_file(garbage)

    assert "n'est pas une base Arobase" in failed.args[0]
    boxes = visible_windows(QMessageBox)
    assert len(boxes) == 1
    assert "n'est pas une base Arobase" in boxes[0].text()
    assert "reste ouvert" in boxes[0].text()
    assert "Traceback" not in boxes[0].text()
    assert window.workspace is ws
    assert window.summary.text("name") == "Saint-Aubin-des-Landes"
    boxes[0].accept()


def test_opening_another_store_switches_to_it(
    qtbot: QtBot, ws: Workspace, edition: Edition, tmp_path: Path, make_window: WindowFactory
) -> None:
    ws.import_document(to_document(complete_dossier(edition)))
    window = make_window(ws)
    other = tmp_path / "autre" / "autre.sqlite"

    window.open_store_file(other)
    wait_idle(qtbot, window.runner)

    assert window.workspace is not ws
    assert other.exists()
    assert window.windowTitle() == "Arobase — Nouvelle collectivité"
    assert window.summary.not_started.isVisible()
    assert window.path_label.text() == str(other.absolute())


def test_quit_action_closes_the_window(ws: Workspace, make_window: WindowFactory) -> None:
    window = make_window(ws)

    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert window.open_action.text() == "&Ouvrir…"
    window.quit_action.trigger()

    assert not window.isVisible()
    assert window.runner.closed


def test_controls_have_accessible_names_and_labels_have_buddies(ws: Workspace, make_window: WindowFactory) -> None:
    window = make_window(ws)

    widgets = [window.summary, window.path_label, *window.summary.findChildren(QWidget)]
    unnamed = [w for w in widgets if isinstance(w, QLabel) and w.buddy() is None and not w.accessibleName()]
    assert unnamed == []
    values = [w for w in window.summary.findChildren(QLabel) if w.objectName().startswith("summary-")]
    assert len(values) == 11
    buddies = {w.buddy() for w in window.summary.findChildren(QLabel) if w.buddy() is not None}
    assert set(values) <= buddies


def test_expected_load_failure_is_shown_in_french_in_place_of_the_summary(
    store_path: Path, tmp_path: Path, make_window: WindowFactory
) -> None:
    no_editions = EditionCatalog([tmp_path / "aucune-edition"])
    window = make_window(Workspace.open(store_path, no_editions, clock=fixed_clock))

    assert window.summary.message.isVisible()
    assert window.summary.message.text() == "Aucune édition du questionnaire n'est installée : réinstallez Arobase."
    assert not window.summary.profile_box.isVisible()
