"""Where file dialogs open: the user's Documents folder, not the hidden folder Arobase keeps its data in.

A secretary looks for her exports, PDFs and the files she received in "Documents"; the store's own
folder (``~/.local/share/Arobase`` or ``%APPDATA%\\Arobase``) means nothing to her. The one exception:
when the open store is a file she chose herself (Fichier › Nouveau fichier… in a folder of hers),
the folder of that store is where its sibling stores are, so Ouvrir… and Nouveau fichier… start there.
Images (mosaic export, photos to attach) start in the Pictures folder, see their widgets.
"""

from __future__ import annotations

from pathlib import Path

from app.paths import user_data_dir
from ui.qt import QStandardPaths


def documents_folder() -> Path:
    """The user's Documents folder (the home folder if the system has none: a dialog needs a real folder)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder and Path(folder).is_dir() else Path.home()


DOSSIER_FILTER = "Dossiers Arobase (*.json);;Tous les fichiers (*)"
STORE_FILTER = "Fichiers Arobase (*.sqlite);;Tous les fichiers (*)"


def store_folder(store_path: Path) -> Path:
    """Where to look for other store files: beside the open one, unless that is Arobase's own data folder."""
    parent = store_path.absolute().parent
    try:
        hidden = parent.resolve() == user_data_dir().resolve()
    except OSError:
        hidden = True
    return documents_folder() if hidden else parent
