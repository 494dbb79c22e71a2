"""The two dialogs that bring actions in: a newer edition's dossier, and fiches written by someone else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog, builtin_directory
from app.interchange import to_document, write_document
from app.workspace import Workspace
from tests.factories import complete_dossier, fixed_clock
from tests.test_carry_over import old_dossier, renamed_2020, write_edition
from tests.test_contributions import contributed_dossier
from tests.ui.helpers import shown_host, visible_windows, wait_idle
from ui.dialogs.contributions_dialog import ContributionsDialog, open_contributions_dialog
from ui.dialogs.new_edition_dialog import NewEditionDialog, open_new_edition_dialog
from ui.dossier_controller import DossierController
from ui.qt import QMessageBox, Qt
from ui.tasks import TaskRunner


def _controller(ws: Workspace, runner: TaskRunner, edition_id: str | None = None) -> DossierController:
    ctl = DossierController(ws, runner, edition_id)
    ctl.load_now()
    return ctl


# ---------------------------------------------------------------------- contributions


def test_contributions_dialog_previews_then_adds_the_ticked_fiches(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition, tmp_path: Path
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    profile = ws.profile()
    path = tmp_path / "fiches-college.json"
    write_document(to_document(contributed_dossier(edition)), path)
    ctl = _controller(ws, runner)

    host = shown_host(qtbot)  # kept alive: the dialog and the message box are its children
    dialog = open_contributions_dialog(host, ctl, runner, path)
    assert isinstance(dialog, ContributionsDialog) and dialog.isVisible()
    with qtbot.waitSignal(dialog.preview_ready, timeout=10_000):
        pass

    model = dialog.model
    assert [model.item(r, 0).text() for r in range(model.rowCount())] == [
        "À ajouter (2)",
        "Déjà présentes, non ajoutées (3)",
    ]
    to_add, present = model.item(0, 0), model.item(1, 0)
    assert [to_add.child(r, 0).text() for r in range(2)] == ["Robotique au collège", "Fablab"]
    assert all(to_add.child(r, 0).checkState() == Qt.CheckState.Checked for r in range(2))
    assert "affiche.pdf" in to_add.child(0, 1).text()  # the attachment the file does not carry
    assert present.child(0, 1).text() == "Cette fiche est déjà dans le dossier."
    assert not present.child(0, 0).isCheckable()
    assert "Collège Jean Moulin" in dialog.status_label.text()
    assert dialog.add_button.text() == "&Ajouter les fiches cochées (2)"

    to_add.child(1, 0).setCheckState(Qt.CheckState.Unchecked)  # leave the Fablab out
    assert dialog.add_button.text() == "&Ajouter les fiches cochées (1)"
    with qtbot.waitSignal(ctl.loaded, timeout=10_000), qtbot.waitSignal(dialog.applied, timeout=10_000) as done:
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert done.args == [1]
    assert [a.title for a in ctl.dossier.actions][-1] == "Robotique au collège"
    wait_idle(qtbot, runner)
    stored = ws.load("2019")
    assert [a.title for a in stored.actions] == [
        "Atelier numérique n° 1",
        "Atelier numérique n° 2",
        "Robotique au collège",
    ]
    assert ws.profile() == profile  # the contributor's profile is not taken


def test_contributions_dialog_says_why_a_file_cannot_be_read(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, tmp_path: Path
) -> None:
    path = tmp_path / "photo.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    ctl = _controller(ws, runner)
    dialog = ContributionsDialog(ctl, runner, path)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed, timeout=10_000) as failed:
        pass
    assert "n'est pas" in failed.args[0] and dialog.status_label.text() == failed.args[0]
    assert not dialog.add_button.isEnabled()


def test_no_contributions_into_a_validated_dossier(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition, tmp_path: Path
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    ws.validate("2019")
    ctl = _controller(ws, runner)
    host = shown_host(qtbot)  # kept alive: the dialog and the message box are its children
    assert open_contributions_dialog(host, ctl, runner, tmp_path / "x.json") is None
    (box,) = visible_windows(QMessageBox)
    assert "Modifier (nouvelle révision)" in box.text()
    box.accept()


# ---------------------------------------------------------------------- new edition


@pytest.fixture
def ws2(tmp_path: Path) -> Iterator[Workspace]:
    write_edition(tmp_path / "editions", "2020", date(2026, 12, 5), renamed_2020)
    catalog = EditionCatalog([tmp_path / "editions", builtin_directory()])
    workspace = Workspace.open(tmp_path / "commune.sqlite", catalog, clock=fixed_clock)
    yield workspace
    workspace.close()


def test_new_edition_dialog_shows_the_plan_and_carries_the_ticked_actions_over(
    qtbot: QtBot, ws2: Workspace, runner: TaskRunner
) -> None:
    old = ws2.edition("2019")
    ws2.import_document(to_document(old_dossier(old)))
    ctl = _controller(ws2, runner)
    assert ctl.edition.id == "2019"
    reopened: list[Path] = []

    host = shown_host(qtbot)  # kept alive: the dialog and the message box are its children
    dialog = open_new_edition_dialog(host, ctl, runner, reopened.append)
    assert isinstance(dialog, NewEditionDialog)
    with qtbot.waitSignal(dialog.plan_ready, timeout=10_000):
        pass
    assert dialog.edition_combo.currentData() == "2020"
    model = dialog.model
    assert [model.item(r, 0).text() for r in range(3)] == [
        "Sécurité et culture",
        "Point d'accès public",
        "Projet de tiers-lieu",
    ]
    assert model.item(0, 1).text() == "✓ 3 services repris."
    assert model.item(1, 1).text().startswith("✗ Aucun service ne correspond : à relier")
    assert "niveau « projet » inconnu" in model.item(2, 1).text()
    first = model.item(0, 0)
    assert [first.child(r, 1).text() for r in range(3)] == [
        "↻ Retrouvé par son intitulé (nouvel identifiant identite-securite)",
        "↻ Retrouvé par son intitulé (nouvel identifiant culture-numerisation)",
        "✓ Repris",
    ]  # in the order of the 2019 questionnaire
    assert model.item(1, 0).child(0, 1).text() == "✗ Absent de l'édition 2020 : à relier"
    assert "1 sans aucun service" in dialog.status_label.text()

    third = old_dossier(old).actions[2].uuid
    dialog.set_checked(third, False)
    assert dialog.carry_button.text() == "&Reprendre les actions cochées (2)"
    with qtbot.waitSignal(dialog.started, timeout=10_000) as started:
        qtbot.mouseClick(dialog.carry_button, Qt.MouseButton.LeftButton)
    result = started.args[0]
    assert len(result.added) == 2 and [a.title for a in result.to_relink] == ["Point d'accès public"]
    assert reopened == [ws2.path]  # the window reopens the store, on the new edition
    (box,) = visible_windows(QMessageBox)
    assert "Point d'accès public" in box.text() and "reliez-les" in box.text()
    box.accept()
    wait_idle(qtbot, runner)
    assert [a.title for a in ws2.load("2020").actions] == ["Sécurité et culture", "Point d'accès public"]
    assert ws2.default_edition() == "2020"
    assert len(ws2.load("2019").actions) == 3


def test_no_newer_edition_installed_is_said_plainly(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> None:
    ctl = _controller(ws, runner)
    host = shown_host(qtbot)  # kept alive: the dialog and the message box are its children
    assert open_new_edition_dialog(host, ctl, runner, lambda _p: None) is None
    (box,) = visible_windows(QMessageBox)
    assert "Aucune édition du questionnaire plus récente que 2019" in box.text()
    box.accept()
