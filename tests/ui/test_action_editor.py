"""The fiche of an action: every field typed as a user would, then found again in the SQLite file."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from pytestqt.qt_compat import qt_api
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog, fold
from app.edits import AUTOSAVE_DELAY_MS
from app.interchange import to_document
from app.model import Address
from app.workspace import MAX_ATTACHMENT_BYTES, Workspace
from tests.factories import complete_dossier, fixed_clock
from tests.ui.helpers import wait_idle
from ui.pages.actions_page import ActionsPage
from ui.qt import QApplication, Qt, QUrl, QWidget
from ui.tasks import TaskRunner
from ui.widgets.action_fields import DatesCheck, check_dates, parse_date
from ui.widgets.services_picker import ID_ROLE, ServicesPicker

QTest = qt_api.QtTest.QTest


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a user: QTest only knows ASCII characters by name, so others go with their text."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClick(widget, ch)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def tiny_png() -> bytes:
    """A real 1×1 PNG (one red pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PageFactory = Callable[[], ActionsPage]


def one_action_chosen(ws: Workspace, make_page: PageFactory, edition: Edition) -> tuple[ActionsPage, str]:
    """The actions page on a dossier of one complete action, that action chosen (its fiche shown)."""
    ws.import_document(to_document(complete_dossier(edition, 1)))
    page = make_page()
    uuid = page.controller.dossier.actions[0].uuid
    assert page.select_action(uuid)
    return page, uuid


def reopen(ws: Workspace, catalog: EditionCatalog) -> Workspace:
    return Workspace.open(ws.path, catalog, clock=fixed_clock)


def wait_saved(qtbot: QtBot, page: ActionsPage, runner: TaskRunner) -> None:
    if page.controller.has_pending():
        with qtbot.waitSignal(page.controller.saved, timeout=AUTOSAVE_DELAY_MS + 5000):
            pass
    wait_idle(qtbot, runner)


def test_a_new_action_filled_in_everywhere_is_in_the_file(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, make_page: PageFactory, catalog: EditionCatalog, tmp_path: Path
) -> None:
    page = make_page()
    editor = page.editor
    assert not page.delete_button.isEnabled()  # nothing chosen: nothing to delete

    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    uuid = editor.action_uuid
    assert uuid is not None and page.selected_uuid() == uuid
    assert editor.title_edit.hasFocus()
    assert page.model.rowCount() == 1

    type_text(qtbot, editor.title_edit, "Ateliers à l'École")
    editor.synthesis_edit.setFocus()
    type_text(qtbot, editor.synthesis_edit, "Initiation le mardi.")
    qtbot.keyClick(editor.synthesis_edit, Qt.Key.Key_Return)
    type_text(qtbot, editor.synthesis_edit, "Démarches en ligne.")
    editor.level_combo.setFocus()
    editor.level_combo.setCurrentIndex(editor.level_combo.findData("realise"))
    editor.results_edit.setFocus()
    type_text(qtbot, editor.results_edit, "40 habitants")
    editor.tools_edit.setFocus()
    type_text(qtbot, editor.tools_edit, "Portables")
    editor.partners_edit.setFocus()
    type_text(qtbot, editor.partners_edit, "France Services")
    editor.delivered_combo.setCurrentIndex(editor.delivered_combo.findData("association"))
    editor.start_edit.setFocus()
    type_text(qtbot, editor.start_edit, "1/9/2025")
    editor.end_edit.setFocus()  # leaving the field rewrites the date in full
    assert editor.start_edit.text() == "01/09/2025"
    type_text(qtbot, editor.end_edit, "30/06/2026")
    editor.web_edit.setFocus()
    type_text(qtbot, editor.web_edit, "https://mairie.example/ateliers")

    # services: "medi" finds "médiation" (accents and case ignored); Down, Space checks, Down, Space
    picker = editor.services
    picker.search_edit.setFocus()
    type_text(qtbot, picker.search_edit, "medi")
    visible = picker.visible_service_ids()
    assert visible and len(visible) < len(page.controller.edition.services)
    edition = page.controller.edition
    for sid in visible:
        service = edition.service(sid)
        haystack = fold(f"{service.label} {edition.subtheme(service.subtheme_id).title}")
        assert "medi" in haystack
    assert any("médiation" in edition.service(sid).label for sid in visible)
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Down)
    assert picker.tree.hasFocus()
    assert picker.tree.currentIndex().data(ID_ROLE) == visible[0]
    qtbot.keyClick(picker.tree, Qt.Key.Key_Space)
    qtbot.keyClick(picker.tree, Qt.Key.Key_Down)
    while picker.tree.currentIndex().data(ID_ROLE) is None:  # past a sub-theme heading
        qtbot.keyClick(picker.tree, Qt.Key.Key_Down)
    qtbot.keyClick(picker.tree, Qt.Key.Key_Space)
    chosen = picker.selected()
    assert chosen == (visible[0], visible[1])
    assert picker.chosen_model.rowCount() == 2 and picker.count_label.text() == "2 services liés."

    # two addresses
    addresses = editor.addresses
    qtbot.mouseClick(addresses.add_button, Qt.MouseButton.LeftButton)
    assert addresses.edits["label"].hasFocus()
    type_text(qtbot, addresses.edits["label"], "Médiathèque")
    for part, text in (("street", "2 rue des Écoles"), ("postal_code", "35500"), ("city", "Vitré")):
        addresses.edits[part].setFocus()
        type_text(qtbot, addresses.edits[part], text)
    qtbot.mouseClick(addresses.add_button, Qt.MouseButton.LeftButton)
    for part, text in (("street", "1 place de la Mairie"), ("postal_code", "35500"), ("city", "Vitré")):
        addresses.edits[part].setFocus()
        type_text(qtbot, addresses.edits[part], text)
    assert addresses.model.stringList() == [
        "Médiathèque — 2 rue des Écoles, 35500 Vitré",
        "1 place de la Mairie, 35500 Vitré",
    ]

    # a real PNG, copied and hashed off the GUI thread
    photo = tmp_path / "atelier.png"
    photo.write_bytes(tiny_png())
    assert editor.attachments.add_files([photo]) == 1
    qtbot.waitUntil(lambda: editor.attachments.names() == ["atelier.png"], timeout=5000)
    assert "photo ou image" in editor.attachments.model.item(0).text()

    wait_saved(qtbot, page, runner)
    assert page.model.rows[0].display[0] == "Ateliers à l'École"

    other = reopen(ws, catalog)
    try:
        stored = other.load("2019").action(uuid)
        assert stored is not None
        assert stored.title == "Ateliers à l'École"
        assert stored.synthesis == "Initiation le mardi.\nDémarches en ligne."
        assert stored.level == "realise"
        assert (stored.results, stored.tools, stored.partners) == ("40 habitants", "Portables", "France Services")
        assert stored.delivered_by == "association"
        assert (stored.start_date, stored.end_date) == (date(2025, 9, 1), date(2026, 6, 30))
        assert stored.web_link == "https://mairie.example/ateliers"
        assert set(stored.services) == set(chosen)
        assert stored.addresses == (
            Address("Médiathèque", "2 rue des Écoles", "35500", "Vitré"),
            Address("", "1 place de la Mairie", "35500", "Vitré"),
        )
        assert [a.name for a in stored.attachments] == ["atelier.png"]
        assert stored.attachments[0].media_type == "image/png"
        assert other.has_file(stored.attachments[0].sha256)
    finally:
        other.close()


