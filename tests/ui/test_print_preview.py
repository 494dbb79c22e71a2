"""The print preview: the dossier's PDF or the blank questionnaire, built by the runner, shown, saved, cancelled."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app.edition import Edition
from app.interchange import to_document
from app.workspace import Workspace
from tests.conftest import ROOT
from tests.factories import complete_dossier
from tests.ui.helpers import WindowFactory, shown_host, visible_windows, wait_idle
from ui.dialogs.print_preview import MESSAGE_PAGE, VIEW_PAGE, PrintPreviewDialog, open_print_preview
from ui.dossier_controller import DossierController
from ui.main_window import MainWindow
from ui.qt import Qt, QWidget
from ui.qt_pdf import HAS_QTPDF, QPrinter
from ui.tasks import TaskRunner

EXAMPLE = ROOT / "resources" / "exemples" / "dossier-exemple-2019.json"

pytestmark = pytest.mark.skipif(not HAS_QTPDF, reason="QtPdf (PySide6-Addons) is not installed")


def _controller(ws: Workspace, runner: TaskRunner) -> DossierController:
    ws.import_document(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    ctl = DossierController(ws, runner)
    ctl.load_now()
    return ctl


def _open(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> tuple[PrintPreviewDialog, int, QWidget]:
    """The preview of the example dossier, once on screen; the caller keeps ``host`` (the dialog's parent)."""
    host = shown_host(qtbot)
    ctl = _controller(ws, runner)
    dialog = open_print_preview(host, ctl, runner)
    with qtbot.waitSignal(dialog.ready, timeout=20_000) as ready:
        pass  # emitted from the event loop, once the runner has built the PDF
    return dialog, ready.args[0], host


def test_preview_shows_the_pages_navigates_and_zooms(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> None:
    dialog, pages, _host_kept = _open(qtbot, ws, runner)
    assert dialog.isVisible() and dialog.stack.currentIndex() == VIEW_PAGE
    assert pages == dialog.page_count() == dialog.report.pages > 10  # type: ignore[union-attr]
    assert dialog.page_total.text() == f"/ {pages}"
    assert dialog.info_label.text() == f"{pages} pages · révision 1 · brouillon"  # real French plurals
    assert dialog.current_page() == 0 and not dialog.prev_button.isEnabled() and dialog.next_button.isEnabled()

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.current_page() == 1)
    assert dialog.page_spin.value() == 2 and dialog.prev_button.isEnabled()
    dialog.page_spin.setValue(pages)
    qtbot.waitUntil(lambda: dialog.current_page() == pages - 1)
    assert not dialog.next_button.isEnabled()

    assert dialog.zoom_label.text() == "Largeur"
    dialog._set_zoom(1.0)
    assert dialog.zoom_label.text() == "100 %"
    qtbot.mouseClick(dialog.zoom_in_button, Qt.MouseButton.LeftButton)
    assert dialog.zoom_factor() == pytest.approx(1.1) and dialog.zoom_label.text() == "110 %"
    qtbot.mouseClick(dialog.zoom_out_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.zoom_out_button, Qt.MouseButton.LeftButton)
    assert dialog.zoom_factor() == pytest.approx(0.9)
    qtbot.mouseClick(dialog.fit_button, Qt.MouseButton.LeftButton)
    assert dialog.zoom_label.text() == "Largeur"


def test_save_writes_the_previewed_pdf(qtbot: QtBot, ws: Workspace, runner: TaskRunner, tmp_path: Path) -> None:
    dialog, pages, _host_kept = _open(qtbot, ws, runner)
    assert dialog.suggested_name == "dossier-2019-29999-rev1.pdf"
    out = tmp_path / "sortie"
    out.mkdir()
    target = out / "copie.pdf"
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save_to(target)
    assert saved.args == [str(target)]
    assert target.read_bytes() == dialog.pdf_path.read_bytes()  # type: ignore[union-attr]
    assert len(PdfReader(target).pages) == pages
    assert [p.name for p in out.iterdir()] == ["copie.pdf"]  # no temporary file left


def test_print_renders_the_pages_into_the_printer(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, tmp_path: Path
) -> None:
    dialog, _pages, _host_kept = _open(qtbot, ws, runner)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "imprime.pdf"))
    printer.setFromTo(2, 3)
    with qtbot.waitSignal(dialog.printed, timeout=20_000) as printed:
        assert dialog.print_to(printer) == 2
    assert printed.args == [2]
    assert len(PdfReader(tmp_path / "imprime.pdf").pages) == 2


