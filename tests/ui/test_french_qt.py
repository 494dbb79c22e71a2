"""Qt's own texts are French (context menus, file dialogs) and file dialogs open in the Documents folder."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.edition import Edition
from app.interchange import to_document
from app.paths import user_data_dir
from app.workspace import Workspace
from tests.factories import complete_dossier
from tests.ui.helpers import ModalAnswerer, WindowFactory, wait_idle
from ui.application import configure_application
from ui.file_dialogs import documents_folder, store_folder
from ui.qt import QAbstractButton, QApplication, QFileDialog, QLabel, QLineEdit, QStandardPaths, QTranslator, QWidget
from ui.translations import QT_TRANSLATOR_NAME

ENGLISH = {"Undo", "Redo", "Cut", "Copy", "Paste", "Delete", "Select All", "Look in:", "File name:", "Cancel", "Open"}


def bare(text: str) -> str:
    """ "Cop&ier\\tCtrl+C" → "Copier"; "&Nom de fichier :" → "Nom de fichier :" """
    return text.split("\t")[0].replace("&", "").replace("\u00a0", " ").strip()


def texts(widget: QWidget) -> set[str]:
    found = {bare(w.text()) for w in widget.findChildren(QLabel)}
    found |= {bare(b.text()) for b in widget.findChildren(QAbstractButton)}
    return found - {""}


def test_the_application_loads_qt_french_once(qtbot: QtBot) -> None:
    app = configure_application([])
    configure_application([])
    assert len([t for t in app.findChildren(QTranslator) if t.objectName() == QT_TRANSLATOR_NAME]) == 1


def test_the_right_click_menu_of_a_text_field_is_french(qtbot: QtBot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    entries = {bare(a.text()) for a in menu.actions() if not a.isSeparator()}
    assert {"Annuler", "Rétablir", "Couper", "Copier", "Coller", "Tout sélectionner"} <= entries
    assert not entries & ENGLISH
    menu.deleteLater()


def documents(home: Path) -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))
    folder.mkdir(parents=True, exist_ok=True)
    assert home in folder.parents  # the test's own home, never the real user's
    return folder


def test_file_dialogs_are_french_and_open_in_documents(
    qtbot: QtBot, make_window: WindowFactory, ws: Workspace, edition: Edition
) -> None:
    folder = documents(Path.home())
    ws.import_document(to_document(complete_dossier(edition, n_actions=1)))
    window = make_window(ws)
    shown: list[set[str]] = []
    closer = ModalAnswerer(
        qtbot, dismiss=True, inspect=lambda w: shown.append(texts(w)) if isinstance(w, QFileDialog) else None
    )
    closer.start()
    try:
        window.export_action.trigger()
        window.pdf_action.trigger()  # the file dialog comes once the PDF is built
        qtbot.waitUntil(lambda: len(closer.folders) == 2, timeout=30_000)
        window.open_action.trigger()
        qtbot.waitUntil(lambda: len(closer.folders) == 3)
        wait_idle(qtbot, window.runner)
        closer.close_new_windows()
    finally:
        closer.stop()
    assert closer.folders == [folder, folder, ws.path.parent]  # a store the user put there: its folder
    for labels in shown:
        assert not labels & ENGLISH, labels
        assert "Annuler" in labels and {"Voir dans :", "Nom de fichier :", "Type de fichier :"} <= labels
    assert QApplication.activeModalWidget() is None


def test_the_default_store_folder_is_not_offered_but_documents(tmp_path: Path) -> None:
    folder = documents(Path.home())
    assert documents_folder() == folder
    assert store_folder(user_data_dir() / "arobase.sqlite") == folder
    assert store_folder(tmp_path / "mairie" / "commune.sqlite") == tmp_path / "mairie"
