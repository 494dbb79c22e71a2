"""The one door to PySide6: every other ui module imports its Qt names from here.

Keeping the binding behind a single module (as Anki's ``aqt.qt`` does) lets a future switch of
binding or version, and any compatibility shim, happen in one place.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QLocale,
    QObject,
    QRunnable,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid as is_alive

__all__ = [
    "QAction",
    "QApplication",
    "QCloseEvent",
    "QDialog",
    "QDialogButtonBox",
    "QFileDialog",
    "QFormLayout",
    "QGroupBox",
    "QGuiApplication",
    "QKeySequence",
    "QLabel",
    "QLocale",
    "QMainWindow",
    "QMessageBox",
    "QObject",
    "QPlainTextEdit",
    "QPushButton",
    "QRunnable",
    "QStatusBar",
    "QThread",
    "QThreadPool",
    "QTimer",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
    "is_alive",
]