def test_cancel_during_generation_writes_nothing(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> None:
    host = shown_host(qtbot)
    ctl = _controller(ws, runner)
    gate = threading.Event()
    runner.run(lambda: gate.wait(10))  # the worker is busy: the PDF job waits in the queue
    dialog = open_print_preview(host, ctl, runner)
    assert dialog.generating and dialog.cancel_button.isEnabled()
    assert not dialog.print_button.isEnabled() and not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.status_label.text() == "Annulation…"
    with qtbot.waitSignal(dialog.cancelled, timeout=10_000):
        gate.set()
    assert dialog.stack.currentIndex() == MESSAGE_PAGE
    assert "annulée" in dialog.message_label.text()
    assert list(Path(dialog._tmp.path()).iterdir()) == []
    assert dialog.pdf_path is None and not dialog.save_button.isEnabled()

    with qtbot.waitSignal(dialog.ready, timeout=20_000):
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    assert dialog.stack.currentIndex() == VIEW_PAGE and dialog.save_button.isEnabled()


def test_the_preview_shows_edits_not_yet_saved(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> None:
    host = shown_host(qtbot)
    ctl = _controller(ws, runner)
    uuid = ctl.dossier.actions[0].uuid
    assert ctl.set_action_field(uuid, "title", "Titre tapé à l'instant")
    assert ctl.has_pending()
    dialog = open_print_preview(host, ctl, runner)
    with qtbot.waitSignal(dialog.ready, timeout=20_000):
        pass
    text = " ".join(p.extract_text() for p in PdfReader(dialog.pdf_path).pages)  # type: ignore[arg-type]
    assert "Titre tapé à l'instant" in text
    dialog.close()
    wait_idle(qtbot, runner)


# ---------------------------------------------------------------------- the blank questionnaire


def _blank_dialog(qtbot: QtBot, window: MainWindow) -> PrintPreviewDialog:
    file_menu = window.menuBar().actions()[0].menu()
    assert window.blank_action in file_menu.actions()
    assert window.blank_action.text() == "Imprimer le questionnaire &vierge…"
    window.blank_action.trigger()
    (dialog,) = visible_windows(PrintPreviewDialog)
    return dialog


def test_blank_questionnaire_from_the_file_menu_of_an_empty_file(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory, tmp_path: Path
) -> None:
    window = make_window(ws)
    assert window.controller.dossier.actions == () and not window.controller.dossier.profile.name
    dialog = _blank_dialog(qtbot, window)
    assert dialog.windowTitle() == "Questionnaire vierge\u00a0: aperçu avant impression"
    with qtbot.waitSignal(dialog.ready, timeout=20_000) as ready:
        pass  # built by the window's runner, off the GUI thread
    pages = ready.args[0]
    assert dialog.stack.currentIndex() == VIEW_PAGE and dialog.page_count() == pages > 15
    assert dialog.info_label.text() == (f"{pages} pages · questionnaire vierge de l'édition 2019, à remplir à la main")
    assert dialog.suggested_name == "questionnaire-vierge-2019.pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(dialog.pdf_path).pages)  # type: ignore[arg-type]
    for service in window.controller.edition.services:
        assert " ".join(service.label.split()) in text
    assert dialog.print_button.isEnabled() and dialog.save_button.isEnabled()
    target = tmp_path / "vierge.pdf"
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_to(target)
    assert target.read_bytes() == dialog.pdf_path.read_bytes()  # type: ignore[union-attr]
    dialog.close()
    wait_idle(qtbot, window.runner)


def test_blank_questionnaire_can_be_cancelled(qtbot: QtBot, ws: Workspace, make_window: WindowFactory) -> None:
    window = make_window(ws)
    gate = threading.Event()
    window.runner.run(lambda: gate.wait(10))  # the worker is busy: the questionnaire waits in the queue
    dialog = _blank_dialog(qtbot, window)
    assert dialog.generating and dialog.status_label.text() == "Préparation du questionnaire vierge…"
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.cancelled, timeout=10_000):
        gate.set()
    assert dialog.stack.currentIndex() == MESSAGE_PAGE and "annulée" in dialog.message_label.text()
    assert list(Path(dialog._tmp.path()).iterdir()) == [] and dialog.pdf_path is None
    with qtbot.waitSignal(dialog.ready, timeout=20_000):
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    assert dialog.stack.currentIndex() == VIEW_PAGE
    dialog.close()
    wait_idle(qtbot, window.runner)


def test_an_autosave_does_not_wait_behind_the_pdf_build(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    """The build runs on the background lane: an edit typed while the PDF is being made is written at once."""
    ws.import_document(to_document(complete_dossier(edition, 300)))
    ctl = DossierController(ws, runner)
    ctl.load_now()
    host = shown_host(qtbot)
    dialog = open_print_preview(host, ctl, runner)
    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 0, timeout=20_000)  # the build has started
    ctl.set_profile_field("name", "Tapée pendant le PDF")
    ctl.save_pending()
    with qtbot.waitSignal(ctl.saved, timeout=10_000):
        pass
    assert dialog.generating, "the autosave waited for the PDF build"
    assert ws.profile().name == "Tapée pendant le PDF"
    with qtbot.waitSignal(dialog.ready, timeout=60_000):
        pass
