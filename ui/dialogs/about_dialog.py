"""Aide › À propos: what the assistance asks first (versions, edition, where the data is) and the licence.

The text is selectable so that it can be copied into an e-mail.
"""

from __future__ import annotations

import platform
from pathlib import Path

from ui.qt import QDialog, QDialogButtonBox, QLabel, Qt, QVBoxLayout, QWidget, qVersion

TITLE = "À propos d'Arobase"
LICENCE = "Licence : EUPL-1.2 (European Union Public Licence, version 1.2), logiciel libre."


def distribution_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:  # a source tree that was not installed, a bundle without metadata
        return "inconnue"


def arobase_version() -> str:
    return distribution_version("arobase")


def about_text(edition: str, data_folder: Path, store: Path) -> str:
    pyside = distribution_version("PySide6-Essentials")  # ui/ reaches PySide6 only through ui.qt
    return "\n".join(
        (
            f"Arobase {arobase_version()}",
            "Préparation hors ligne du dossier du label « Territoires, Villes et Villages Internet ».",
            "",
            f"Édition du questionnaire : {edition}",
            f"Fichier ouvert : {store}",
            f"Dossier de données : {data_folder}",
            "",
            f"Python {platform.python_version()}",
            f"Qt {qVersion()}, PySide6 {pyside}",
            f"Système : {platform.system()} {platform.release()}",
            "",
            LICENCE,
        )
    )


class AboutDialog(QDialog):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        self.text = QLabel(text, self)
        self.text.setObjectName("aboutText")
        self.text.setAccessibleName("Versions et licence")
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # paths are user data
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


def open_about(parent: QWidget, edition: str, store: Path) -> AboutDialog:
    from app.paths import user_data_dir

    dialog = AboutDialog(about_text(edition, user_data_dir(), store), parent)
    dialog.open()
    return dialog
