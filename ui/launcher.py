"""Console entry point ``arobase``: a subcommand runs headless; no subcommand opens the window.

Qt is imported only when the window, or a PNG of the mosaïque, is asked for, so the command line
works without a display.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _open_window(store_path: Path, when_shown: Callable[[], None] | None = None) -> int:
    from app.first_read import ReadAhead  # the read starts before Qt and the window are imported

    read_ahead = ReadAhead(store_path)
    from ui.application import run

    return run(store_path, read_ahead=read_ahead, when_shown=when_shown)


def _write_png(layout: Any, path: Path, width_px: int) -> None:
    """``arobase mosaique --out x.png``: the same painter as the window, offscreen when there is no display."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.pages.mosaic_page import write_png_image
    from ui.qt import QGuiApplication
    from ui.widgets.mosaic_widget import render_image

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    write_png_image(render_image(layout, width_px, app.font()), path)


def _start_logging(command: str) -> None:
    """The one place logging is configured: the rotating files of the user's log folder (``app.logs``).
    ``command``: its name only (``app.cli.command_name``)."""
    import logging
    import platform

    from app.logs import configure_logging
    from app.paths import user_log_dir
    from app.version import VERSION

    configure_logging(user_log_dir())
    logging.getLogger("arobase").info(
        "Arobase %s, Python %s, %s, commande %s", VERSION, platform.python_version(), _system(), command
    )


def _system() -> str:
    """« Linux 6.1.0 x86_64 »: ``platform.platform()`` would run ``uname -p`` (a process, 10 ms at every start)."""
    import platform

    return f"{platform.system()} {platform.release()} {platform.machine()}"


def main() -> int:
    from app.cli import WINDOW, command_name, window_only
    from app.cli import main as cli_main

    argv = sys.argv[1:]
    if not window_only(argv):
        _start_logging(command_name(argv))
        return cli_main(argv, open_window=_open_window, png_writer=_write_png)
    from app.logs import hold_records

    hold_records()  # the files are opened once the window shows: what is logged before waits for them

    def open_window(store_path: Path) -> int:
        return _open_window(store_path, when_shown=lambda: _start_logging(WINDOW))

    return cli_main(argv, open_window=open_window, png_writer=_write_png)


if __name__ == "__main__":
    raise SystemExit(main())
