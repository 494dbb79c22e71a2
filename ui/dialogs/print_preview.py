"""Fichier › Aperçu avant impression: the dossier's PDF (or the blank questionnaire) shown, printed, or saved.

What is built is a ``PreviewJob`` (``ui.dialogs.print_jobs``): the dossier, or the edition's blank
questionnaire. The PDF is built off the GUI thread through the window's TaskRunner into a
temporary folder, with a progress bar and a Cancel button that sets a flag the builder polls between
flowables (cancelling leaves no file). It is then shown with QtPdf (page navigation and zoom), printed
through the system's print dialog (each page rendered by QPdfDocument into the printer's painter), or
copied where the user chooses: what is printed or saved is exactly what is previewed.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from app.pdf import PROGRESS_TOTAL, PdfCancelled, PdfReport, copy_pdf
from ui.dialogs.print_jobs import Keys, PreviewJob, blank_job, dossier_job, not_signed_in, receipt_job
from ui.dossier_controller import DossierController
from ui.excepthook import expected_message, report_exception
from ui.messages import show_file_written, show_warning
from ui.pdf_printing import print_pages
from ui.qt import (
    QCloseEvent,
    QDesktopServices,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPointF,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    Qt,
    QTemporaryDir,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.qt_pdf import HAS_QTPDF, QPdfDocument, QPdfView, QPrintDialog, QPrinter
from ui.tasks import Lane, TaskRunner

PDF_FILTER = "Documents PDF (*.pdf);;Tous les fichiers (*)"
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)

PROGRESS_PAGE, VIEW_PAGE, MESSAGE_PAGE = 0, 1, 2


class PrintPreviewDialog(QDialog):
    """Generate, show, print and save a PDF: the dossier's, or the blank questionnaire."""

    ready = Signal(int)  # the PDF is on screen: its page count
    cancelled = Signal()  # the generation was cancelled: nothing was written
    failed = Signal(str)  # French sentence
    saved = Signal(str)  # path written
    printed = Signal(int)  # pages sent to the printer
    _progress = Signal(int, int)  # from the worker thread (queued to the GUI thread)

    def __init__(self, job: PreviewJob, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self.runner = runner
        self.report: PdfReport | None = None
        self.pdf_path: Path | None = None
        self.suggested_name = job.suggested_name
        self.generating = False
        self._cancel: threading.Event | None = None
        self._generation = 0
        self._tmp = QTemporaryDir()
        self.setWindowTitle(job.title)
        self.setAccessibleName(f"Aperçu avant impression : {job.what}")
        free = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(980, free.width()), min(760, free.height() - 40))  # a 1366×768 laptop has a task bar

        # -- toolbar: pages, zoom, actions
        self.prev_button = QPushButton("Page &précédente", self)
        self.prev_button.setAccessibleName("Page précédente")
        self.next_button = QPushButton("Page &suivante", self)
        self.next_button.setAccessibleName("Page suivante")
        self.page_label = QLabel("Pa&ge :", self)
        self.page_spin = QSpinBox(self)
        self.page_spin.setAccessibleName("Numéro de la page affichée")
        self.page_spin.setRange(1, 1)
        self.page_label.setBuddy(self.page_spin)
        self.page_total = QLabel("/ 1", self)
        self.page_total.setAccessibleName("Nombre de pages")
        self.zoom_out_button = QPushButton("Zoom &−", self)
        self.zoom_out_button.setAccessibleName("Réduire")
        self.zoom_out_button.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut))
        self.zoom_in_button = QPushButton("Zoom &+", self)
        self.zoom_in_button.setAccessibleName("Agrandir")
        self.zoom_in_button.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn))
        self.fit_button = QPushButton("&Largeur de page", self)
        self.fit_button.setAccessibleName("Ajuster à la largeur de la fenêtre")
        self.zoom_label = QLabel("100 %", self)
        self.zoom_label.setAccessibleName("Zoom")
        self.refresh_button = QPushButton("&Actualiser", self)
        self.refresh_button.setAccessibleName("Refaire le PDF avec les dernières modifications")
        self.print_button = QPushButton("&Imprimer…", self)
        self.print_button.setAccessibleName(f"Imprimer {job.what}")
        self.print_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.save_button = QPushButton("&Enregistrer en PDF…", self)
        self.save_button.setAccessibleName(f"Enregistrer {job.what} en PDF")
        self.close_button = QPushButton("&Fermer", self)
        self.close_button.setAccessibleName("Fermer l'aperçu")
        self.info_label = QLabel(self)
        self.info_label.setTextFormat(Qt.TextFormat.PlainText)
        self.info_label.setAccessibleName("Révision imprimée")

        bar = QHBoxLayout()
        for w in (self.prev_button, self.page_label, self.page_spin, self.page_total, self.next_button):
            bar.addWidget(w)
        bar.addSpacing(16)
        for w in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.refresh_button, self.print_button, self.save_button, self.close_button):
            bar.addWidget(w)

        # -- the three states: generating, showing, message (cancelled, failed, no viewer)
        self.stack = QStackedWidget(self)
        progress_page = QWidget(self)
        self.status_label = QLabel(job.preparing, progress_page)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_bar = QProgressBar(progress_page)
        self.progress_bar.setAccessibleName("Avancement de la préparation du PDF")
        self.progress_bar.setRange(0, PROGRESS_TOTAL)
        self.progress_bar.setTextVisible(True)
        self.cancel_button = QPushButton("A&nnuler", progress_page)
        self.cancel_button.setAccessibleName("Annuler la préparation du PDF")
        pl = QVBoxLayout(progress_page)
        pl.addStretch(1)
        pl.addWidget(self.status_label, 0, Qt.AlignmentFlag.AlignHCenter)
        pl.addWidget(self.progress_bar)
        pl.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignHCenter)
        pl.addStretch(2)
        self.stack.addWidget(progress_page)

        self.document = QPdfDocument(self) if HAS_QTPDF else None
        if HAS_QTPDF:
            self.view = QPdfView(self)
            self.view.setAccessibleName("Pages du dossier")
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setDocument(self.document)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.stack.addWidget(self.view)
        else:
            self.view = None
            self.stack.addWidget(QWidget(self))

        message_page = QWidget(self)
        self.message_label = QLabel(message_page)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setWordWrap(True)
        self.message_label.setAccessibleName("Message")
        self.retry_button = QPushButton("&Recommencer", message_page)
        self.external_button = QPushButton("&Ouvrir dans la visionneuse du système", message_page)
        self.external_button.setVisible(False)
        ml = QVBoxLayout(message_page)
        ml.addStretch(1)
        ml.addWidget(self.message_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.retry_button)
        row.addWidget(self.external_button)
        row.addStretch(1)
        ml.addLayout(row)
        ml.addStretch(2)
        self.stack.addWidget(message_page)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.info_label)

        self.prev_button.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        self.page_spin.valueChanged.connect(lambda value: self.go_to_page(value - 1))
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.fit_button.clicked.connect(self.fit_width)
        self.refresh_button.clicked.connect(self.generate)
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button.clicked.connect(self.save_dialog)
        self.close_button.clicked.connect(self.close)
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button.clicked.connect(self.generate)
        self.external_button.clicked.connect(self.open_external)
        self._progress.connect(self._show_progress)
        if self.view is not None:
            self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
            self.view.zoomFactorChanged.connect(lambda _f: self._update_zoom_label())
            self.view.zoomModeChanged.connect(lambda _m: self._update_zoom_label())
        self._update_zoom_label()
        self._update_controls()

    # ------------------------------------------------------------------ generation

    def generate(self) -> None:
        """Save pending edits, then build the PDF in the background (a new one replaces the previous)."""
        if self.generating:
            return
        self._generation += 1
        generation = self._generation
        cancel = self._cancel = threading.Event()
        self.generating = True
        self.progress_bar.setValue(0)
        self.status_label.setText(self.job.preparing)
        self.cancel_button.setEnabled(True)
        self.stack.setCurrentIndex(PROGRESS_PAGE)
        self._update_controls()
        self.job.before()  # the dossier's pending edits are queued first: the PDF shows every edit made so far
        build = self.job.build
        target = Path(self._tmp.path()) / f"apercu-{generation}.pdf"
        post = self._progress.emit

        def progress(done: int, total: int) -> None:
            with contextlib.suppress(RuntimeError):  # the dialog is gone: nobody is watching
                post(done, total)

        def read_then_build(source: object) -> None:
            self.runner.run(
                lambda: build(source, target, progress, cancel.is_set),
                self._generated,
                self._generation_failed,
                owner=self,
                lane=Lane.BACKGROUND,
            )

        self.runner.run(self.job.read, read_then_build, self._generation_failed, owner=self)

    def cancel(self) -> None:
        """Ask the builder to stop at its next check; the dialog shows it was cancelled once it has."""
        if self._cancel is not None and self.generating:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.status_label.setText("Annulation…")

    def _show_progress(self, done: int, total: int) -> None:
        if self.generating:
            self.progress_bar.setMaximum(total)
            self.progress_bar.setValue(done)

    def _generated(self, result: tuple[str, PdfReport]) -> None:
        self.generating = False
        name, report = result
        self.suggested_name = name
        old = self.pdf_path
        self.report = report
        self.pdf_path = report.path
        self.info_label.setText(self.job.describe(report))
        if self.document is not None and self.pdf_path is not None:
            self.document.close()
            self.document.load(str(self.pdf_path))
            if self.document.status() != QPdfDocument.Status.Ready:
                self._show_message("Le PDF a été préparé mais ne peut pas être affiché. Enregistrez-le pour l'ouvrir.")
                self.failed.emit(self.message_label.text())
                return
            self.page_spin.blockSignals(True)
            self.page_spin.setRange(1, max(1, self.document.pageCount()))
            self.page_spin.setValue(1)
            self.page_spin.blockSignals(False)
            self.page_total.setText(f"/ {self.document.pageCount()}")
            self.stack.setCurrentIndex(VIEW_PAGE)
        else:
            self._show_message(
                "L'aperçu intégré n'est pas disponible sur cette installation (module QtPdf absent). "
                "Le PDF est prêt : enregistrez-le, ou ouvrez-le dans la visionneuse du système."
            )
            self.retry_button.setVisible(False)
            self.external_button.setVisible(True)
        if old is not None and old != self.pdf_path:
            with contextlib.suppress(OSError):
                old.unlink()
        self._update_controls()
        self.ready.emit(report.pages)

    def _generation_failed(self, exc: BaseException) -> None:
        self.generating = False
        if isinstance(exc, PdfCancelled):
            self._show_message("Préparation annulée : aucun fichier n'a été écrit.")
            self._update_controls()
            self.cancelled.emit()
            return
        message = expected_message(exc)
        if message is None:
            self._show_message("Le PDF n'a pas pu être préparé à cause d'une erreur inattendue.")
            self._update_controls()
            report_exception(exc)
            self.failed.emit(self.message_label.text())
            return
        self._show_message(message)
        self._update_controls()
        self.failed.emit(message)

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.retry_button.setVisible(True)
        self.stack.setCurrentIndex(MESSAGE_PAGE)

    # ------------------------------------------------------------------ navigation and zoom

    def page_count(self) -> int:
        return self.document.pageCount() if self.document is not None and self.pdf_path is not None else 0

    def current_page(self) -> int:
        """0-based page shown."""
        return self.view.pageNavigator().currentPage() if self.view is not None else 0

    def go_to_page(self, page: int) -> None:
        if self.view is None or not self.page_count():
            return
        page = max(0, min(page, self.page_count() - 1))
        nav = self.view.pageNavigator()
        nav.jump(page, QPointF(), nav.currentZoom())
        self._page_changed(page)

    def _page_changed(self, page: int) -> None:
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(page + 1)
        self.page_spin.blockSignals(False)
        self._update_controls()

    def zoom_factor(self) -> float:
        return self.view.zoomFactor() if self.view is not None else 1.0

    def zoom_in(self) -> None:
        self._set_zoom(next((z for z in ZOOM_STEPS if z > self.zoom_factor() + 1e-3), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        self._set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self.zoom_factor() - 1e-3), ZOOM_STEPS[0]))

    def fit_width(self) -> None:
        if self.view is not None:
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self._update_zoom_label()

    def _set_zoom(self, factor: float) -> None:
        if self.view is None:
            return
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(factor)
        self._update_zoom_label()

    def _update_zoom_label(self) -> None:
        if self.view is None:
            return
        if self.view.zoomMode() == QPdfView.ZoomMode.FitToWidth:
            self.zoom_label.setText("Largeur")
        else:
            self.zoom_label.setText(f"{round(self.view.zoomFactor() * 100)} %")

    def _update_controls(self) -> None:
        shown = self.stack.currentIndex() == VIEW_PAGE and not self.generating
        have_pdf = self.pdf_path is not None and not self.generating
        page, count = self.current_page(), self.page_count()
        self.prev_button.setEnabled(shown and page > 0)
        self.next_button.setEnabled(shown and page + 1 < count)
        self.page_spin.setEnabled(shown)
        for w in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            w.setEnabled(shown)
        self.print_button.setEnabled(shown)
        self.save_button.setEnabled(have_pdf)
        self.refresh_button.setEnabled(not self.generating)

    # ------------------------------------------------------------------ saving

    def save_dialog(self) -> None:
        if self.pdf_path is None:
            return
        folder = self.job.folder / self.suggested_name
        name, _ = QFileDialog.getSaveFileName(self, f"Enregistrer {self.job.what} en PDF", str(folder), PDF_FILTER)
        if name:
            path = Path(name) if Path(name).suffix else Path(name).with_suffix(".pdf")
            self.save_to(path)

    def save_to(self, target: Path) -> None:
        """Copy the previewed PDF to ``target`` (atomically, off the GUI thread)."""
        source = self.pdf_path
        if source is None:
            return

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OSError):
                show_warning(self, f"Impossible d'enregistrer {target} : {exc.strerror or exc}.")
                return
            message = expected_message(exc)
            if message is None:
                report_exception(exc)
            else:
                show_warning(self, message)

        def done(_result: object) -> None:
            what = self.job.what.capitalize()
            show_file_written(self, f"{what} est enregistré en PDF dans le fichier\u00a0:", target)
            self.saved.emit(str(target))

        self.runner.run(lambda: copy_pdf(source, target), done, failed, owner=self)

    def open_external(self) -> None:
        if self.pdf_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.pdf_path)))

    # ------------------------------------------------------------------ printing

    def print_dialog(self) -> None:
        if self.document is None or not self.page_count():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        printer.setCreator("Arobase")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Imprimer {self.job.what}")
        dialog.setMinMax(1, self.page_count())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        """Render the pages (all, or the range chosen in the print dialog) into ``printer``; returns the count."""
        if self.document is None or not self.page_count():
            return 0
        done = print_pages(self.document, printer, self)
        self.printed.emit(done)
        return done

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._cancel is not None:
            self._cancel.set()  # a generation still running stops at its next check
        if self.document is not None:
            self.document.close()
        super().closeEvent(event)


