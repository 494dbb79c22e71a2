"""The intercommunal criteria page: answers and details reach the file; it says when it does not apply."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.edits import AUTOSAVE_DELAY_MS
from app.interchange import to_document
from app.model import DossierData, EpciAnswerData
from app.workspace import Workspace
from tests.factories import commune_profile, complete_dossier, epci_answers, fixed_clock
from tests.ui.helpers import key_clicks, tab_controls, wait_idle
from ui.dossier_controller import DossierController
from ui.pages.epci_page import EpciPage, applies
from ui.qt import QApplication, QLabel, QPlainTextEdit, Qt
from ui.tasks import TaskRunner

SAVE_TIMEOUT = AUTOSAVE_DELAY_MS + 5000


@pytest.fixture
def controller(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> Iterator[DossierController]:
    ws.update_profile(kind="epci", name="Rennes Métropole", code="243500139")
    ctl = DossierController(ws, runner)
    ctl.load_now()
    yield ctl
    ctl.save_pending()  # no autosave timer may fire after the runner is shut down
    wait_idle(qtbot, runner)


@pytest.fixture
def page(qtbot: QtBot, controller: DossierController, runner: TaskRunner) -> EpciPage:
    widget = EpciPage(controller, runner)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitActive(widget)
    return widget


def _epci_dossier(edition: Edition) -> DossierData:
    """A complete dossier of an intercommunality, every criterion answered."""
    profile = commune_profile(kind="epci", name="Rennes Métropole", code="243500139", population=473973)
    return complete_dossier(edition, 1, profile=profile, epci_answers=epci_answers(edition))


def _stored_answers(ws: Workspace, catalog: EditionCatalog) -> dict[str, EpciAnswerData]:
    other = Workspace.open(ws.path, catalog, clock=fixed_clock)
    try:
        return {a.criterion: a for a in other.load("2019").epci_answers}
    finally:
        other.close()


def test_the_page_lists_the_edition_criteria(page: EpciPage, edition: Edition) -> None:
    assert len(edition.epci_criteria) == 14
    assert list(page.rows) == [c.id for c in edition.epci_criteria]
    assert page.criteria.isVisibleTo(page) and not page.not_applicable.isVisibleTo(page)
    assert all(page.answer(cid) is None for cid in page.rows)  # "Non renseigné"
    assert page.progress.text() == "0 critère sur 14 renseigné."


def test_answer_and_details_reach_the_file(
    qtbot: QtBot,
    page: EpciPage,
    controller: DossierController,
    runner: TaskRunner,
    ws: Workspace,
    catalog: EditionCatalog,
) -> None:
    row = page.rows["epci-01"]
    row.buttons[True].setFocus()
    qtbot.keyClick(row.buttons[True], Qt.Key.Key_Space)
    assert page.answer("epci-01") is True and page.progress.text() == "1 critère sur 14 renseigné."
    row.details.setFocus()
    key_clicks(qtbot, row.details, "SDTAN d'Ille-et-Vilaine, signé en 2012")
    qtbot.mouseClick(page.rows["epci-02"].buttons[False], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(controller.saved, timeout=SAVE_TIMEOUT):
        pass
    wait_idle(qtbot, runner)
    stored = _stored_answers(ws, catalog)
    assert stored["epci-01"] == EpciAnswerData("epci-01", True, "SDTAN d'Ille-et-Vilaine, signé en 2012")
    assert stored["epci-02"] == EpciAnswerData("epci-02", False, "")
    qtbot.mouseClick(row.buttons[None], Qt.MouseButton.LeftButton)  # back to "Non renseigné", details kept
    assert controller.dossier.epci_answers[0] == EpciAnswerData(
        "epci-01", None, "SDTAN d'Ille-et-Vilaine, signé en 2012"
    )


def test_refused_details_stay_on_screen_and_do_not_block_the_answer(
    qtbot: QtBot, page: EpciPage, controller: DossierController
) -> None:
    row = page.rows["epci-03"]
    row.details.setFocus()
    key_clicks(qtbot, row.details, "Diagnostic 2024")
    row.details.insertPlainText("\x07")  # a control character pasted from elsewhere
    assert "caractère de contrôle" in page.message("epci-03")
    assert controller.dossier.epci_answers[0].details == "Diagnostic 2024"
    qtbot.mouseClick(row.buttons[True], Qt.MouseButton.LeftButton)
    assert controller.dossier.epci_answers[0] == EpciAnswerData("epci-03", True, "Diagnostic 2024")
    assert row.details.toPlainText() == "Diagnostic 2024\x07"
    assert "caractère de contrôle" in page.message("epci-03")
    row.details.setFocus()
    qtbot.keyClick(row.details, Qt.Key.Key_Backspace)
    assert page.message("epci-03") == ""


def test_answers_from_the_store_are_shown_and_kept_when_typing(
    qtbot: QtBot, ws: Workspace, edition: Edition, runner: TaskRunner
) -> None:
    ws.import_document(to_document(_epci_dossier(edition)))
    ctl = DossierController(ws, runner)
    ctl.load_now()
    page = EpciPage(ctl, runner)
    qtbot.addWidget(page)
    first, second = edition.epci_criteria[0].id, edition.epci_criteria[1].id
    assert page.answer(first) is True and page.answer(second) is False
    assert page.rows[first].details.toPlainText() == "Précisions 0"
    assert page.progress.text() == "14 critères sur 14 renseignés."
    ctl.set_epci_answer(second, True, "Deux médiateurs")  # from elsewhere (an import, another page)
    assert page.answer(second) is True and page.rows[second].details.toPlainText() == "Deux médiateurs"


def test_the_page_says_when_it_does_not_apply(qtbot: QtBot, page: EpciPage, controller: DossierController) -> None:
    assert applies(controller.profile) and EpciPage.applies(controller.profile)
    assert not applies(commune_profile())
    controller.set_profile_field("kind", "commune")
    assert not page.criteria.isVisibleTo(page) and page.not_applicable.isVisibleTo(page)
    assert not page.focus_field("epci:epci-01")
    with qtbot.waitSignal(page.navigate_requested) as blocker:
        qtbot.mouseClick(page.profile_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["profile"]
    controller.set_profile_field("kind", "epci")
    assert page.criteria.isVisibleTo(page)


def test_read_only_dossier_cannot_be_edited(
    qtbot: QtBot, ws: Workspace, edition: Edition, page: EpciPage, controller: DossierController
) -> None:
    ws.import_document(to_document(_epci_dossier(edition)))
    ws.validate(edition.id)
    controller.load_now()
    assert controller.read_only and page.read_only_note.isVisibleTo(page)
    row = page.rows["epci-01"]
    assert row.details.isReadOnly() and not any(b.isEnabled() for b in row.buttons.values())
    row.details.setFocus()
    key_clicks(qtbot, row.details, "x")
    assert row.details.toPlainText() == "Précisions 0"
    assert controller.dossier.epci_answers[0].details == "Précisions 0"


def test_keyboard_names_labels_and_focus(qtbot: QtBot, page: EpciPage) -> None:
    focusable = tab_controls(page)
    assert focusable
    for widget in focusable:
        assert widget.accessibleName().strip(), widget
    buddies = {label.buddy() for label in page.findChildren(QLabel) if "&" in label.text()}
    assert all(row.details in buddies for row in page.rows.values())
    assert all(row.details.tabChangesFocus() for row in page.rows.values())

    assert page.focus_field("epci:epci-05")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.rows["epci-05"].buttons[None])
    assert not page.focus_field("epci:inconnu") and not page.focus_field("profile.name")
    # Tab from the details of one criterion goes to the answers of the next one, never into the text.
    details = page.rows["epci-05"].details
    details.setFocus()
    qtbot.waitUntil(details.hasFocus)
    qtbot.keyClick(details, Qt.Key.Key_Tab)
    nxt = QApplication.focusWidget()
    assert nxt in page.rows["epci-06"].buttons.values()
    assert isinstance(details, QPlainTextEdit) and "\t" not in details.toPlainText()