def test_an_oversized_file_is_refused_in_french_before_any_copy(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, make_page: PageFactory, edition: Edition, tmp_path: Path
) -> None:
    page, uuid = one_action_chosen(ws, make_page, edition)
    big = tmp_path / "scan complet.pdf"
    with big.open("wb") as f:
        f.truncate(MAX_ATTACHMENT_BYTES + 1024 * 1024)  # sparse: costs no disk
    attachments = page.editor.attachments

    assert attachments.add_files([big]) == 0
    assert runner.pending == 0  # nothing was handed to the worker
    message = attachments.error_label.text()
    assert attachments.error_label.isVisible()
    assert "« scan complet.pdf »" in message and "ne peut pas dépasser 20 Mo" in message
    assert "21,0 Mo" in message
    assert page.controller.action(uuid).attachments == ()
    assert attachments.model.rowCount() == 0 and not ws.load("2019").action(uuid).attachments

    missing = tmp_path / "absent.jpg"
    assert attachments.add_files([missing]) == 0
    assert "introuvable" in attachments.error_label.text()


def test_attachment_open_and_remove(
    qtbot: QtBot,
    ws: Workspace,
    runner: TaskRunner,
    make_page: PageFactory,
    edition: Edition,
    catalog: EditionCatalog,
    tmp_path: Path,
) -> None:
    page, uuid = one_action_chosen(ws, make_page, edition)
    opened: list[QUrl] = []
    attachments = page.editor.attachments
    attachments.open_url = opened.append
    photo = tmp_path / "affiche.png"
    photo.write_bytes(tiny_png())
    attachments.add_files([photo])
    qtbot.waitUntil(lambda: attachments.model.rowCount() == 1, timeout=5000)
    assert attachments.open_button.isEnabled()
    qtbot.mouseClick(attachments.open_button, Qt.MouseButton.LeftButton)
    sha = page.controller.action(uuid).attachments[0].sha256
    assert [u.toLocalFile() for u in opened] == [str(ws.attachment_path(sha))]
    qtbot.mouseClick(attachments.remove_button, Qt.MouseButton.LeftButton)
    assert attachments.model.rowCount() == 0 and page.controller.action(uuid).attachments == ()
    wait_idle(qtbot, runner)
    other = reopen(ws, catalog)
    try:
        assert other.load("2019").action(uuid).attachments == ()
    finally:
        other.close()


