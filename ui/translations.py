"""Qt's own texts in French: file dialogs, the right-click menu of text fields, standard buttons.

Qt ships them (``qtbase_fr.qm`` in PySide6's translations folder, copied into the bundle by
packaging/arobase.spec); nothing loads them unless asked. A few source texts of this Qt version
changed (a mnemonic added) after the French file was made, so they would stay English: a small
translator installed after it supplies those.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ui.qt import QApplication, QLibraryInfo, QTranslator

QT_TRANSLATION = "qtbase_fr"
QT_TRANSLATOR_NAME = "arobase-qtbase-fr"
QT_TRANSLATIONS_IN_BUNDLE = ("PySide6", "Qt", "translations")  # where packaging/arobase.spec puts them
MISSING = {  # (context, source text): French, for texts qtbase_fr.qm does not match
    ("QFileDialog", "&Look in:"): "&Voir dans\u00a0:",
    ("QFileDialog", "Files of &type:"): "&Type de fichier\u00a0:",
}


class MissingTexts(QTranslator):
    """The French of the few Qt texts the shipped file misses; every other text falls through to it."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        return MISSING.get((context, source))  # None is Qt's null string: "not mine, ask the next one"

    def isEmpty(self) -> bool:
        return False


def qt_translation_folders() -> list[Path]:
    """Where ``qtbase_fr.qm`` may be: PySide6's translations folder, or the bundle's copy of it."""
    folders = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        folders.append(Path(bundle, *QT_TRANSLATIONS_IN_BUNDLE))
    return folders


def install_qt_translations(app: QApplication) -> bool:
    """Install once per application (the translators are its children); False if the file is missing.

    Without the file Qt speaks English in its dialogs, but everything of Arobase's own is still French.
    """
    if app.findChild(QTranslator, QT_TRANSLATOR_NAME) is not None:
        return True
    translator = QTranslator(app)
    translator.setObjectName(QT_TRANSLATOR_NAME)
    for folder in qt_translation_folders():
        if translator.load(QT_TRANSLATION, str(folder)):
            app.installTranslator(translator)
            app.installTranslator(MissingTexts(app))  # searched first: installed last
            return True
    translator.deleteLater()
    return False
