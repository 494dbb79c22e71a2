"""The window icon: the PNGs tools/make_icons.py draws from resources/icons/arobase.svg.

PNGs rather than the SVG: no SVG plugin to load before the first window shows, and each size is the
one drawn for it (crisp in the title bar at 16 pixels, in the task bar at 32 or 48).
"""

from __future__ import annotations

from pathlib import Path

from ui.qt import QIcon

SIZES = (16, 24, 32, 48, 64, 128, 256)


def window_icon(icons: Path | None = None) -> QIcon:
    """Arobase's icon at every size drawn; an empty icon (Qt's default) if the files are missing."""
    if icons is None:
        from resources import folder

        icons = folder("resources.icons")
    icon = QIcon()
    for size in SIZES:
        path = icons / f"arobase-{size}.png"
        if path.is_file():
            icon.addFile(str(path))
    return icon
