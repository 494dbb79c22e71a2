"""The door to Qt's PDF viewer and printing, next to ``ui.qt`` (which stays QtCore, QtGui and QtWidgets).

QtPrintSupport comes with PySide6-Essentials. QtPdf and QtPdfWidgets (the in-app preview) come with
PySide6-Addons: when it is not installed, ``HAS_QTPDF`` is False and the print preview offers to save
the PDF or open it in the system's viewer instead of showing it.
"""

from __future__ import annotations

from PySide6.QtPrintSupport import QPrintDialog, QPrinter

try:
    from PySide6.QtPdf import QPdfDocument, QPdfPageNavigator
    from PySide6.QtPdfWidgets import QPdfView

    HAS_QTPDF = True
except ImportError:  # PySide6-Addons missing
    QPdfDocument = QPdfPageNavigator = QPdfView = None  # type: ignore[assignment,misc]
    HAS_QTPDF = False

__all__ = ["HAS_QTPDF", "QPdfDocument", "QPdfPageNavigator", "QPdfView", "QPrintDialog", "QPrinter"]
