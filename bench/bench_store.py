"""Measure the store against plain sqlite3: load a 5,000-action dossier, and one autosave-sized write.

    .venv/bin/python bench/bench_store.py [--actions 5000] [--repeat 5]

Prints medians and ratios (Arobase / plain sqlite3); no thresholds here, the figures go in README.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import app.edition as edition_module
from app.edition import EditionCatalog
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import complete_dossier, fixed_clock


def median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def raw_load(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("SELECT * FROM action").fetchall()
    con.execute("SELECT * FROM action_service").fetchall()
    con.execute("SELECT * FROM action_address").fetchall()
    con.execute("SELECT * FROM attachment").fetchall()
    con.close()


def raw_write(path: Path, n: int) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=FULL")
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE action SET synthesis=? WHERE id=1", (f"texte {n}",))
    con.execute("COMMIT")
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--actions", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    catalog = EditionCatalog()
    edition = catalog.get("2019")
    folder = Path(tempfile.mkdtemp(prefix="arobase-bench-"))
    path = folder / "bench.sqlite"
    ws = Workspace.open(path, catalog, clock=fixed_clock)
    t0 = time.perf_counter()
    ws.import_document(to_document(complete_dossier(edition, args.actions)))
    t_import = time.perf_counter() - t0
    uuid = ws.load("2019").actions[0].uuid

    t_load = median_time(lambda: ws.load("2019"), args.repeat)
    t_raw = median_time(lambda: raw_load(path), args.repeat)
    counter = iter(range(10**9))
    t_edit = median_time(lambda: ws.update_action("2019", uuid, synthesis=f"texte {next(counter)}"), args.repeat * 4)
    t_raw_edit = median_time(lambda: raw_write(path, next(counter)), args.repeat * 4)
    warm = median_time(lambda: catalog.get("2019"), args.repeat * 20)

    def cold_load() -> None:
        edition_module._load_cached.cache_clear()
        catalog.get("2019")

    cold = median_time(cold_load, args.repeat)
    ws.close()
    print(f"import of {args.actions} actions (one transaction): {t_import:.2f} s")
    print(
        f"load dossier ({args.actions} actions): {t_load * 1000:.0f} ms; plain sqlite3 rows: {t_raw * 1000:.0f} ms;"
        f" ratio {t_load / t_raw:.1f}x"
    )
    print(
        f"one action edit (autosave write, fsync): {t_edit * 1000:.1f} ms; plain sqlite3: {t_raw_edit * 1000:.1f} ms;"
        f" ratio {t_edit / t_raw_edit:.1f}x"
    )
    print(f"edition 2019: first load with schema validation {cold * 1000:.1f} ms; cached lookup {warm * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