def test_refused_text_stays_in_the_field_with_the_reason_under_it(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, make_page: PageFactory, edition: Edition
) -> None:
    page, uuid = one_action_chosen(ws, make_page, edition)
    editor = page.editor
    original = page.controller.action(uuid).synthesis
    editor.synthesis_edit.moveCursor(editor.synthesis_edit.textCursor().MoveOperation.End)
    editor.synthesis_edit.insertPlainText(" collé\x07ici")  # a control character pasted from elsewhere

    assert editor.synthesis_edit.toPlainText().endswith("collé\x07ici")
    assert "caractère de contrôle" in editor.error("synthesis")
    label = editor.error_labels["synthesis"]
    assert label.isVisible() and label.text().startswith("⚠ ")
    assert page.controller.action(uuid).synthesis == original
    # another field's edit does not overwrite the refused text
    editor.title_edit.setFocus()
    type_text(qtbot, editor.title_edit, "!")
    assert editor.synthesis_edit.toPlainText().endswith("collé\x07ici")

    editor.synthesis_edit.setFocus()
    qtbot.keyClick(editor.synthesis_edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    for _ in range(4):
        qtbot.keyClick(editor.synthesis_edit, Qt.Key.Key_Backspace)
    assert editor.error("synthesis") == "" and not label.isVisible()
    assert page.controller.action(uuid).synthesis == original + " collé"


def test_dates_are_checked_and_explained(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, make_page: PageFactory, edition: Edition
) -> None:
    page, uuid = one_action_chosen(ws, make_page, edition)
    editor = page.editor
    assert editor.start_edit.text() == "01/09/2025" and editor.end_edit.text() == ""

    editor.end_edit.setFocus()
    type_text(qtbot, editor.end_edit, "31/02/2026")
    assert editor.error("end_date") == ""  # nothing said while typing
    editor.web_edit.setFocus()  # leaving the field
    assert "n'existe pas" in editor.error("end_date")
    assert editor.error_labels["end_date"].isVisible()
    assert page.controller.action(uuid).end_date is None

    editor.end_edit.setFocus()
    editor.end_edit.selectAll()
    type_text(qtbot, editor.end_edit, "01/01/2025")
    assert editor.error("end_date") == "La date de fin précède la date de début."
    assert page.controller.action(uuid).end_date is None

    editor.start_edit.setFocus()
    editor.start_edit.selectAll()
    type_text(qtbot, editor.start_edit, "01/09/2024")
    assert editor.error("end_date") == "" and editor.error("start_date") == ""
    action = page.controller.action(uuid)
    assert (action.start_date, action.end_date) == (date(2024, 9, 1), date(2025, 1, 1))

    editor.start_edit.selectAll()
    qtbot.keyClick(editor.start_edit, Qt.Key.Key_Delete)  # a date may be left empty
    assert page.controller.action(uuid).start_date is None
    wait_saved(qtbot, page, runner)
    stored = ws.load("2019").action(uuid)
    assert (stored.start_date, stored.end_date) == (None, date(2025, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("  ", None),
        ("1/9/2025", date(2025, 9, 1)),
        ("01.09.2025", date(2025, 9, 1)),
        ("2025-09-01", date(2025, 9, 1)),
        ("1-9-2025", date(2025, 9, 1)),
    ],
)
def test_parse_date_accepts_the_usual_forms(text: str, expected: date | None) -> None:
    assert parse_date(text, "Date de début") == expected


@pytest.mark.parametrize("text", ["1/9/25", "demain", "31/04/2025", "01/09/1850", "1/13/2025"])
def test_parse_date_refuses_the_rest(text: str) -> None:
    with pytest.raises(ValueError, match="Date de début"):
        parse_date(text, "Date de début")


def test_check_dates_stores_what_is_valid_and_in_order_and_says_why_otherwise() -> None:
    stored = {"start_date": date(2025, 9, 1), "end_date": None}

    def check(start: str, end: str, edited: str, final: bool = False, shown: set[str] | None = None) -> DatesCheck:
        return check_dates({"start_date": start, "end_date": end}, stored, edited, final=final, shown=shown or set())

    typing = check("01/09/2025", "31/0", "end_date")
    assert typing == DatesCheck({}, {"start_date": "", "end_date": ""})  # unfinished: nothing said, nothing stored
    left = check("01/09/2025", "31/0", "end_date", final=True)
    assert "jj/mm/aaaa" in left.messages["end_date"] and left.to_store == {}
    # a field that already said something keeps saying it while the other one is edited
    assert check("01/09/2025", "31/0", "start_date", shown={"end_date"}).messages["end_date"]
    backwards = check("01/09/2025", "01/01/2025", "end_date")
    assert backwards == DatesCheck({}, {"start_date": "", "end_date": "La date de fin précède la date de début."})
    assert check("02/01/2025", "01/01/2025", "start_date").messages["start_date"] == (
        "La date de début est après la date de fin."
    )
    assert check("1/9/2024", "01/01/2025", "start_date").to_store == {
        "start_date": date(2024, 9, 1), "end_date": date(2025, 1, 1),
    }  # fmt: skip
    assert check("01/09/2025", "", "end_date").to_store == {}  # nothing changed
    assert check("", "", "start_date").to_store == {"start_date": None}  # a date may be left empty


def test_read_only_dossier_shows_a_frozen_fiche(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, make_page: PageFactory, edition: Edition
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    ws.validate("2019")
    page = make_page()
    assert page.controller.read_only
    uuid = page.controller.dossier.actions[0].uuid
    page.select_action(uuid)
    editor = page.editor
    assert editor.banner.isVisible() and "validé" in editor.banner.text()
    for name in ("title", "synthesis", "results", "tools", "partners", "start_date", "end_date", "web_link"):
        assert editor.widgets[name].isReadOnly(), name
    assert not editor.level_combo.isEnabled() and not editor.delivered_combo.isEnabled()
    assert not editor.addresses.add_button.isEnabled() and not editor.attachments.add_button.isEnabled()
    service_item = editor.services._items[page.controller.action(uuid).services[0]]
    assert not service_item.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert not page.new_button.isEnabled() and not page.delete_button.isEnabled()

    editor.title_edit.setFocus()
    type_text(qtbot, editor.title_edit, "xyz")
    assert page.controller.action(uuid).title == "Atelier numérique n° 1"
    assert not page.controller.has_pending()
    assert page.new_action() is None and page.model.rowCount() == 2


def test_focus_field_goes_to_the_field_of_the_action(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, make_page: PageFactory, edition: Edition
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 3)))
    page = make_page()
    uuid = page.controller.dossier.actions[2].uuid
    assert page.focus_field(f"action:{uuid}.synthesis")
    assert page.editor.action_uuid == uuid and page.selected_uuid() == uuid
    assert page.editor.synthesis_edit.hasFocus()
    assert page.focus_field(f"action:{uuid}.services")
    assert page.editor.services.search_edit.hasFocus()
    assert not page.focus_field("action:00000000-0000-0000-0000-00000000ffff.title")
    assert not page.focus_field("profile.name")


