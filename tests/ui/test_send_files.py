"""The Envoi page's files and paper, against the real server process: the received dossier printed from the
window with its receipt verified, « Imprimer l'accusé de réception », « Exporter pour un envoi depuis un
autre ordinateur… » sent from elsewhere, and « Importer un accusé de réception… » (a forged one refused)."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app import outbox
from app.bundle import read_bundle, send_bundle
from app.secrets import SecretStore
from app.sending import FORGED
from tests.faultproxy import FaultProxy
from tests.server.conftest import ServerProcess
from tests.sync.conftest import fast_settings, memory_keyring, proxy
from tests.sync.test_receipt_pdf import WARNING
from tests.sync.test_send import submissions_for
from tests.test_pdf import flat, page_texts
from tests.ui.helpers import (
    FolderOpener,
    ModalAnswerer,
    WindowFactory,
    click_button,
    save_as,
    visible_windows,
    wait_idle,
)
from tests.ui.test_french_qt import documents
from tests.ui.test_send_page import click_send, open_send_page, open_signed_in, sign_in, states, town_code
from ui.dialogs.print_preview import PrintPreviewDialog
from ui.file_dialogs import documents_folder
from ui.messages import OPEN_FOLDER
from ui.qt import QFileDialog, QMessageBox, Qt, QWidget

__all__ = ["memory_keyring", "proxy", "town_code"]  # fixtures, reused (the server: tests/ui/conftest.py)


def preview_text(qtbot: QtBot, start: object) -> list[str]:
    """Trigger ``start`` (a click, a menu entry), wait for the preview's PDF, read its pages back."""
    before = set(map(id, visible_windows(PrintPreviewDialog)))
    start()  # type: ignore[operator]
    qtbot.waitUntil(lambda: any(id(d) not in before for d in visible_windows(PrintPreviewDialog)), timeout=10_000)
    [dialog] = [d for d in visible_windows(PrintPreviewDialog) if id(d) not in before]
    assert dialog.height() <= dialog.screen().availableGeometry().height() - 40  # room for a task bar
    qtbot.waitUntil(lambda: dialog.pdf_path is not None, timeout=60_000)
    texts = [flat(t) for t in page_texts(PdfReader(dialog.pdf_path))]
    dialog.close()
    return texts


def test_a_received_dossier_prints_from_the_window_with_its_receipt_verified(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str],
) -> None:  # fmt: skip
    code, activation = town_code
    window, page = open_send_page(make_window, tmp_path, proxy, code)
    assert not page.files.print_button.isEnabled()  # nothing received yet
    sign_in(qtbot, page, activation)
    assert click_send(qtbot, page).all_sent
    wait_idle(qtbot, window.runner)
    assert window.view.current_target == "send"  # the dossier reloaded as « reçu », the page stays
    [entry] = outbox.entries(window.controller.ws)
    texts = preview_text(qtbot, window.preview_action.trigger)  # Fichier › Aperçu avant impression…
    last = texts[-1]
    assert "Accusé de réception" in last and entry.receipt_number in last
    assert "✓ Signature vérifiée" in last and WARNING not in last, last  # the pinned keys reach the print job
    assert page.files.print_button.isEnabled()
    [receipt] = preview_text(qtbot, lambda: qtbot.mouseClick(page.files.print_button, Qt.MouseButton.LeftButton))
    assert f"N° {entry.receipt_number}" in receipt and "✓ Signature vérifiée" in receipt and WARNING not in receipt


