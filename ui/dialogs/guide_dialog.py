"""Aide › Guide d'utilisation: the French guide shipped with Arobase, read offline in a QTextBrowser.

The guide (``resources/guide/guide.html``) and its screenshots are data files of the package, the wheel
and the PyInstaller bundle: nothing is fetched from the network. A link to a web page opens in the
system's browser.
"""

from __future__ import annotations

from pathlib import Path

from ui.qt import QDialog, QDialogButtonBox, QSize, QTextBrowser, QUrl, QVBoxLayout, QWidget

TITLE = "Guide d'utilisation d'Arobase"
GUIDE_SIZE = QSize(900, 640)  # fits a 1366×768 screen with its task bar


def guide_path() -> Path:
    from resources import folder

    return folder("resources.guide") / "guide.html"


class GuideDialog(QDialog):
    """The guide, with its table of contents as links; Échap or « Fermer » closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("guide")
        self.browser.setAccessibleName("Texte du guide")
        self.browser.setOpenExternalLinks(True)
        path = guide_path()
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(path)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        free = self.screen().availableGeometry()
        self.resize(min(GUIDE_SIZE.width(), free.width()), min(GUIDE_SIZE.height(), free.height() - 40))


def open_guide(parent: QWidget) -> GuideDialog:
    dialog = GuideDialog(parent)
    dialog.show()
    return dialog