def test_every_field_has_a_label_buddy_and_an_accessible_name(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, make_page: PageFactory, edition: Edition
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    page = make_page()
    page.select_action(page.controller.dossier.actions[0].uuid)
    editor = page.editor
    for name, widget in editor.widgets.items():
        assert widget.accessibleName(), name
    for name, label in editor.labels.items():
        assert label.buddy() is editor.widgets[name] and "&" in label.text(), name
    # tab order follows reading order: title → synthesis → level
    order = [
        editor.title_edit,
        editor.synthesis_edit,  # Tab leaves a long text, it does not indent it
        editor.level_combo,
        editor.results_edit,
        editor.tools_edit,
        editor.partners_edit,
        editor.delivered_combo,
        editor.start_edit,
        editor.end_edit,
        editor.web_edit,
        editor.services.search_edit,
        editor.services.tree,
    ]
    editor.title_edit.setFocus()
    for current, following in pairwise(order):
        assert current.hasFocus()
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        assert following.hasFocus(), following.accessibleName()
    assert "\t" not in editor.synthesis_edit.toPlainText()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Tab)
    assert editor.title_edit.hasFocus()  # from the list straight into the fiche


def test_services_picker_filters_without_accents_and_toggles_with_space(qtbot: QtBot, edition: Edition) -> None:
    picker = ServicesPicker(edition)
    qtbot.addWidget(picker)
    picker.show()
    assert len(picker.visible_service_ids()) == len(edition.services) == 138
    with qtbot.waitSignal(picker.selection_changed) as blocker:
        picker.set_checked("mediation-05", True)
    assert blocker.args == [("mediation-05",)]
    picker.search_edit.setText("ÉCOLE")
    visible = picker.visible_service_ids()
    assert visible and all(
        "ecole" in fold(edition.service(s).label)
        or "ecol"
        in fold(
            edition.subtheme(edition.service(s).subtheme_id).title + edition.theme(edition.service(s).theme_id).title
        )
        for s in visible
    )
    picker.search_edit.setText("zzzz introuvable")
    assert picker.visible_service_ids() == [] and picker.no_match.isVisibleTo(picker)
    picker.search_edit.clear()
    picker.set_selected(("innovation-02", "mediation-05"))
    assert picker.selected() == ("mediation-05", "innovation-02")  # the edition's order
    QApplication.processEvents()


def test_an_address_part_refused_is_kept_on_screen_and_not_sent(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, make_page: PageFactory, edition: Edition
) -> None:
    page, uuid = one_action_chosen(ws, make_page, edition)
    addresses = page.editor.addresses
    before = page.controller.action(uuid).addresses
    street = addresses.edits["street"]
    street.setFocus()
    street.end(False)
    QApplication.clipboard().setText(" bis\x0b")  # a vertical tab copied from a word processor
    street.paste()
    assert street.text().endswith(" bis\x0b")
    assert addresses.error_label.isVisible() and "caractère de contrôle" in addresses.error_label.text()
    assert page.controller.action(uuid).addresses == before
    qtbot.keyClick(street, Qt.Key.Key_Backspace)
    assert not addresses.error_label.isVisible()
    assert page.controller.action(uuid).addresses[0].street == "2 rue des Écoles bis"
    qtbot.mouseClick(addresses.remove_button, Qt.MouseButton.LeftButton)
    assert page.controller.action(uuid).addresses == () and addresses.empty_label.isVisibleTo(addresses)