def answer_file_dialog(path: Path, folders: list[Path]):  # type: ignore[no-untyped-def]
    """A ModalAnswerer handler: note where the file dialog opened, then choose ``path``."""
    choose = save_as(path)

    def answer(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        folders.append(Path(dialog.directory().absolutePath()))
        choose(dialog)

    return answer


def test_export_for_another_computer_then_import_its_receipt(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess, folder_opener: FolderOpener,
) -> None:  # fmt: skip
    window, page, code = open_signed_in(qtbot, make_window, tmp_path, proxy, town_code)
    documents(Path.home())  # the test's own Documents folder, where the file dialogs open
    bundle_path = tmp_path / "cle-usb" / "envoi-2019"
    bundle_path.parent.mkdir()
    folders: list[Path] = []
    with (
        qtbot.waitSignal(page.files.exported, timeout=20_000) as exported,
        ModalAnswerer(qtbot, [answer_file_dialog(bundle_path, folders)]),
    ):
        qtbot.mouseClick(page.files.export_button, Qt.MouseButton.LeftButton)
    assert folders == [documents_folder()]
    assert exported.args == [str(bundle_path.with_suffix(".arobase"))]  # the extension is added
    qtbot.waitUntil(lambda: bool(visible_windows(QMessageBox)), timeout=5_000)
    [box] = visible_windows(QMessageBox)
    assert "révision 1" in box.text() and str(bundle_path.with_suffix(".arobase")) in box.text()
    assert f"{proxy.url}/depot" in box.text()  # where to drop it from a connected computer
    click_button(box, OPEN_FOLDER)
    assert folder_opener.urls == [str(bundle_path.parent)]
    box.close()

    # The other computer, signed in for the same town hall, sends the file and writes the receipt.
    settings = fast_settings(proxy.url)
    receipt = send_bundle(read_bundle(bundle_path.with_suffix(".arobase")), page.account, settings,
                          settings.session(), SecretStore())  # fmt: skip
    assert submissions_for(server, code) == 1 and states(window) == ["en_attente"]
    forged = tmp_path / "cle-usb" / "faux-accuse.json"
    forged.write_text(json.dumps({**receipt, "receipt_number": "VI-2019-999999"}), encoding="utf-8")
    genuine = tmp_path / "cle-usb" / "envoi-2019-accuse.json"
    genuine.write_text(json.dumps(receipt), encoding="utf-8")

    with (
        qtbot.waitSignal(page.files.refused, timeout=10_000) as refused,
        ModalAnswerer(qtbot, [answer_file_dialog(forged, folders)]),
    ):
        qtbot.mouseClick(page.files.import_button, Qt.MouseButton.LeftButton)
    assert refused.args == [FORGED] and page.report_label.text() == FORGED and folders[-1] == documents_folder()
    [warning] = visible_windows(QMessageBox)
    assert warning.text() == FORGED
    warning.close()
    wait_idle(qtbot, window.runner)
    assert states(window) == ["en_attente"]  # nothing stored from a forged receipt

    with (
        qtbot.waitSignal(page.files.imported, timeout=10_000) as imported,
        ModalAnswerer(qtbot, [answer_file_dialog(genuine, folders)]),
    ):
        qtbot.mouseClick(page.files.import_button, Qt.MouseButton.LeftButton)
    assert imported.args == [receipt["receipt_number"]]
    wait_idle(qtbot, window.runner)
    assert states(window) == ["envoye"] and receipt["receipt_number"] in page.report_label.text()
    assert page.model.values(page.model.entry(0))[2] == "reçu par l'association"
    assert window.view.current_target == "send"
    assert window.controller.status().summary.state == "recu" and window.summary.text("state") == "reçu"
    assert not page.files.export_button.isEnabled() and page.files.print_button.isEnabled()
    assert click_send(qtbot, page).outcomes == [] and submissions_for(server, code) == 1  # nothing sent twice


def test_a_receipt_of_another_dossier_is_refused(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess,
) -> None:  # fmt: skip
    window, page, code = open_signed_in(qtbot, make_window, tmp_path, proxy, town_code)
    other = tmp_path / "autre"
    other.mkdir()
    _other_window, other_page = open_send_page(make_window, other, proxy, code)
    sign_in(qtbot, other_page, server.activation_code(code, "Commune d'essai"))
    assert click_send(qtbot, other_page).all_sent
    wait_idle(qtbot, _other_window.runner)
    theirs = outbox.entries(_other_window.controller.ws)[0].receipt
    path = tmp_path / "accuse-autre.json"
    path.write_text(json.dumps(theirs), encoding="utf-8")
    with qtbot.waitSignal(page.files.refused, timeout=10_000) as refused:
        page.files.import_from(path)
    assert "ne correspond à aucun envoi" in refused.args[0] and "Traceback" not in refused.args[0]
    wait_idle(qtbot, window.runner)
    assert states(window) == ["en_attente"]


def test_import_asks_to_sign_in_first(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy
) -> None:
    _window, page = open_send_page(make_window, tmp_path, proxy, "12345")
    qtbot.mouseClick(page.files.import_button, Qt.MouseButton.LeftButton)  # no file dialog: it would be useless
    assert "Connectez-vous d'abord" in page.report_label.text() and not visible_windows(QFileDialog)
