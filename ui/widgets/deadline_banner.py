"""How many days are left to send the dossier: a line above the pages when the edition has a closing date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from app.edition import Edition
from ui.qt import QFrame, QHBoxLayout, QLabel, QStyle, Qt, QTimer, QWidget

RECHECK_MS = 60 * 60 * 1000  # the window may stay open overnight: the count follows the calendar


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def deadline_text(closes: date, today: date) -> tuple[str, bool]:
    """The sentence for ``today``, and whether it is a warning (last day or closed)."""
    left = (closes - today).days
    if left > 1:
        return f"Il reste {left} jours pour envoyer le dossier (clôture le {_fr(closes)}).", False
    if left == 1:
        return f"Il reste 1 jour pour envoyer le dossier (clôture demain, le {_fr(closes)}).", True
    if left == 0:
        return f"Dernier jour pour envoyer le dossier : la participation ferme aujourd'hui, le {_fr(closes)}.", True
    return f"La participation a fermé le {_fr(closes)} : contactez l'association Villes Internet.", True


class DeadlineBanner(QFrame):
    """Text and an icon (information, or warning when it is late): never a colour alone."""

    def __init__(self, edition: Edition, clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edition = edition
        self._clock = clock
        self.warning = False
        self.setObjectName("deadlineBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Date de clôture de l'édition")
        self.icon = QLabel(self)
        self.icon.setAccessibleName("Avertissement")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName("Date de clôture de l'édition")
        layout = QHBoxLayout(self)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(RECHECK_MS)
        self._timer.timeout.connect(self.refresh)
        self.refresh()
        if edition.closes is not None:
            self._timer.start()

    def text(self) -> str:
        return self.label.text()

    def refresh(self) -> None:
        closes = self.edition.closes
        if closes is None:
            self.label.clear()
            self.setVisible(False)
            return
        text, self.warning = deadline_text(closes, self._clock().date())
        kind = QStyle.StandardPixmap
        pixmap = kind.SP_MessageBoxWarning if self.warning else kind.SP_MessageBoxInformation
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(pixmap).pixmap(size, size))
        self.icon.setAccessibleName("Avertissement" if self.warning else "Information")
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(True)
