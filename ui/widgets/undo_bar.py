"""A bar that says what was just deleted and offers to put it back ("Annuler"), instead of asking first.

Deleting asks no question (a question answered by reflex protects nothing); the bar stays until the
user closes it, undoes, or there is nothing left to undo.
"""

from __future__ import annotations

from ui.qt import QFrame, QHBoxLayout, QLabel, QPushButton, Qt, QWidget, Signal


class UndoBar(QFrame):
    """ "Action « X » supprimée. [Annuler] [×]"; ``undo_requested`` when the user clicks Annuler."""

    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Annulation possible")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Dernière suppression")
        self.undo_button = QPushButton("Annuler", self)
        self.undo_button.setAccessibleName("Annuler la suppression")
        self.undo_button.setToolTip("Remettre ce qui vient d'être supprimé (Ctrl+Z)")
        self.undo_button.setAutoDefault(False)
        self.close_button = QPushButton("Fermer", self)
        self.close_button.setAccessibleName("Fermer ce message")
        self.close_button.setAutoDefault(False)
        self.undo_button.clicked.connect(self.undo_requested)
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.close_button)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def show_deleted(self, title: str) -> None:
        title = title.strip()
        self.show_message(f"Action « {title} » supprimée." if title else "Action sans titre supprimée.")

    @property
    def text(self) -> str:
        return self.label.text()

    def dismiss(self) -> None:
        self.hide()
        self.label.clear()
