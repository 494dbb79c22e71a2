"""``make bench`` cannot rot: the driver runs in quick mode and its table has every row, each with a ratio."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.__main__ import PARTS

ROOT = Path(__file__).resolve().parents[1]


def test_the_bench_driver_prints_every_row_in_quick_mode(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("AROBASE_TEST_DATABASE_URL", None)  # the quick run measures SQLite only
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--keys"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    keys = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("ROW ")]
    assert keys == [key for part in PARTS.values() for key in part], done.stdout
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + len(keys)  # header and one line per row
    for line in table[1:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) == 6, line
        assert cells[3].replace(",", "").isdigit(), line  # a ratio was measured
        assert cells[5] in ("atteint", "**non atteint**", "—"), line
    assert "Machine : " in done.stdout and "Python 3." in done.stdout and "Qt 6." in done.stdout
