"""Draw Arobase's icon files from ``resources/icons/arobase.svg`` with Qt's own renderer and writers.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/make_icons.py

The PNGs (the window icon, the Linux menus), the Windows ``.ico`` (the program, the installer, the
uninstaller) and the macOS ``.icns`` (both put together by Pillow, which reportlab already brings, from
Qt's drawing at each size: crisper than one image scaled down) are committed: building a bundle needs
no drawing tool, and ``tests/ui/test_app_icon.py`` checks that they are what this script draws from today's SVG.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "arobase.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512)


def png_path(size: int, folder: Path = ICONS) -> Path:
    return folder / f"arobase-{size}.png"


def render(size: int):  # type: ignore[no-untyped-def]
    """The SVG drawn on a transparent square of ``size`` pixels (a QImage)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} n'est pas un SVG lisible.")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def _pillow_image(size: int):  # type: ignore[no-untyped-def]
    """The drawing at ``size`` as a Pillow image (Qt's ico and icns writers hold one size per file)."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    render(size).save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def write_all(folder: Path = ICONS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        path = png_path(size, folder)
        if not render(size).save(str(path), "PNG"):
            raise SystemExit(f"Écriture de {path} impossible.")
        written.append(path)
    for name, sizes in (("arobase.ico", ICO_SIZES), ("arobase.icns", ICNS_SIZES)):
        images = [_pillow_image(size) for size in reversed(sizes)]  # largest first
        images[0].save(folder / name, sizes=[(s, s) for s in sizes], append_images=images[1:])
        written.append(folder / name)
    return written


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])  # Qt's image plugins need an application object
    for path in write_all():
        print(path.relative_to(ROOT))
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
