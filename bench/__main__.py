"""``make bench``: every bench in one run, one table of ratios measured side by side.

    .venv/bin/python -m bench [--quick] [--only startup,pdf,typing,sync,server]

Each bench script returns its rows (``rows(quick=...)``); this driver runs them one after the other in
one process (start-up launches its own child processes), then prints the machine and one Markdown table,
ready for README's « Chiffres ». ``--quick`` is the smoke test run by tests/test_bench.py: tiny sizes,
one round, every row still there. Exit status 0 even when an aim is missed: the table says it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the in-process Qt parts; start-up picks its own

from bench.table import Row, markdown  # noqa: E402

# The row keys each bench returns, in table order: tests/test_bench.py checks that none goes missing.
PARTS: dict[str, tuple[str, ...]] = {
    "startup": ("startup-300-time", "startup-300-memory", "startup-5000-time", "startup-5000-memory"),
    "pdf": ("pdf", "pdf-fields", "stall-pdf"),
    "typing": ("stall-typing", "filter"),
    "sync": ("sync-wire", "sync-resent", "stall-send"),
    "server": ("server-sqlite",),
}


def bench(name: str) -> Callable[[bool], list[Row]]:
    """The ``rows`` function of one bench script, imported only when it runs."""
    import importlib

    module = {"startup": "bench_startup", "pdf": "bench_pdf", "typing": "bench_ui_typing", "sync": "bench_sync",
              "server": "bench_server"}[name]  # fmt: skip
    return importlib.import_module(f"bench.{module}").rows  # type: ignore[no-any-return]


def machine() -> str:
    """nproc, CPU model, RAM, Python, Qt and PySide6 versions: what the figures were measured on."""
    import PySide6
    from PySide6.QtCore import qVersion

    cpu = "?"
    ram = "?"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        kib = int(
            next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
        )
        ram = f"{kib / 1024 / 1024:.1f} Gio".replace(".", ",")
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"{os.cpu_count()} cœurs (nproc {len(os.sched_getaffinity(0))}), {cpu}, {ram} de mémoire ; "
        f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {PySide6.__version__} ; {platform.platform()}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke test: tiny sizes, one round")
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ",".join(PARTS))
    ap.add_argument("--keys", action="store_true", help="also list the row keys (ROW key), for tests/test_bench.py")
    args = ap.parse_args(argv)
    rows: list[Row] = []
    started = time.perf_counter()
    for name in args.only.split(","):
        t0 = time.perf_counter()
        part = bench(name)(args.quick)
        print(f"  {name} : {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
        rows += part
    mode = " (--quick : tailles réduites, un seul passage ; chiffres sans valeur)" if args.quick else ""
    print(f"Machine : {machine()}")
    print(f"Commande : .venv/bin/python -m bench{' --quick' if args.quick else ''} (make bench){mode}, "
          f"{time.perf_counter() - started:.0f} s en tout\n")  # fmt: skip
    print(markdown(rows))
    if args.keys:
        print("\n".join(f"ROW {row.key}" for row in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
