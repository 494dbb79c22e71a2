"""Shared fixtures: a fresh store file per test, the 2019 edition, a fixed clock, an isolated HOME."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.edition import Edition, EditionCatalog
from app.workspace import Workspace
from tests.factories import fixed_clock

ROOT = Path(__file__).resolve().parents[1]


@pytest.hookimpl(tryfirst=True)  # before pytest deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On PostgreSQL, ``make test`` runs the whole server suite but, of the tests that talk to a server
    from the client's side (sync, Envoi page), only those marked ``both_backends``: the client does the
    same on either database. The others run on PostgreSQL too in the slow run (``make test-slow``)."""
    server_suite = ROOT / "tests" / "server"
    for item in items:
        params = getattr(item, "callspec", None)
        if params is None or params.params.get("server") != "postgresql":
            continue
        if server_suite in item.path.parents or item.get_closest_marker("both_backends"):
            continue
        item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _collect_then_freeze() -> None:
    """Collect what the previous test left in reference cycles, then freeze what survives.

    By now pytest has dropped the previous test's fixture values, so its garbage (widgets, stores) is
    collected before this test starts. What survives is long-lived (modules, the QApplication, session
    fixtures): frozen, the collector no longer walks those 200,000 objects at every collection. A full
    collection per test without the freeze cost about a third of the widget tests' time.
    """
    gc.collect()
    gc.freeze()


@dataclass
class Trials:
    """Counts of the fault runs (kills, cuts, fuzzed inputs) of this session, printed at its end (make stress).

    ``with trials.one("kill -9 pendant la saisie"):`` around each trial counts it, and counts a failure when
    it raises (then re-raises: the test fails as usual).
    """

    run: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)

    @contextlib.contextmanager
    def one(self, kind: str) -> Iterator[None]:
        self.run[kind] = self.run.get(kind, 0) + 1
        try:
            yield
        except BaseException:
            self.failed[kind] = self.failed.get(kind, 0) + 1
            raise


TRIALS = pytest.StashKey[Trials]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[TRIALS] = Trials()


@pytest.fixture
def trials(request: pytest.FixtureRequest) -> Trials:
    return request.config.stash[TRIALS]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    counts = config.stash[TRIALS]
    if not counts.run:
        return
    terminalreporter.section("essais de pannes")
    for kind in sorted(counts.run):
        terminalreporter.write_line(f"{kind} : {_trials(counts.run[kind])}, {counts.failed.get(kind, 0)} en échec")
    total, failed = sum(counts.run.values()), sum(counts.failed.values())
    terminalreporter.write_line(f"en tout : {_trials(total)}, {failed} en échec")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may read or write the real user's data, config or log folders."""
    home = tmp_path_factory.mktemp("home")
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.delenv("AROBASE_DB", raising=False)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "commune.sqlite"


@pytest.fixture
def catalog() -> EditionCatalog:
    return EditionCatalog()


@pytest.fixture
def edition(catalog: EditionCatalog) -> Edition:
    return catalog.get("2019")


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new store file as ``Workspace.open`` creates it (every migration run, nothing else in it), made once.

    Copied where a test needs a fresh empty store, it is that same file without running the migrations
    again (about a tenth of a second each on the test machine, for several hundred tests). What creating a
    store does is tested on its own (test_store, test_migrations, the command-line tests).
    """
    path = tmp_path_factory.mktemp("magasin-vide") / "vide.sqlite"
    Workspace.open(path, clock=fixed_clock).close()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # one file: no journal, no backup left
    return path


def copy_empty_store(empty_store: Path, path: Path) -> Path:
    """``path`` (which must not exist yet) becomes a fresh empty store: a copy of ``empty_store``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with empty_store.open("rb") as source, path.open("xb") as target:
        shutil.copyfileobj(source, target)
    return path


@pytest.fixture
def ws(store_path: Path, catalog: EditionCatalog, empty_store: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(copy_empty_store(empty_store, store_path), catalog, clock=fixed_clock)
    yield workspace
    workspace.close()


def run_cli(  # type: ignore[no-untyped-def]
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, input: str | None = None, binary: bool = False
):
    """Run the real ``arobase`` entry point in a subprocess (``binary``: stdout and stderr as bytes)."""
    import subprocess

    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("AROBASE_DB", None) if env is None or "AROBASE_DB" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=not binary,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
        input=input,
    )


def _trials(n: int) -> str:
    return f"{n} essai{'s' if n > 1 else ''}"
