"""Sync tests: the real server process of tests/server (its fixtures, reused), a fault proxy in front,
a real store with a validated dossier of three attachments, and a real in-memory keyring."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.account import Account
from app.login import login
from app.network import SyncSettings
from app.secrets import SecretStore
from app.workspace import Workspace
from tests.conftest import copy_empty_store
from tests.factories import commune_profile, complete_dossier, fixed_clock
from tests.faultproxy import FaultProxy
from tests.server.conftest import BACKENDS, ServerProcess, reset_postgres, server_env

MEMORY_KEYRING = "tests.keyring_backends.MemoryKeyring"
FILE_KEYRING = "tests.keyring_backends.FileKeyring"
FAIL_KEYRING = "keyring.backends.fail.Keyring"
# Three attachments of different sizes, several chunks each at the tests' chunk size.
ATTACHMENTS = (("photo-atelier.jpg", 150_000), ("compte-rendu.pdf", 90_000), ("affiche.png", 40_000))
CHUNK = 32 * 1024
_USED: set[str] = set()


def new_insee() -> str:
    """A fresh 5-digit code per test: the shared server keeps every collectivity it was given."""
    while True:
        code = f"{random.randrange(10_000, 99_999)}"
        if code not in _USED:
            _USED.add(code)
            return code


def fast_settings(server_url: str = "", **changes: object) -> SyncSettings:
    base = dict(server=server_url, connect_timeout=5.0, read_timeout=20.0, chunk_bytes=CHUNK, max_attempts=8,
                backoff_base=0.02, backoff_cap=0.2)  # fmt: skip
    base.update(changes)
    return SyncSettings(**base)  # type: ignore[arg-type]


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", MEMORY_KEYRING)
    keyring.core.init_backend()


def attachment_bytes(name: str, size: int) -> bytes:
    rng = random.Random(name)
    return rng.randbytes(size)


def validated_workspace(path: Path, code: str, name: str, folder: Path, empty_store: Path | None = None) -> Workspace:
    """A store whose 2019 dossier has three attachments and is validated (its outbox entry written); made
    from a copy of ``empty_store`` when given (tests/conftest.py), else created by ``Workspace.open``."""
    ws = Workspace.open(copy_empty_store(empty_store, path) if empty_store else path, clock=fixed_clock)
    edition = ws.edition("2019")
    data = complete_dossier(edition, profile=commune_profile(code=code, name=name))
    ws.update_profile(**{k: getattr(data.profile, k) for k in data.profile.__slots__})
    ws.add_actions("2019", data.actions)
    for (file_name, size), a in zip(ATTACHMENTS, data.actions, strict=True):
        source = folder / file_name
        source.write_bytes(attachment_bytes(file_name, size))
        ws.add_attachment("2019", a.uuid, source)
    ws.validate("2019")
    return ws


@dataclass
class Town:
    """One town hall: its store, its account on the server, a fault proxy in front of the server."""

    ws: Workspace
    server: ServerProcess
    proxy: FaultProxy
    secrets: SecretStore
    settings: SyncSettings
    account: Account
    account_path: Path
    code: str

    def session(self):  # type: ignore[no-untyped-def]
        return self.settings.session()


def make_town(
    server: ServerProcess,
    tmp_path: Path,
    proxy: FaultProxy,
    name: str = "Commune d'essai",
    empty_store: Path | None = None,
) -> Town:
    code = new_insee()
    activation = server.activation_code(code, name)
    ws = validated_workspace(tmp_path / "commune.sqlite", code, name, tmp_path, empty_store)
    settings = fast_settings(proxy.url)
    secrets = SecretStore()
    account_path = tmp_path / "config" / "compte.json"
    account = login(settings, settings.session(), secrets, account_path, activation)
    return Town(ws, server, proxy, secrets, settings, account, account_path, code)


_SCHEMAS = itertools.count(1)


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """tests/server's server process, in its own PostgreSQL schema (both suites run in one session).

    Test modules elsewhere (the Envoi page's) import this fixture, which makes it a second session
    fixture: each instance gets a schema of its own, so one never resets the other's tables.
    """
    data = tmp_path_factory.mktemp(f"serveur-envoi-{request.param}")
    schema = f"arobase_sync{next(_SCHEMAS)}"
    handle = ServerProcess(data, server_env(data, request.param, schema=schema)).start(workers=2)
    yield handle
    handle.stop()
    if request.param == "postgresql":
        reset_postgres(schema, drop_only=True)


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[FaultProxy]:
    with FaultProxy(server.port) as p:
        yield p


@pytest.fixture
def town(
    server: ServerProcess, tmp_path: Path, proxy: FaultProxy, memory_keyring: None, empty_store: Path
) -> Iterator[Town]:
    t = make_town(server, tmp_path, proxy, empty_store=empty_store)
    yield t
    t.ws.close()