def open_print_preview(parent: QWidget, controller: DossierController, runner: TaskRunner,
                       keys: Keys = not_signed_in) -> PrintPreviewDialog:  # fmt: skip
    """Fichier › Aperçu avant impression: show the dialog (non-modal) and start building the PDF."""
    return _open(parent, dossier_job(controller, keys), runner)  # keys: the pinned ones, a receipt is checked


def open_receipt_preview(parent: QWidget, controller: DossierController, runner: TaskRunner, edition_id: str,
                         keys: Keys) -> PrintPreviewDialog:  # fmt: skip
    """Envoi › Imprimer l'accusé de réception: its preview, to print or save, the signature checked now."""
    return _open(parent, receipt_job(controller, edition_id, keys), runner)


def open_blank_questionnaire(parent: QWidget, controller: DossierController, runner: TaskRunner) -> PrintPreviewDialog:
    """Fichier › Imprimer le questionnaire vierge…: its preview, to print or save (works on an empty file)."""
    return _open(parent, blank_job(controller), runner)


def _open(parent: QWidget, job: PreviewJob, runner: TaskRunner) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(job, runner, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.generate()
    return dialog


def print_dossier(parent: QWidget, controller: DossierController, runner: TaskRunner,
                  keys: Keys = not_signed_in) -> PrintPreviewDialog:  # fmt: skip
    """Fichier › Imprimer…: the preview, then the system's print dialog as soon as the PDF is ready."""
    return _then(open_print_preview(parent, controller, runner, keys), "print_dialog")


def save_dossier_pdf(parent: QWidget, controller: DossierController, runner: TaskRunner,
                     keys: Keys = not_signed_in) -> PrintPreviewDialog:  # fmt: skip
    """Fichier › Enregistrer en PDF…: the preview, then the file dialog as soon as the PDF is ready."""
    return _then(open_print_preview(parent, controller, runner, keys), "save_dialog")


def _then(dialog: PrintPreviewDialog, method: str) -> PrintPreviewDialog:
    def once(_pages: int) -> None:
        dialog.ready.disconnect(once)
        getattr(dialog, method)()

    dialog.ready.connect(once)
    return dialog
