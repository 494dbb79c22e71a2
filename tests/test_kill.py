"""A killed process never leaves a half-applied change.

The real command line imports a large dossier in a subprocess that is killed with SIGKILL while it
writes; the store is then reopened: it is intact and holds either the whole old dossier or the whole new
one, never a mix. The same is checked for a loop of small edits, each one transaction touching two fields.

Kill points are placed from what the store file itself shows: the import's transaction is "writing" as
soon as its WAL file grows (SQLite spills pages of a big transaction before the commit), so a delay
measured from that moment, as a fraction of the write duration measured once, lands during the write.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.edition import Edition, EditionCatalog
from app.interchange import to_document
from app.model import DossierData
from app.workspace import Workspace
from localdb.store import Store
from tests.conftest import Trials
from tests.factories import action, complete_dossier, epci_answers, fixed_clock

ROOT = Path(__file__).resolve().parents[1]
EDITION = "2019"
N_BIG = 1500
N_SMALL = 5
LONG = (
    "Ateliers hebdomadaires d'initiation au numérique à la médiathèque, accompagnement des habitants "
    "dans leurs démarches en ligne (carte grise, impôts, CAF) et prêt de tablettes aux aînés. "
) * 15


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def wal_size(store: Path) -> int:
    try:
        return store.with_name(store.name + "-wal").stat().st_size
    except FileNotFoundError:
        return 0


@dataclass(frozen=True)
class Documents:
    small: Path
    big: Path
    big_uuids: tuple[str, ...]
    big_dossier: DossierData


@dataclass(frozen=True)
class Stores:
    empty: Path  # at head, no dossier
    with_small: Path  # the small dossier imported
    small_dossier: DossierData  # as loaded back from with_small


@dataclass(frozen=True)
class Timing:
    write_start: float  # seconds from launch until the WAL first grows: the transaction is writing
    committed: float  # seconds from launch until the main file changes: checkpoint, after the commit
    end: float  # seconds from launch until the process exits

    @property
    def write_duration(self) -> float:
        return self.committed - self.write_start


@dataclass(frozen=True)
class Kill:
    killed: bool  # False: the process had already finished
    saw_write: bool  # the WAL had started to grow before the kill
    at: float  # seconds after launch


@pytest.fixture(scope="module")
def edition_2019() -> Edition:
    return EditionCatalog().get(EDITION)


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory, edition_2019: Edition) -> Documents:
    folder = tmp_path_factory.mktemp("documents")
    small = complete_dossier(edition_2019, n_actions=N_SMALL, epci_answers=epci_answers(edition_2019))
    big_actions = tuple(
        action(
            edition_2019,
            N_SMALL + i,
            title=f"Action importée n° {i + 1}",
            synthesis=f"{i + 1}. {LONG}",
            results=LONG[: 500 + i % 700],
            services=tuple(s.id for s in edition_2019.services[i % 100 : i % 100 + 1 + i % 3]),
        )
        for i in range(N_BIG)
    )
    big = complete_dossier(edition_2019, actions=big_actions)
    paths = []
    for name, dossier in (("petit.json", small), ("grand.json", big)):
        path = folder / name
        path.write_text(json.dumps(to_document(dossier), ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return Documents(paths[0], paths[1], tuple(a.uuid for a in big_actions), big)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, documents: Documents) -> Stores:
    folder = tmp_path_factory.mktemp("stores")
    empty = folder / "vide.sqlite"
    Store.open(empty).close()
    with_small = folder / "petit.sqlite"
    with Workspace.open(with_small, clock=fixed_clock) as ws:
        ws.import_document(json.loads(documents.small.read_text(encoding="utf-8")))
        loaded = ws.load(EDITION)
    assert len(loaded.actions) == N_SMALL
    for path in (empty, with_small):
        assert wal_size(path) == 0 and not path.with_name(path.name + "-wal").exists()
    return Stores(empty, with_small, loaded)


def fresh_copy(source: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.sqlite"
    shutil.copyfile(source, target)
    return target


def launch_import(store: Path, document: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "--db", str(store), "import", str(document)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=child_env(),
            cwd=ROOT,
        )


def import_and_kill(
    store: Path,
    document: Path,
    log: Path,
    *,
    after_write: float | None = None,
    after_launch: float | None = None,
) -> Kill:
    """Run the import; SIGKILL it ``after_write`` seconds after its WAL starts growing, or ``after_launch``
    seconds after it started (whichever is given)."""
    assert (after_write is None) != (after_launch is None)
    t0 = time.perf_counter()
    proc = launch_import(store, document, log)
    write_seen_at: float | None = None
    deadline = after_launch
    try:
        while proc.poll() is None:
            now = time.perf_counter() - t0
            if write_seen_at is None and wal_size(store) > 0:
                write_seen_at = now
                if after_write is not None:
                    deadline = now + after_write
            if deadline is not None and now >= deadline:
                break
            if now > 120:
                raise AssertionError("import still running after 120 s")
            time.sleep(0.0005)
        at = time.perf_counter() - t0
        proc.send_signal(signal.SIGKILL)  # no-op if it has just finished on its own
        rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc in (0, -signal.SIGKILL), (rc, log.read_text(encoding="utf-8", errors="replace"))
    return Kill(rc == -signal.SIGKILL, write_seen_at is not None and write_seen_at <= at, at)


@pytest.fixture(scope="module")
def timing(tmp_path_factory: pytest.TempPathFactory, documents: Documents, stores: Stores) -> Timing:
    """One complete, unkilled import, timed from the outside exactly like the killed ones."""
    folder = tmp_path_factory.mktemp("timing")
    store = fresh_copy(stores.with_small, folder, "mesure")
    before = store.stat()
    t0 = time.perf_counter()
    proc = launch_import(store, documents.big, folder / "stderr.txt")
    write_start = committed = None
    while proc.poll() is None:
        now = time.perf_counter() - t0
        if write_start is None and wal_size(store) > 0:
            write_start = now
        if committed is None and write_start is not None:
            st = store.stat()
            if (st.st_size, st.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                committed = now
        time.sleep(0.0005)
    end = time.perf_counter() - t0
    assert proc.returncode == 0, (folder / "stderr.txt").read_text(encoding="utf-8")
    assert write_start is not None, "the import's transaction never spilled to the WAL: make the document bigger"
    assert committed is not None, "the main file never changed before the process ended"
    with Workspace.open(store, clock=fixed_clock) as ws:
        assert ws.dossier_summaries()[0].action_count == N_BIG
    return Timing(write_start, committed, end)


def check_all_or_nothing(store: Path, documents: Documents, old: DossierData | None) -> str:
    """The store is intact and holds the old dossier (or none) or the whole new one; say which."""
    with Workspace.open(store, clock=fixed_clock) as ws:
        assert ws.store.integrity_ok()
        summaries = ws.dossier_summaries()
        if not summaries:
            assert old is None, "the previous dossier disappeared"
            return "aucun"
        [summary] = summaries
        data = ws.load(EDITION)
    if old is not None and summary.action_count == len(old.actions):
        assert data == old, "the previous dossier is no longer what it was"
        return "ancien"
    assert summary.action_count == N_BIG, f"half-applied import: {summary.action_count} actions"
    assert tuple(a.uuid for a in data.actions) == documents.big_uuids
    assert data.actions == documents.big_dossier.actions
    assert data.profile == documents.big_dossier.profile
    return "nouveau"


def test_calibration_import_is_complete(timing: Timing) -> None:
    assert 0 < timing.write_start < timing.committed <= timing.end
    assert timing.write_duration > 0.005, timing


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_kill_during_import_over_an_existing_dossier(
    tmp_path: Path, documents: Documents, stores: Stores, timing: Timing, fraction: float
) -> None:
    store = fresh_copy(stores.with_small, tmp_path, "commune")
    kill = import_and_kill(store, documents.big, tmp_path / "stderr.txt", after_write=fraction * timing.write_duration)
    outcome = check_all_or_nothing(store, documents, stores.small_dossier)
    if kill.killed and kill.saw_write:
        # Killed while pages were already in the WAL: the commit can only have happened if it was over.
        assert outcome in ("ancien", "nouveau")
    if fraction == 0.1:
        # Early in the write: the commit cannot have happened yet, the old dossier must be there.
        assert kill.killed and kill.saw_write, kill
        assert outcome == "ancien"


def test_kill_during_import_into_an_empty_store(
    tmp_path: Path, documents: Documents, stores: Stores, timing: Timing, trials: Trials
) -> None:
    store = fresh_copy(stores.empty, tmp_path, "commune")
    with trials.one("kill -9 pendant un import"):
        kill = import_and_kill(store, documents.big, tmp_path / "stderr.txt", after_write=0.3 * timing.write_duration)
        outcome = check_all_or_nothing(store, documents, None)
    assert kill.killed and kill.saw_write, kill
    assert outcome in ("aucun", "nouveau")


@pytest.mark.slow
def test_kill_during_import_at_random_points(
    tmp_path: Path, documents: Documents, stores: Stores, timing: Timing, trials: Trials
) -> None:
    seed = random.randrange(1_000_000)
    print(f"seed {seed}")  # shown by pytest if the test fails, to replay the same kill points
    rng = random.Random(seed)
    outcomes: list[tuple[str, Kill]] = []
    for n in range(20):
        source, old = (stores.with_small, stores.small_dossier) if n % 4 else (stores.empty, None)
        store = fresh_copy(source, tmp_path / f"essai-{n}", "commune")
        log = tmp_path / f"essai-{n}" / "stderr.txt"
        with trials.one("kill -9 pendant un import"):
            if n % 2:
                after = rng.uniform(0, 1.3) * timing.write_duration
                kill = import_and_kill(store, documents.big, log, after_write=after)
            else:
                lo, hi = 0.8 * timing.write_start, timing.end * 1.05
                kill = import_and_kill(store, documents.big, log, after_launch=rng.uniform(lo, hi))
            outcomes.append((check_all_or_nothing(store, documents, old), kill))
    mid_write = [o for o, k in outcomes if k.killed and k.saw_write]
    assert mid_write, f"no kill landed during the write (seed {seed}): {outcomes}"


# ---------------------------------------------------------------------- small edits in a loop

EDIT_LOOP = """
import sys
from app.workspace import Workspace

