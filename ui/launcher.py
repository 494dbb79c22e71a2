"""Console entry point ``arobase``: a subcommand runs headless; no subcommand opens the window.

Qt is imported only when the window, or a PNG of the mosaïque, is asked for, so the command line
works without a display.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any


def _open_window(store_path: Path) -> int:
    from ui.application import run

    return run(store_path)


def _write_png(layout: Any, path: Path, width_px: int) -> None:
    """``arobase mosaique --out x.png``: the same painter as the window, offscreen when there is no display."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.pages.mosaic_page import write_png_image
    from ui.qt import QGuiApplication
    from ui.widgets.mosaic_widget import render_image

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    write_png_image(render_image(layout, width_px, app.font()), path)


def main() -> int:
    from app.cli import main as cli_main

    return cli_main(sys.argv[1:], open_window=_open_window, png_writer=_write_png)


if __name__ == "__main__":
    raise SystemExit(main())
