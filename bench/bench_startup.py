"""How fast does the window appear, compared with a bare PySide6 window started the same way?

    .venv/bin/python bench/bench_startup.py [--rounds 5] [--platform xvfb|offscreen]

Three kinds of child process, started side by side in one run (interleaved, ``--rounds`` times each, the
median kept), each a fresh ``python`` with the same interpreter:

* ``bare``: a QApplication and a QMainWindow holding a QLabel, shown; the marker is printed from the
  first turn of the event loop after ``show()``;
* Arobase (``python -m ui.launcher --db FILE``, the real entry point) on a store holding a dossier of
  300, then 5,000 actions: the marker is printed once the window is shown **and** its pages hold the
  dossier read by the worker (``MainWindow.dossier_ready``, then one turn of the event loop;
  ``AROBASE_QUIT_WHEN_READY`` in ``ui/application.py``).

Time: from ``Popen`` to the marker line read by this process (interpreter start included, for both).
Peak memory: the child's ``ru_maxrss`` (``os.wait4``). Under Xvfb when it is installed (a real X server
and the xcb plugin, as on a desktop), otherwise offscreen; the line printed says which. The machine is
noisy: the figures are ratios to the bare window of the same run, never absolute thresholds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.formats import thousands  # noqa: E402
from bench.table import Row, number  # noqa: E402

MARKER = "AROBASE_READY"
TIME_TARGET, MEMORY_TARGET = 2.5, 2.0
BARE = f"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("Fenêtre nue"))
window.resize(1280, 720)
window.show()
def ready():
    print({MARKER!r}, flush=True)
    app.exit(0)
QTimer.singleShot(0, ready)
sys.exit(app.exec())
"""


def make_store(folder: Path, n_actions: int) -> Path:
    """A store holding one dossier of ``n_actions`` actions (imported once, before any timing)."""
    from app.edition import EditionCatalog
    from app.interchange import to_document
    from app.workspace import Workspace
    from tests.factories import complete_dossier

    path = folder / f"dossier-{n_actions}.sqlite"
    catalog = EditionCatalog()
    with Workspace.open(path, catalog) as ws:
        ws.import_document(to_document(complete_dossier(catalog.get("2019"), n_actions)))
    return path


def start_display() -> tuple[subprocess.Popen[bytes] | None, dict[str, str], str]:
    """An Xvfb server on a free display number, or the offscreen platform when Xvfb is not installed."""
    if not shutil.which("Xvfb"):
        return None, {"QT_QPA_PLATFORM": "offscreen"}, "offscreen"
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        display = fh.readline().strip()
    return server, {"QT_QPA_PLATFORM": "xcb", "DISPLAY": f":{display}"}, f"Xvfb :{display}"


def run_child(args: list[str], env: dict[str, str], timeout_s: float = 120.0) -> tuple[float, float]:
    """(seconds to the marker, peak resident memory in MiB) of one child process."""
    t0 = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert child.stdout is not None
    elapsed = None
    deadline = t0 + timeout_s
    for line in child.stdout:
        if line.strip() == MARKER:
            elapsed = time.perf_counter() - t0
            break
        if time.perf_counter() > deadline:
            break
    child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if elapsed is None or child.returncode != 0:
        err = child.stderr.read() if child.stderr else ""
        raise SystemExit(f"{' '.join(args[:3])}… n'a pas atteint la fenêtre (code {child.returncode}) :\n{err}")
    return elapsed, usage.ru_maxrss / 1024  # kilobytes on Linux


def measure(
    rounds: int, sizes: list[int], platform: str | None, warm_up: bool = True
) -> tuple[str, dict[str, tuple[float, float]]]:
    """Where it ran, and per kind (``bare``, then each size) the median (seconds, MiB) of ``rounds`` launches."""
    folder = Path(tempfile.mkdtemp(prefix="arobase-bench-start-"))
    stores = {n: make_store(folder, n) for n in sizes}
    if platform == "offscreen":
        server, display_env, where = None, {"QT_QPA_PLATFORM": "offscreen"}, "offscreen"
    else:
        server, display_env, where = start_display()
    env = {
        # PYTHONDONTWRITEBYTECODE would make every child compile each of our modules from source at every
        # start (the bare window compiles none), which an installed Arobase never does: the warm-up run
        # below writes the .pyc files, into this run's own folder (PYTHONPYCACHEPREFIX), not the source tree.
        **{k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")},
        **display_env,
        "PYTHONDONTWRITEBYTECODE": "",
        "PYTHONPYCACHEPREFIX": str(folder / "pycache"),
        "HOME": str(folder),  # fresh settings, data and log folders: nothing of the developer's session
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_STATE_HOME": str(folder / "state"),
        "AROBASE_QUIT_WHEN_READY": "1",
    }
    kinds: dict[str, list[str]] = {"bare": [sys.executable, "-c", BARE]}
    for n, path in stores.items():
        kinds[str(n)] = [sys.executable, "-m", "ui.launcher", "--db", str(path)]
    results: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    try:
        for command in kinds.values() if warm_up else ():  # warm-up: disk cache, the day's backup, the .pyc
            run_child(command, env)
        for _ in range(rounds):
            for kind, command in kinds.items():
                results[kind].append(run_child(command, env))
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)
    medians = {
        kind: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for kind, runs in results.items()
    }
    return f"{where}, médiane de {rounds} lancements" if rounds > 1 else f"{where}, un lancement", medians


def rows(quick: bool = False) -> list[Row]:
    """The start-up rows of ``make bench``: 300 and 5,000 actions (``quick``: 30 and 300, one launch each)."""
    sizes = (30, 300) if quick else (300, 5000)
    how, medians = measure(1 if quick else 5, list(sizes), None, warm_up=not quick)
    bare_t, bare_m = medians["bare"]
    out = []
    for n, key in zip(sizes, ("300", "5000"), strict=True):
        t, mem = medians[str(n)]
        aims = (TIME_TARGET, MEMORY_TARGET) if key == "300" else (None, None)
        label = f"démarrage jusqu'à la fenêtre, {thousands(n)} actions ({how}) vs fenêtre PySide6 nue"
        out.append(Row(f"startup-{key}-time", f"{label} : temps", f"{number(t)} s", f"{number(bare_t)} s",
                       t / bare_t, aims[0]))  # fmt: skip
        out.append(Row(f"startup-{key}-memory", f"{label} : mémoire de pointe", f"{mem:.0f} Mio", f"{bare_m:.0f} Mio",
                       mem / bare_m, aims[1]))  # fmt: skip
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--platform", choices=("xvfb", "offscreen"), default=None)
    ap.add_argument("--sizes", default="300,5000", help="dossier sizes, in actions")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    how, medians = measure(args.rounds, sizes, args.platform)
    bare_t, bare_m = medians["bare"]
    print(f"Démarrage jusqu'à la fenêtre qui montre le dossier ({how})")
    print(f"  fenêtre PySide6 nue : {bare_t:.2f} s, {bare_m:.0f} Mio")
    for n in sizes:
        t, mem = medians[str(n)]
        print(
            f"  Arobase, {n} actions : {t:.2f} s ({t / bare_t:.2f}×, objectif ≤ {TIME_TARGET}×), "
            f"{mem:.0f} Mio ({mem / bare_m:.2f}×, objectif ≤ {MEMORY_TARGET}×)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
