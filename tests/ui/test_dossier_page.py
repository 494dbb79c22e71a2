"""The dossier page: problems that jump to their field, validation, the read-only dossier and its next revision."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import commune_profile, complete_dossier, fixed_clock
from tests.ui.helpers import wait_idle
from ui.dossier_controller import DossierController
from ui.pages.dossier_page import FROZEN_SUMMARY, DossierPage
from ui.qt import QMessageBox, Qt
from ui.tasks import TaskRunner


def _page(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> tuple[DossierController, DossierPage]:
    ctl = DossierController(ws, runner)
    ctl.load_now()
    page = DossierPage(ctl, runner)
    qtbot.addWidget(page)
    page.resize(1000, 720)
    ctl.loaded.connect(page.refresh)  # as the window does
    with qtbot.waitSignal(page.snapshots_shown, timeout=10_000):
        page.refresh()
    page.show()
    qtbot.waitExposed(page)
    return ctl, page


def _texts(page: DossierPage) -> list[str]:
    return [page.problem_model.item(r).text() for r in range(page.problem_model.rowCount())]


def test_problems_listed_blocking_first_and_each_jumps_to_its_field(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner
) -> None:
    ctl, page = _page(qtbot, ws, runner)
    texts = _texts(page)
    problems = ctl.problems()
    assert texts and len(texts) == len(problems)
    assert texts[0] == "Bloquant — Le nom de la collectivité n'est pas renseigné."
    kinds = [t.split(" — ")[0] for t in texts]
    assert kinds == sorted(kinds) and set(kinds) <= {"Bloquant", "Conseil"}  # written, not a colour
    assert "Conseil" in kinds
    assert not page.validate_button.isEnabled()
    assert page.validate_reason.text().startswith("Validation impossible : ")
    blocking = sum(1 for p in problems if p.blocking)
    assert f"{blocking} problèmes bloquants" in page.validate_reason.text()

    page.problem_view.setFocus()
    page.problem_view.setCurrentIndex(page.problem_index(0))
    with qtbot.waitSignal(page.navigate_requested) as emitted:
        qtbot.keyClick(page.problem_view, Qt.Key.Key_Return)
    assert emitted.args == ["field:profile.name"]
    last = page.problem_index(len(texts) - 1)
    with qtbot.waitSignal(page.navigate_requested) as emitted:
        page.problem_view.activated.emit(last)
    assert emitted.args == [f"field:{problems[-1].field}"]


def test_problems_follow_the_edits_after_a_short_delay(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    ctl, page = _page(qtbot, ws, runner)
    assert page.validate_button.isEnabled()
    with qtbot.waitSignal(page.problems_shown, timeout=3000):
        ctl.set_profile_field("referent_email", "")
    assert _texts(page)[0] == "Bloquant — Le courriel du référent n'est pas renseigné."
    assert not page.validate_button.isEnabled()
    with qtbot.waitSignal(page.problems_shown, timeout=3000):
        ctl.set_profile_field("referent_email", "mairie@example.fr")
    assert page.validate_button.isEnabled()
    wait_idle(qtbot, runner)


def test_validate_then_modify_as_a_new_revision(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition, catalog: EditionCatalog, store_path: Path
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 3)))
    ctl, page = _page(qtbot, ws, runner)
    assert page.validate_button.isEnabled() and page.validate_button.isVisible()
    assert not page.reopen_button.isVisible()
    assert page.no_snapshot_label.isVisible()

    qtbot.mouseClick(page.validate_button, Qt.MouseButton.LeftButton)
    box = page.confirm_box
    assert box is not None and box.isVisible()  # asked first, in plain words
    assert "révision 1" in box.text() and "n'est plus modifiable" in box.text()
    assert "Modifier (nouvelle révision)" in box.text() and "reste telle quelle" in box.text()
    assert box.defaultButton().text() == "Annuler"
    assert not ctl.read_only
    accept = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    assert accept.text() == "Valider la révision 1"
    with qtbot.waitSignal(page.validated, timeout=10_000) as done:
        qtbot.mouseClick(accept, Qt.MouseButton.LeftButton)
    snapshot = done.args[0]
    with qtbot.waitSignal(page.snapshots_shown, timeout=10_000):
        pass
    other = Workspace.open(store_path, catalog, clock=fixed_clock)
    try:
        stored = other.load("2019")
        assert (stored.state, stored.revision) == ("valide", 1)
        assert other.snapshots("2019")[0].sha256 == snapshot.sha256
    finally:
        other.close()
    code = " ".join(snapshot.sha256[i : i + 4] for i in range(0, 16, 4))  # "8096 2839 f215 1e08"
    assert f"Code de la version validée : {code}\n" in page.result_label.text()
    assert snapshot.sha256 not in page.result_label.text()  # not 64 hex digits: a short code, explained
    assert "identifie exactement cette version" in page.result_label.text()
    assert snapshot.sha256 in page.result_label.toolTip()
    assert "révision 1" in page.result_label.text()
    assert page.snapshot_model.rowCount() == 1
    assert page.snapshot_model.item(0, 0).text() == "1"
    assert page.snapshot_model.item(0, 2).text() == code

    # Read-only, with the way out written on the page.
    assert ctl.read_only
    assert not page.validate_button.isVisible()
    assert page.reopen_button.isVisible() and page.reopen_button.isEnabled()
    assert page.reopen_button.text() == "&Modifier (nouvelle révision)"
    assert "validé" in page.state_label.text() and "figé" in page.state_label.text()

    qtbot.mouseClick(page.reopen_button, Qt.MouseButton.LeftButton)
    box = page.confirm_box
    assert box is not None and box.isVisible()
    assert "reste telle quelle" in box.text() and "révision 2" in box.text()
    accept = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    with qtbot.waitSignal(ctl.state_changed, timeout=10_000):
        qtbot.mouseClick(accept, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.snapshots_shown, timeout=10_000):
        pass
    assert (ctl.dossier.state, ctl.dossier.revision) == ("brouillon", 2)
    assert page.state_label.text().startswith("État : brouillon, révision 2.")
    assert page.validate_button.isVisible() and page.validate_button.isEnabled()
    assert not page.reopen_button.isVisible()
    assert page.snapshot_model.rowCount() == 1  # the validated revision 1 is still there, unchanged
    wait_idle(qtbot, runner)
    assert ws.load("2019").revision == 2
    assert ws.snapshots("2019")[0].sha256 == snapshot.sha256


def test_validating_can_be_cancelled(qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    ctl, page = _page(qtbot, ws, runner)
    box = page.validate()
    assert box is not None
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    wait_idle(qtbot, runner)
    assert not ctl.read_only and ws.load("2019").state == "brouillon" and ws.snapshots("2019") == []
    assert page.validate_button.isEnabled()


def test_cancelling_the_confirmation_keeps_the_validated_dossier(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    ws.validate("2019")
    ctl, page = _page(qtbot, ws, runner)
    assert ctl.read_only and page.reopen_button.isVisible()
    assert page.snapshot_model.rowCount() == 1
    sha = ws.snapshots("2019")[0].sha256
    assert page.result_label.text().startswith("Version validée : révision 1, le ")  # after a restart too
    assert f"Code de la version validée : {sha[:4]} {sha[4:8]} " in page.result_label.text()
    box = page.ask_reopen()
    assert box is not None
    cancel = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, runner)
    assert ctl.read_only and ws.load("2019").state == "valide"


def test_a_validated_dossier_lists_nothing_to_fix_and_says_how_to_change_it(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    advice = replace(commune_profile(), postal_code="123")  # a "Conseil": validation is not blocked
    ws.import_document(to_document(complete_dossier(edition, 1, profile=advice)))
    ws.validate("2019")
    ctl, page = _page(qtbot, ws, runner)
    assert ctl.read_only and ctl.problems()  # advice remains, but nothing of a frozen revision can be fixed
    assert not page.problem_view.isVisible() and not page.problems_label.isVisible()
    assert page.summary_label.text() == FROZEN_SUMMARY
    assert "Modifier (nouvelle révision)" in page.summary_label.text()
    assert page.focus_field("dossier") and page.focusWidget() is page.reopen_button  # not a hidden list

    with qtbot.waitSignal(ctl.state_changed, timeout=10_000):
        ctl.reopen()
    assert not ctl.read_only
    assert page.problem_view.isVisible() and page.problems_label.isVisible()  # a draft again: fix away
    assert page.summary_label.text() != FROZEN_SUMMARY
    assert page.focus_field("dossier") and page.focusWidget() is page.problem_view