store, action_uuid, filler = sys.argv[1], sys.argv[2], "x" * int(sys.argv[3])
ws = Workspace.open(store)
i = 0
while True:
    i += 1
    ws.update_action("2019", action_uuid, synthesis=f"v{i}", results=f"r{i}:" + filler)
    print(i, flush=True)
"""


def edit_and_kill(store: Path, action_uuid: str, *, min_commits: int, delay: float, filler: int) -> int:
    """Run the edit loop, kill it ``delay`` seconds after ``min_commits`` commits; return the last reported."""
    proc = subprocess.Popen(
        [sys.executable, "-c", EDIT_LOOP, str(store), action_uuid, str(filler)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
        cwd=ROOT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        last = 0
        while last < min_commits:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"edit loop died: {proc.communicate(timeout=30)[1]}")
            last = int(line)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        rest, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, err
    return max([last, *(int(x) for x in rest.split())])


def check_edit(store: Path, old: DossierData, action_uuid: str, reported: int, filler: int) -> int:
    with Workspace.open(store, clock=fixed_clock) as ws:
        assert ws.store.integrity_ok()
        actions = ws.load(EDITION).actions
    [a] = [a for a in actions if a.uuid == action_uuid]
    others = [a for a in actions if a.uuid != action_uuid]
    assert a.synthesis.startswith("v"), a.synthesis
    i = int(a.synthesis[1:])
    assert a.results == f"r{i}:" + "x" * filler  # both fields from the same transaction, whole
    # Every reported commit is durable; at most one more committed before its line was printed.
    assert reported <= i <= reported + 1, (reported, i)
    assert others == [a for a in old.actions if a.uuid != action_uuid]  # untouched
    return i


EDIT_KILLS = "kill -9 pendant la saisie"


@pytest.mark.parametrize(("delay", "filler"), [(0.0, 20_000), (0.137, 150_000)])
def test_kill_during_repeated_small_edits(
    tmp_path: Path, stores: Stores, delay: float, filler: int, trials: Trials
) -> None:
    store = fresh_copy(stores.with_small, tmp_path, "commune")
    target = stores.small_dossier.actions[2].uuid
    with trials.one(EDIT_KILLS):
        reported = edit_and_kill(store, target, min_commits=5, delay=delay, filler=filler)
        assert check_edit(store, stores.small_dossier, target, reported, filler) >= 5


@pytest.mark.slow
def test_two_hundred_kills_during_repeated_small_edits(tmp_path: Path, stores: Stores, trials: Trials) -> None:
    """200 edit loops killed at random moments: each store passes PRAGMA integrity_check and holds every
    edit its process acknowledged (printed) before the kill, whole, and nothing else changed."""
    seed = random.randrange(1_000_000)
    print(f"seed {seed}")  # shown by pytest if the test fails, to replay the same kill points
    rng = random.Random(seed)
    for n in range(200):
        store = fresh_copy(stores.with_small, tmp_path / f"essai-{n}", "commune")
        target = stores.small_dossier.actions[n % N_SMALL].uuid
        filler = rng.choice([10, 5_000, 150_000])
        with trials.one(EDIT_KILLS):
            reported = edit_and_kill(store, target, min_commits=3, delay=rng.uniform(0, 0.3), filler=filler)
            assert reported >= 3, f"seed {seed}"
            check_edit(store, stores.small_dossier, target, reported, filler)
        shutil.rmtree(store.parent)  # 200 stores would fill the temporary folder
