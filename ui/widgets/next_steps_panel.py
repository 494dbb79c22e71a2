"""« Et maintenant ? »: the three steps of a dossier, each a link to its page, shown after the first run.

Above the pages until the user dismisses it (the window remembers that in its settings).
"""

from __future__ import annotations

from ui.qt import QFrame, QHBoxLayout, QLabel, QPushButton, Qt, QVBoxLayout, QWidget, Signal

TITLE = "Et maintenant ?"
STEPS = (
    ("actions", "&1. Décrire les actions", "Une fiche par action de la collectivité, reliée aux services."),
    ("dossier", "&2. Valider le dossier", "La page Dossier dit ce qui manque, puis fige le dossier."),
    ("send", "&3. Envoyer à l'association", "Le dossier validé part au serveur de l'association."),
)


class NextStepsPanel(QFrame):
    """Three buttons to the pages of the three steps, and one to hide the panel."""

    navigate_requested = Signal(str)
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nextSteps")
        self.setAccessibleName(TITLE)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel(TITLE, self)
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for target, text, tip in STEPS:
            button = QPushButton(text, self)
            button.setAccessibleName(text.replace("&", ""))
            button.setAccessibleDescription(tip)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, t=target: self.navigate_requested.emit(t))
            row.addWidget(button)
            self.buttons[target] = button
        row.addStretch(1)
        self.hide_button = QPushButton("Masquer", self)
        self.hide_button.setAccessibleName("Masquer « Et maintenant ? »")
        self.hide_button.setToolTip("Ne plus afficher ces trois étapes")
        self.hide_button.clicked.connect(self._dismiss)
        row.addWidget(self.hide_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(row)

    def _dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
