"""The dialog shown for an unexpected error: reassure, say what to do, hand over the details in one click."""

from __future__ import annotations

from pathlib import Path

from ui.qt import (
    QDialog,
    QDialogButtonBox,
    QGuiApplication,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

TITLE = "Arobase — erreur inattendue"
HEADLINE = "Une erreur inattendue s'est produite."


def explanation(log_path: Path | None) -> str:
    """What the user should do next; the log file is named when it could be written."""
    where = f" Ils sont aussi enregistrés dans le fichier {log_path}." if log_path else ""
    return (
        f"{HEADLINE} Ce qui était déjà enregistré n'est pas perdu.\n"
        "Cliquez sur « Copier les détails » et transmettez-les à l'assistance d'Arobase "
        f"(par courriel, en les collant dans le message).{where}\n"
        "Vous pouvez continuer à travailler ; si l'erreur revient, fermez puis rouvrez Arobase."
    )


class ErrorDialog(QDialog):
    """Non-blocking by design (shown with ``open()``), so that a hook can show it from anywhere."""

    def __init__(self, details: str, log_path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        self.setMinimumWidth(560)

        message = QLabel(explanation(log_path), self)
        message.setWordWrap(True)
        message.setAccessibleName("Explication de l'erreur")

        self._details = QPlainTextEdit(self)
        self._details.setReadOnly(True)
        self._details.setPlainText(details)
        self._details.setAccessibleName("Détails de l'erreur")
        self._details.setAccessibleDescription("Texte technique à transmettre à l'assistance")
        details_label = QLabel("&Détails techniques :", self)
        details_label.setBuddy(self._details)

        self.copy_button = QPushButton("&Copier les détails", self)
        self.copy_button.setAccessibleName("Copier les détails")
        self.copy_button.clicked.connect(self.copy_details)

        buttons = QDialogButtonBox(self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText("&Fermer")
        self.close_button.setAccessibleName("Fermer")
        self.close_button.setDefault(True)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(details_label)
        layout.addWidget(self._details)
        layout.addWidget(buttons)

    def details(self) -> str:
        return self._details.toPlainText()

    def add_details(self, details: str) -> None:
        """A further error while this dialog is open goes here rather than into a pile of dialogs."""
        self._details.appendPlainText("\n" + details)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())
        self.copy_button.setText("Détails copiés")
