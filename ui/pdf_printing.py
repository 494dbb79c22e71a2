"""Printing a PDF already built: each page rendered by QtPdf into the printer's painter.

What is printed is exactly the file the preview shows (``ui.dialogs.print_preview``), page by page at the
printer's resolution (capped, so that a 1,200 dpi printer does not take minutes), with a progress dialog
that can cancel between pages.
"""

from __future__ import annotations

from ui.messages import show_warning
from ui.qt import QPainter, QProgressDialog, QRect, QSize, Qt, QWidget
from ui.qt_pdf import QPdfDocument, QPrinter

PRINT_DPI_MAX = 300  # pages are rendered at the printer's resolution, at most this


def print_pages(document: QPdfDocument, printer: QPrinter, parent: QWidget) -> int:
    """Render the pages (all, or the range chosen in the print dialog) into ``printer``; returns the count."""
    count = document.pageCount()
    first = max(1, printer.fromPage()) if printer.fromPage() else 1
    last = min(count, printer.toPage()) if printer.toPage() else count
    pages = list(range(first - 1, last))
    painter = QPainter()
    if not painter.begin(printer):
        show_warning(parent, "L'imprimante n'a pas pu être ouverte : vérifiez qu'elle est allumée et disponible.")
        return 0
    progress = QProgressDialog("Envoi des pages à l'imprimante…", "Annuler", 0, len(pages), parent)
    progress.setWindowTitle("Impression")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(500)
    dpi = min(printer.resolution(), PRINT_DPI_MAX)
    done = 0
    try:
        for i, page in enumerate(pages):
            if progress.wasCanceled():
                break
            if i:
                printer.newPage()
            size = document.pagePointSize(page)
            image = document.render(
                page, QSize(max(1, round(size.width() / 72 * dpi)), max(1, round(size.height() / 72 * dpi)))
            )
            area = painter.viewport()
            scale = min(area.width() / image.width(), area.height() / image.height())
            w, h = round(image.width() * scale), round(image.height() * scale)
            painter.drawImage(QRect(area.x() + (area.width() - w) // 2, area.y(), w, h), image)
            done += 1
            progress.setValue(done)
    finally:
        painter.end()
        progress.close()
        progress.deleteLater()
    return done
