"""The actions page: a real table model, filters and sorting, deletion with undo, shortcuts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import action, complete_dossier, fixed_clock
from tests.ui.helpers import wait_idle
from ui.models.actions_model import COL_SERVICES, COL_THEMES, COL_TITLE
from ui.pages.actions_page import ActionsPage
from ui.qt import QPoint, Qt
from ui.tasks import TaskRunner

PageFactory = Callable[[], ActionsPage]

# title, synthesis, services, level
ACTIONS = [
    ("École numérique", "Tablettes pour les classes.", ("education-01",), "realise"),
    ("Atelier à la médiathèque", "Avec l'école élémentaire du bourg.", ("mediation-02",), "en-cours"),
    ("Wifi public", "Bornes sur la place.", ("innovation-02",), "projet"),
    ("Portail citoyen", "Démarches en ligne.", ("efficacite-03", "democratie-locale-01"), "realise"),
    ("Ecole de musique en ligne", "Cours à distance.", ("culture-02",), None),
    ("zèbre numérique", "Signalétique.", (), "en-cours"),
]


@pytest.fixture
def six(ws: Workspace, edition: Edition) -> list[str]:
    """Six actions with known themes, levels and titles; returns their uuids in dossier order."""
    actions = tuple(
        action(
            edition,
            n,
            title=t,
            synthesis=syn,
            services=svc,
            level=lv,
            addresses=(),
            results="",
            tools="",
            partners="",
            web_link="",
        )
        for n, (t, syn, svc, lv) in enumerate(ACTIONS)
    )
    ws.import_document(to_document(complete_dossier(edition, 0, actions=actions)))
    return [a.uuid for a in actions]


def shown_titles(page: ActionsPage) -> list[str]:
    return [page.proxy.index(r, COL_TITLE).data() for r in range(page.proxy.rowCount())]


def test_the_table_shows_one_row_per_action(make_page: PageFactory, six: list[str]) -> None:
    page = make_page()
    assert page.model.rowCount() == 6 and page.proxy.rowCount() == 6
    assert shown_titles(page) == [t for t, *_ in ACTIONS]  # the dossier's order until a header is clicked
    assert page.model.index(3, COL_SERVICES).data().startswith("2 : ")
    assert page.model.index(3, COL_THEMES).data() == "Démocratie & services publics"
    assert page.model.index(5, COL_SERVICES).data() == "aucun"
    assert page.count_label.text() == "6 actions"
    assert page.table.accessibleName() and page.table.selectionBehavior().name == "SelectRows"
    assert not page.delete_button.isEnabled() and not page.delete_button.autoDefault()


def test_filters_by_theme_subtheme_level_and_words_without_accents(
    qtbot: QtBot, make_page: PageFactory, six: list[str]
) -> None:
    page = make_page()
    page.theme_combo.setCurrentIndex(page.theme_combo.findData("connaissances"))
    assert sorted(shown_titles(page)) == sorted(
        ["École numérique", "Atelier à la médiathèque", "Ecole de musique en ligne"]
    )
    assert page.count_label.text() == "3 actions affichées sur 6"
    # the sub-themes offered are those of the chosen theme
    offered = {page.subtheme_combo.itemData(i) for i in range(1, page.subtheme_combo.count())}
    assert offered == {st.id for st in page.controller.edition.theme("connaissances").subthemes}
    page.subtheme_combo.setCurrentIndex(page.subtheme_combo.findData("mediation"))
    assert shown_titles(page) == ["Atelier à la médiathèque"]
    page.theme_combo.setCurrentIndex(0)
    assert page.subtheme_combo.count() == 1 + len(page.controller.edition.subthemes)
    assert page.subtheme_combo.currentData() == "mediation"  # kept: it is still offered
    page.subtheme_combo.setCurrentIndex(0)

    page.level_combo.setCurrentIndex(page.level_combo.findData("realise"))
    assert shown_titles(page) == ["École numérique", "Portail citoyen"]
    page.theme_combo.setCurrentIndex(page.theme_combo.findData("connaissances"))
    assert shown_titles(page) == ["École numérique"]
    page.theme_combo.setCurrentIndex(0)
    page.level_combo.setCurrentIndex(page.level_combo.count() - 1)  # "Niveau non renseigné"
    assert shown_titles(page) == ["Ecole de musique en ligne"]
    page.level_combo.setCurrentIndex(0)

    page.search_edit.setFocus()
    qtbot.keyClicks(page.search_edit, "ecole")  # matches "École" and "l'école" (accents, case ignored)
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 3)
    assert shown_titles(page) == ["École numérique", "Atelier à la médiathèque", "Ecole de musique en ligne"]
    page.search_edit.setText("WIFI place")  # every word must be found
    page.apply_filters()
    assert shown_titles(page) == ["Wifi public"]
    page.clear_filters()
    assert page.proxy.rowCount() == 6 and page.search_edit.text() == ""


def test_sorting_by_title_with_a_header_click(qtbot: QtBot, make_page: PageFactory, six: list[str]) -> None:
    page = make_page()
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(COL_TITLE) + header.sectionSize(COL_TITLE) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    expected = [
        "Atelier à la médiathèque",
        "Ecole de musique en ligne",
        "École numérique",
        "Portail citoyen",
        "Wifi public",
        "zèbre numérique",
    ]
    assert shown_titles(page) == expected
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert shown_titles(page) == expected[::-1]
    page.table.sortByColumn(COL_TITLE, Qt.SortOrder.AscendingOrder)
    # an edit moves the row to its place, and the fiche and the selection follow it
    uuid = six[5]
    page.select_action(uuid)
    page.editor.title_edit.setFocus()
    page.editor.title_edit.selectAll()
    qtbot.keyClicks(page.editor.title_edit, "Borne")
    assert shown_titles(page)[1] == "Borne"
    assert page.selected_uuid() == uuid and page.editor.action_uuid == uuid
    # sorted rows stay sorted when filters change
    page.level_combo.setCurrentIndex(page.level_combo.findData("en-cours"))
    assert shown_titles(page) == ["Atelier à la médiathèque", "Borne"]


def test_delete_shows_an_undo_bar_and_ctrl_z_puts_the_action_back(
    qtbot: QtBot, make_page: PageFactory, six: list[str], ws: Workspace, runner: TaskRunner, catalog: EditionCatalog
) -> None:
    page = make_page()
    uuid = six[2]
    assert page.select_action(uuid)
    assert page.delete_button.isEnabled()
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert page.model.row_of(uuid) is None and page.proxy.rowCount() == 5
    assert page.undo_bar.isVisible() and page.undo_bar.text == "Action « Wifi public » supprimée."
    assert page.table.hasFocus() and page.editor.action_uuid != uuid
    wait_idle(qtbot, runner)
    assert ws.load("2019").action(uuid) is None

    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.model.row_of(uuid) is not None)
    assert page.model.row_of(uuid) == 2  # back at its place
    assert page.selected_uuid() == uuid and page.editor.action_uuid == uuid
    assert not page.undo_bar.isVisible()
    wait_idle(qtbot, runner)
    other = Workspace.open(ws.path, catalog, clock=fixed_clock)
    try:
        back = other.load("2019").action(uuid)
        assert back is not None and back.title == "Wifi public" and back.services == ("innovation-02",)
    finally:
        other.close()


def test_suppr_deletes_only_from_the_table_and_annuler_undoes(
    qtbot: QtBot, make_page: PageFactory, six: list[str], runner: TaskRunner
) -> None:
    page = make_page()
    page.select_action(six[0])
    page.search_edit.setFocus()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Delete)  # in a text field, Suppr edits text
    page.editor.title_edit.setFocus()
    qtbot.keyClick(page.editor.title_edit, Qt.Key.Key_Delete)
    assert page.model.rowCount() == 6
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.rowCount() == 5 and page.model.row_of(six[0]) is None
    assert page.undo_bar.isVisible()
    qtbot.mouseClick(page.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert page.model.row_of(six[0]) == 0 and not page.undo_bar.isVisible()
    assert page.controller.action(six[0]).title == "École numérique"
    wait_idle(qtbot, runner)


def test_ctrl_z_in_a_text_field_undoes_typing_not_a_deletion(
    qtbot: QtBot, make_page: PageFactory, six: list[str]
) -> None:
    page = make_page()
    page.select_action(six[1])
    page.delete_selected()
    assert page.model.rowCount() == 5
    page.search_edit.setFocus()
    qtbot.keyClicks(page.search_edit, "ab")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(20)  # a deletion undone would arrive on the next turn of the event loop
    assert page.model.rowCount() == 5 and page.search_edit.text() != "ab"


def test_new_action_with_ctrl_n_and_for_a_service(qtbot: QtBot, make_page: PageFactory, six: list[str]) -> None:
    page = make_page()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.model.rowCount() == 7)
    created = page.editor.action_uuid
    assert created not in six and page.selected_uuid() == created
    assert page.editor.title_edit.hasFocus()
    assert page.model.index(page.model.row_of(created), COL_TITLE).data() == "(sans titre)"

    page.search_edit.setText("wifi")  # a filter that would hide the new action is cleared
    page.apply_filters()
    uuid = page.new_action_for_service("mediation-05")
    assert uuid is not None and page.controller.action(uuid).services == ("mediation-05",)
    assert page.selected_uuid() == uuid and page.editor.title_edit.hasFocus()
    assert page.editor.services.selected() == ("mediation-05",)
    assert page.search_edit.text() == "" and page.proxy.rowCount() == 8
    assert page.new_action_for_service("pas-un-service") is None


def test_the_fiche_stays_when_a_filter_hides_its_row(qtbot: QtBot, make_page: PageFactory, six: list[str]) -> None:
    page = make_page()
    page.select_action(six[3])
    page.search_edit.setText("wifi")
    page.apply_filters()
    assert page.proxy.rowCount() == 1 and page.editor.action_uuid == six[3]
    assert page.focus_field(f"action:{six[3]}.title")  # brings it back into view
    assert page.proxy.rowCount() == 6 and page.selected_uuid() == six[3]


def test_five_thousand_actions(make_page: PageFactory, ws: Workspace, edition: Edition) -> None:
    dossier = complete_dossier(edition, 5000)
    ws.import_document(to_document(dossier))
    page = make_page()
    assert page.model.rowCount() == 5000
    theme = edition.themes[1]
    expected = sum(1 for a in dossier.actions if edition.service(a.services[0]).theme_id == theme.id)
    page.theme_combo.setCurrentIndex(page.theme_combo.findData(theme.id))
    assert page.proxy.rowCount() == expected and 0 < expected < 5000


def test_supprimer_is_enabled_on_the_first_action_clicked_after_a_restart(
    qtbot: QtBot, make_page: PageFactory, six: list[str]
) -> None:
    page = make_page()  # a fresh page on the stored dossier, as after a restart: nothing selected yet
    assert not page.delete_button.isEnabled()
    rect = page.table.visualRect(page.proxy.index(0, COL_TITLE))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.editor.action_uuid == six[0]
    assert page.delete_button.isEnabled()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Down)  # and with the keyboard
    assert page.editor.action_uuid == six[1] and page.delete_button.isEnabled()
