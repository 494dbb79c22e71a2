"""Console entry point ``arobase``: a subcommand runs headless; no subcommand opens the window.

Qt is imported only when the window is asked for, so the command line works without a display.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _open_window(store_path: Path) -> int:
    from ui.application import run

    return run(store_path)


def main() -> int:
    from app.cli import main as cli_main

    return cli_main(sys.argv[1:], open_window=_open_window)


if __name__ == "__main__":
    raise SystemExit(main())
