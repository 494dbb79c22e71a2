"""The profile page: picked from the official list, typed with the keyboard, checked as typed, in the file."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.communes import CommuneDataUnavailable, CommuneIndex
from app.edition import Edition, EditionCatalog
from app.edits import AUTOSAVE_DELAY_MS
from app.interchange import to_document
from app.model import Profile
from app.workspace import Workspace
from tests.factories import complete_dossier, fixed_clock
from tests.ui.helpers import key_clicks, tab_controls, wait_idle
from ui.dossier_controller import DossierController
from ui.pages.profile_page import ProfilePage
from ui.qt import QApplication, QComboBox, QLabel, QLineEdit, Qt, QWidget
from ui.tasks import TaskRunner
from ui.widgets.common import page_heading
from ui.widgets.commune_picker import LOADING, attribution
from ui.widgets.profile_fields import (
    EMAIL_MESSAGE,
    INSEE_MESSAGE,
    POPULATION_MESSAGE,
    POSTAL_MESSAGE,
    SIREN_LENGTH_MESSAGE,
)

SAVE_TIMEOUT = AUTOSAVE_DELAY_MS + 5000
# The offscreen platform cannot raise the suggestion popup nor grab the keyboard for it, and says so.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def controller(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> Iterator[DossierController]:
    ctl = DossierController(ws, runner)
    ctl.load_now()
    yield ctl
    ctl.save_pending()  # no autosave timer may fire after the runner is shut down
    wait_idle(qtbot, runner)


def _show(qtbot: QtBot, page: QWidget) -> None:
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitActive(page)


@pytest.fixture
def page(qtbot: QtBot, controller: DossierController, runner: TaskRunner) -> ProfilePage:
    widget = ProfilePage(controller, runner)
    _show(qtbot, widget)
    assert widget.picker.index is None and runner.pending == 0  # the list is read on first use only
    assert widget.source.text() == attribution(None)  # credited before it is read, with its version after
    return widget


def _type(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    key_clicks(qtbot, line, text)


def _reopened_profile(ws: Workspace, catalog: EditionCatalog) -> Profile:
    other = Workspace.open(ws.path, catalog, clock=fixed_clock)
    try:
        return other.profile()
    finally:
        other.close()


def _saved(qtbot: QtBot, controller: DossierController, runner: TaskRunner) -> None:
    with qtbot.waitSignal(controller.saved, timeout=SAVE_TIMEOUT):
        pass
    wait_idle(qtbot, runner)


def test_picked_and_typed_profile_is_in_the_file(
    qtbot: QtBot,
    page: ProfilePage,
    controller: DossierController,
    runner: TaskRunner,
    ws: Workspace,
    catalog: EditionCatalog,
) -> None:
    picker = page.picker
    _type(qtbot, picker.edit, "Renn")
    qtbot.waitUntil(picker.popup_visible)
    names = [place.name for place in picker.results()]
    popup = picker.completer.popup()
    for _ in range(names.index("Rennes") + 1):
        qtbot.keyClick(popup, Qt.Key.Key_Down)
    with qtbot.waitSignal(picker.place_chosen):
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert not picker.popup_visible()
    assert page.line("name").text() == "Rennes"
    assert page.line("code").text() == "35238"
    assert page.line("departement").text() == "35"
    assert page.departement_name.text() == "Ille-et-Vilaine"
    assert page.line("population").text().replace("\u202f", "") == str(CommuneIndex.load().by_code("35238").population)
    assert page.line("postal_code").text() == "35000" and page.line("city").text() == "Rennes"
    assert "Rennes Métropole" in page.official.text()
    assert page.source.text() == attribution(CommuneIndex.load().metadata)
    assert "Licence Ouverte" in page.source.text() and "Etalab" in page.source.text()

    _type(qtbot, page.line("street"), "1 place de la Mairie")
    _type(qtbot, page.line("referent_name"), "Claire Le Goff")
    _type(qtbot, page.line("referent_role"), "Secrétaire de mairie")
    _type(qtbot, page.line("referent_email"), "mairie@rennes.fr")
    _type(qtbot, page.line("referent_phone"), "02 99 49 00 00")
    assert all(page.message(name) == "" for name in page.messages)
    _saved(qtbot, controller, runner)

    population = CommuneIndex.load().by_code("35238").population
    assert _reopened_profile(ws, catalog) == Profile(
        name="Rennes",
        kind="commune",
        code="35238",
        departement="35",
        population=population,
        street="1 place de la Mairie",
        postal_code="35000",
        city="Rennes",
        referent_name="Claire Le Goff",
        referent_role="Secrétaire de mairie",
        referent_email="mairie@rennes.fr",
        referent_phone="02 99 49 00 00",
        epci_code="243500139",
        epci_name="Rennes Métropole",
    )


def test_an_intercommunality_is_picked_with_its_siren(
    qtbot: QtBot, page: ProfilePage, controller: DossierController
) -> None:
    _type(qtbot, page.picker.edit, "rennes metropole")
    qtbot.waitUntil(page.picker.popup_visible)
    assert page.picker.model.index(0, 0).data().startswith("Rennes Métropole (Métropole) — SIREN 243500139")
    with qtbot.waitSignal(page.picker.place_chosen):
        qtbot.keyClick(page.picker.completer.popup(), Qt.Key.Key_Return)  # nothing highlighted: the first one
    assert controller.profile.kind == "epci" and controller.profile.code == "243500139"
    assert page.kind_combo.currentData() == "epci"
    assert page.labels["code"].text() == "C&ode SIREN :"
    assert page.line("code").accessibleName().startswith("Code SIREN")
    assert controller.profile.postal_code == "" and controller.profile.city == ""  # an EPCI has no postal code
    assert page.epci_button.isVisibleTo(page)
    with qtbot.waitSignal(page.navigate_requested) as blocker:
        page.epci_button.click()
    assert blocker.args == ["epci"]
    page.line("code").setFocus()
    page.line("code").selectAll()
    qtbot.keyClicks(page.line("code"), "24350013")
    page.line("code").clearFocus()
    assert page.message("code") == SIREN_LENGTH_MESSAGE


def test_typing_before_the_list_is_loaded_loses_nothing(
    qtbot: QtBot, controller: DossierController, runner: TaskRunner
) -> None:
    release = threading.Event()

    def slow_loader() -> CommuneIndex:
        release.wait(10)
        return CommuneIndex.load()

    page = ProfilePage(controller, runner, commune_loader=slow_loader)
    _show(qtbot, page)
    _type(qtbot, page.picker.edit, "Saint-Aubin-des-L")
    assert page.picker.loading and page.picker.edit.text() == "Saint-Aubin-des-L"
    assert page.picker.status.text() == LOADING
    release.set()
    qtbot.waitUntil(page.picker.popup_visible)
    assert page.picker.results()[0].name == "Saint-Aubin-des-Landes"
    qtbot.keyClick(page.picker.completer.popup(), Qt.Key.Key_Escape)
    assert not page.picker.popup_visible()
    assert page.picker.edit.text() == "Saint-Aubin-des-L"
    assert controller.profile.name == ""  # only a choice fills the profile


def test_invalid_email_is_saved_and_explained_in_words(
    qtbot: QtBot,
    page: ProfilePage,
    controller: DossierController,
    runner: TaskRunner,
    ws: Workspace,
    catalog: EditionCatalog,
) -> None:
    email = page.line("referent_email")
    _type(qtbot, email, "mairie.rennes.fr")
    assert page.message("referent_email") == ""  # still being typed: could become right
    qtbot.keyClick(email, Qt.Key.Key_Tab)  # leaving the field
    assert page.message("referent_email") == EMAIL_MESSAGE
    assert page.messages["referent_email"].isVisibleTo(page)
    assert email.accessibleDescription() == EMAIL_MESSAGE
    # the mark is an icon too, never a colour alone: drawn with the first message (not for every field at start)
    assert not page.messages["referent_email"].icon.pixmap().isNull()
    marks = [a for a in email.actions() if a.isVisible()]
    assert len(marks) == 1 and not marks[0].icon().isNull() and "à vérifier" in marks[0].toolTip()
    assert page.messages["postal_code"].icon.pixmap().isNull() and page.line("postal_code").actions() == []
    _saved(qtbot, controller, runner)
    assert _reopened_profile(ws, catalog).referent_email == "mairie.rennes.fr"

    postal = page.line("postal_code")
    _type(qtbot, postal, "35A")  # a letter can never be right: said at once
    assert page.message("postal_code") == POSTAL_MESSAGE
    qtbot.keyClick(postal, Qt.Key.Key_Backspace)
    qtbot.keyClicks(postal, "500")
    assert page.message("postal_code") == ""  # fixed at the keystroke that fixes it
    assert not any(a.isVisible() for a in postal.actions())
    code = page.line("code")
    _type(qtbot, code, "352")
    assert page.message("code") == ""
    qtbot.keyClick(code, Qt.Key.Key_Tab)
    assert page.message("code") == INSEE_MESSAGE


def test_population_unknown_or_not_a_number(
    qtbot: QtBot, page: ProfilePage, controller: DossierController, runner: TaskRunner
) -> None:
    population = page.line("population")
    _type(qtbot, population, "1047")
    assert controller.profile.population == 1047
    qtbot.keyClicks(population, " env.")
    assert page.message("population") == POPULATION_MESSAGE
    assert controller.profile.population == 1047  # not a number: not stored, still on screen
    controller.set_profile_field("city", "Rennes")  # a change from elsewhere leaves the field alone
    assert population.text() == "1047 env."
    population.selectAll()
    qtbot.keyClick(population, Qt.Key.Key_Delete)
    assert controller.profile.population is None and page.message("population") == ""
    assert population.placeholderText() == "inconnue"
    qtbot.keyClicks(population, "12000")
    qtbot.keyClick(population, Qt.Key.Key_Tab)
    assert controller.profile.population == 12000 and population.text() == "12\u202f000"


def test_newline_pasted_in_the_name_is_refused_and_kept_on_screen(
    qtbot: QtBot,
    page: ProfilePage,
    controller: DossierController,
    runner: TaskRunner,
    ws: Workspace,
    catalog: EditionCatalog,
) -> None:
    name = page.line("name")
    _type(qtbot, name, "Rennes")
    _saved(qtbot, controller, runner)
    QApplication.clipboard().setText("\nMétropole")
    qtbot.keyClick(name, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert name.text() == "Rennes\nMétropole"
    assert "une seule ligne" in page.message("name")
    assert controller.profile.name == "Rennes" and not controller.has_pending()
    controller.set_profile_field("street", "1 place de la Mairie")  # another field changes: the name stays
    name.clearFocus()
    controller.set_profile_field("city", "Rennes")
    assert name.text() == "Rennes\nMétropole" and "une seule ligne" in page.message("name")
    _saved(qtbot, controller, runner)
    assert _reopened_profile(ws, catalog).name == "Rennes"
    name.setFocus()
    qtbot.keyClick(name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the paste
    assert name.text() == "Rennes" and page.message("name") == ""


def test_changes_from_elsewhere_do_not_move_the_cursor(
    qtbot: QtBot, page: ProfilePage, controller: DossierController
) -> None:
    city = page.line("city")
    _type(qtbot, city, "Renes")
    city.setCursorPosition(3)
    qtbot.keyClicks(city, "n")
    assert city.text() == "Rennes" and city.cursorPosition() == 4
    controller.set_profile_field("name", "Rennes")
    controller.set_profile_field("kind", "epci")
    assert page.line("name").text() == "Rennes" and page.kind_combo.currentData() == "epci"
    assert page.labels["code"].text() == "C&ode SIREN :"
    assert city.cursorPosition() == 4 and city.hasFocus()


def test_read_only_dossier_cannot_be_edited(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition, page: ProfilePage, controller: DossierController
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    ws.validate(edition.id)
    controller.load_now()
    assert controller.read_only
    assert page.read_only_note.isVisibleTo(page)
    assert all(page.line(name).isReadOnly() for name in page.messages)
    assert not page.kind_combo.isEnabled() and not page.picker.isEnabled()
    name = page.line("name")
    assert name.text() == "Saint-Aubin-des-Landes"
    name.setFocus()
    qtbot.keyClicks(name, "X")
    assert name.text() == "Saint-Aubin-des-Landes" and controller.profile.name == "Saint-Aubin-des-Landes"
    with qtbot.waitSignal(controller.state_changed, timeout=SAVE_TIMEOUT):
        controller.reopen()
    assert not name.isReadOnly() and page.kind_combo.isEnabled() and not page.read_only_note.isVisibleTo(page)


def test_every_control_is_named_labelled_and_in_reading_order(qtbot: QtBot, page: ProfilePage) -> None:
    focusable = tab_controls(page)
    assert focusable
    for widget in focusable:
        assert widget.accessibleName().strip(), widget
    buddies = {label.buddy(): label.text() for label in page.findChildren(QLabel) if label.buddy() is not None}
    for name, editor in page.editors.items():
        assert "&" in buddies.get(editor, ""), name
    assert page.search_label.buddy() is page.picker.edit

    page.picker.edit.setFocus()
    qtbot.waitUntil(page.picker.edit.hasFocus)
    visited: list[QWidget] = []
    for _ in page.editors:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert visited == list(page.editors.values())
    assert isinstance(page.editors["kind"], QComboBox)


def test_focus_field_puts_the_cursor_on_the_field(page: ProfilePage, qtbot: QtBot) -> None:
    assert page.focus_field("profile.referent_phone")
    qtbot.waitUntil(page.line("referent_phone").hasFocus)
    assert page.focus_field("profile.kind")
    assert not page.focus_field("profile.nope")
    assert not page.focus_field("epci:epci-01")
    assert not page.focus_field("dossier")


def test_without_the_list_the_fields_are_typed_by_hand(
    qtbot: QtBot, controller: DossierController, runner: TaskRunner
) -> None:
    def broken_loader() -> CommuneIndex:
        raise CommuneDataUnavailable("La liste des communes fournie avec Arobase est introuvable ou abîmée.")

    page = ProfilePage(controller, runner, commune_loader=broken_loader)
    _show(qtbot, page)
    with qtbot.waitSignal(page.picker.index_failed):
        _type(qtbot, page.picker.edit, "Renn")
    assert "introuvable" in page.picker.status.text() and page.picker.status.isVisibleTo(page)
    assert page.picker.edit.text() == "Renn" and not page.picker.popup_visible()
    _type(qtbot, page.line("code"), "35238")
    assert controller.profile.code == "35238" and page.message("code") == ""


def test_a_page_heading_is_its_title_as_plain_text_set_large(qtbot: QtBot) -> None:
    """Headings carry no markup: a title with « & » or « < » (an edition's sub-theme from the server) reads as
    typed, larger and bold than the text around it, and a screen reader says the same title."""
    parent = QWidget()
    qtbot.addWidget(parent)
    body = QLabel("texte", parent)
    title = "Identité, droits & liberté <b>"
    heading = page_heading(parent, title)
    assert heading.text() == title and heading.textFormat() == Qt.TextFormat.PlainText
    assert heading.accessibleName() == title
    assert heading.font().bold() and heading.font().pointSizeF() > body.font().pointSizeF()
