"""The sub-theme page: the question, each service with its best level and its actions, live."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import action, complete_dossier
from tests.ui.helpers import wait_idle
from ui.dossier_controller import DossierController
from ui.pages.subtheme_page import SubthemePage
from ui.qt import QItemSelectionModel, Qt
from ui.tasks import TaskRunner

FLAGS = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows


def _page(qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition) -> tuple[DossierController, SubthemePage]:
    dossier = complete_dossier(
        edition,
        0,
        actions=(
            action(edition, 0, title="Wifi à la médiathèque", services=("mediation-05",), level="en-cours"),
            action(edition, 1, title="Bornes d'accès", services=("mediation-05", "innovation-02"), level="realise"),
            action(edition, 2, title="Permanence numérique", services=("mediation-01",), level="projet"),
        ),
    )
    ws.import_document(to_document(dossier))
    ctl = DossierController(ws, runner)
    ctl.load_now()
    page = SubthemePage(ctl, runner)
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.refresh()
    page.show()
    qtbot.waitExposed(page)
    page.show_subtheme("mediation")
    return ctl, page


def _row(page: SubthemePage, service_id: str) -> tuple[str, str, list[str]]:
    index = page.service_row(service_id)
    label = page.model.itemFromIndex(index)
    level = page.model.item(index.row(), 1).text()
    return label.text(), level, [label.child(i, 0).text() for i in range(label.rowCount())]


def test_shows_the_question_then_each_service_with_its_best_level_and_actions(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    _ctl, page = _page(qtbot, ws, runner, edition)
    st = edition.subtheme("mediation")
    assert page.title_label.text() == st.title
    assert page.question_label.text() == st.question
    assert page.theme_label.text() == edition.theme("connaissances").title
    assert page.coverage_label.text() == "2 services couverts sur 6."
    assert page.model.rowCount() == len(st.services) == 6
    assert [page.model.item(r, 0).text() for r in range(6)] == [s.label for s in st.services]

    label, level, actions = _row(page, "mediation-05")
    assert label == edition.service("mediation-05").label
    assert level == "✓ Réalisé"  # the best of "En cours" and "Réalisé", written out and marked
    assert actions == ["Wifi à la médiathèque", "Bornes d'accès"]
    assert _row(page, "mediation-01")[1:] == ("● En projet", ["Permanence numérique"])
    assert _row(page, "mediation-02")[1:] == ("○ Aucune action", [])
    spoken = page.model.itemFromIndex(page.service_row("mediation-05")).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.endswith("meilleur niveau : Réalisé, 2 actions")
    assert page.view.accessibleName() and page.add_button.accessibleName()


def test_updates_live_on_edits_creations_and_deletions(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    ctl, page = _page(qtbot, ws, runner, edition)
    permanence = ctl.dossier.actions[2].uuid
    ctl.set_action_field(permanence, "level", "realise")
    ctl.set_action_field(permanence, "title", "Permanence numérique du samedi")
    assert _row(page, "mediation-01")[1:] == ("✓ Réalisé", ["Permanence numérique du samedi"])

    with qtbot.waitSignal(ctl.action_changed):
        new = ctl.create_action(title="Cours de tablette", services=("mediation-02",), level="en-cours")
    assert _row(page, "mediation-02")[1:] == ("● En cours", ["Cours de tablette"])
    assert page.coverage_label.text() == "3 services couverts sur 6."

    with qtbot.waitSignal(ctl.action_removed):
        ctl.delete_action(new)
    assert _row(page, "mediation-02")[1:] == ("○ Aucune action", [])
    wait_idle(qtbot, runner)


def test_add_an_action_for_the_selected_service_and_open_an_action(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    ctl, page = _page(qtbot, ws, runner, edition)
    page.view.selectionModel().setCurrentIndex(page.service_row("mediation-03"), FLAGS)
    assert page.add_button.isEnabled() and not page.open_button.isEnabled()
    with qtbot.waitSignal(page.navigate_requested) as emitted:
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert emitted.args == ["new-action:mediation-03"]

    bornes = ctl.dossier.actions[1].uuid
    child = page.model.itemFromIndex(page.service_row("mediation-05")).child(1, 0).index()
    page.view.selectionModel().setCurrentIndex(child, FLAGS)
    page.view.setFocus()
    assert page.selected_service() == "mediation-05"  # an action row adds to its service
    with qtbot.waitSignal(page.navigate_requested) as emitted:
        qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert emitted.args == [f"action:{bornes}"]
    with qtbot.waitSignal(page.navigate_requested) as emitted:
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert emitted.args == ["new-action:mediation-05"]


def test_a_validated_dossier_offers_no_new_action(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    ctl, page = _page(qtbot, ws, runner, edition)
    page.view.selectionModel().setCurrentIndex(page.service_row("mediation-03"), FLAGS)
    assert page.add_button.isEnabled() and page.read_only_label.isHidden()
    with qtbot.waitSignal(ctl.state_changed, timeout=10_000):
        ctl.validate(lambda _s: None, pytest.fail)
    assert not page.add_button.isEnabled()
    assert page.read_only_label.isVisible() and "Modifier (nouvelle révision)" in page.read_only_label.text()
    with qtbot.assertNotEmitted(page.navigate_requested):
        page.add_action_for_selected()
    wait_idle(qtbot, runner)
