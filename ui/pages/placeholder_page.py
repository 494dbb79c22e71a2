"""A page whose real content arrives with a later version: says so plainly, and may show a stand-in."""

from __future__ import annotations

from ui.qt import QLabel, Qt, QVBoxLayout, QWidget
from ui.widgets.common import page_heading


class PlaceholderPage(QWidget):
    def __init__(self, title: str, text: str, content: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(title)
        heading = page_heading(self, title)
        note = QLabel(text, self)
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(note)
        if content is not None:
            content.setParent(self)
            layout.addWidget(content)
        layout.addStretch(1)
