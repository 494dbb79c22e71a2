"""Take the README's screenshots of the main pages, offscreen, on the example dossier.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py [--out resources/guide/images]

Needs a font on the machine (Debian: fonts-dejavu-core), otherwise Qt draws no text.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.edition import EditionCatalog  # noqa: E402
from app.interchange import read_document  # noqa: E402
from app.workspace import Workspace  # noqa: E402
from ui.application import build_main_window, configure_application  # noqa: E402
from ui.qt import QApplication, QPainter, QSettings  # noqa: E402

EXAMPLE = ROOT / "resources" / "exemples" / "dossier-exemple-2019.json"


def settle(seconds: float = 0.4) -> None:
    """Let queued work and repaints finish."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "guide" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    configure_application(sys.argv[:1])
    folder = Path(tempfile.mkdtemp(prefix="arobase-captures-"))
    ws = Workspace.open(folder / "landevran.sqlite", EditionCatalog())
    ws.import_document(read_document(EXAMPLE))
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = build_main_window(ws, settings=settings)
    window.resize(1366, 768)
    window.show()
    settle(1.5)
    first_action = ws.load("2019").actions[0].uuid
    shots = [
        ("profile", "profil"),
        ("subtheme:mediation", "sous-theme"),
        ("actions", "actions"),
        (f"action:{first_action}", "fiche-action"),
        ("dossier", "dossier"),
        ("mosaic", "mosaique"),
    ]
    for target, name in shots:
        window.view.navigate(target)
        settle()
        path = args.out / f"{name}.png"
        window.grab().save(str(path))
        print(path)
    window.close()
    print(first_run_shot(folder, args.out))


def first_run_shot(folder: Path, out: Path) -> Path:
    """The first-run assistant on an empty file, a commune chosen, over the window as a new user sees it."""
    from ui.dialogs.first_run_dialog import FirstRunDialog

    ws = Workspace.open(folder / "nouveau.sqlite", EditionCatalog())
    settings = QSettings(str(folder / "settings-nouveau.ini"), QSettings.Format.IniFormat)
    window = build_main_window(ws, settings=settings, first_run=True)
    window.resize(1366, 768)
    window.show()
    settle(1.5)
    dialog = window.findChild(FirstRunDialog)
    dialog.picker.ensure_loaded()
    while dialog.picker.loading:
        settle(0.1)
    place = dialog.picker.index.by_code("56097")  # Landévant, the example's commune
    dialog.picker.edit.setText(place.name)
    dialog.picker.choose(place)
    settle()
    dialog.move(window.geometry().center() - dialog.rect().center())
    settle()
    path = out / "assistant.png"
    pixmap = window.grab()
    painter = QPainter(pixmap)
    corner = dialog.pos() - window.pos()
    painter.drawPixmap(corner, dialog.grab())
    painter.drawRect(corner.x(), corner.y(), dialog.width() - 1, dialog.height() - 1)  # its frame, offscreen
    painter.end()
    pixmap.save(str(path))
    dialog.reject()
    window.close()
    return path


if __name__ == "__main__":
    main()
