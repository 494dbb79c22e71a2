"""``arobase login / send / outbox / editions / logout`` as real processes, and ``arobase send`` killed
with SIGKILL at random moments (one of them between the server's 201 and the local commit), then run
again: every revision is received exactly once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import outbox
from app.workspace import Workspace
from tests.conftest import ROOT, Trials, run_cli
from tests.faultproxy import Fault, FaultProxy
from tests.server.conftest import ServerProcess
from tests.sync.conftest import FILE_KEYRING, new_insee, validated_workspace
from tests.sync.test_send import submissions_for


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    import keyring.core

    env = {"PYTHON_KEYRING_BACKEND": FILE_KEYRING, "AROBASE_TEST_KEYRING": str(tmp_path / "trousseau.json")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    keyring.core.init_backend()
    return env


def _town(server: ServerProcess, folder: Path) -> tuple[Path, str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    code = new_insee()
    activation = server.activation_code(code, "Commune d'essai")
    validated_workspace(folder / "commune.sqlite", code, "Commune d'essai", folder).close()
    return folder / "commune.sqlite", code, activation


def test_login_send_outbox_logout(server: ServerProcess, tmp_path: Path, file_keyring: dict[str, str]) -> None:
    db, code, activation = _town(server, tmp_path)
    with FaultProxy(server.port) as proxy:
        done = run_cli("login", "--server", proxy.url, input=activation + "\n", env=file_keyring)
        assert done.returncode == 0, done.stderr
        assert "Connecté pour «\u00a0Commune d'essai\u00a0»" in done.stdout and code in done.stdout
        assert activation not in (Path(os.environ["XDG_CONFIG_HOME"]) / "Arobase" / "compte.json").read_text()
        pending = run_cli("--db", str(db), "outbox", env=file_keyring)
        assert pending.returncode == 1 and "en attente" in pending.stdout
        sent = run_cli("--db", str(db), "send", env=file_keyring)
        assert sent.returncode == 0, sent.stderr
        assert "accusé VI-2019-" in sent.stdout
        listed = json.loads(run_cli("--db", str(db), "outbox", "--json", env=file_keyring).stdout)
        assert [e["state"] for e in listed] == ["envoye"]
        assert run_cli("--db", str(db), "send", env=file_keyring).stdout.startswith("Rien à envoyer")
        editions = run_cli("editions", "--update", env=file_keyring)
        assert editions.returncode == 0, editions.stderr
        stored = Path(os.environ["XDG_DATA_HOME"]) / "Arobase" / "editions" / "2019.json"
        assert stored.is_file() and "2019" in editions.stdout
        assert "Aucune nouvelle" in run_cli("editions", "--update", env=file_keyring).stdout  # ETag: 304
        out = run_cli("logout", env=file_keyring)
        assert out.returncode == 0 and "Déconnecté" in out.stdout
        again = run_cli("--db", str(db), "send", env=file_keyring)
        assert again.returncode == 2 and "connectez-vous" in again.stderr
    assert submissions_for(server, code) == 1


def test_bad_input_exits_2(tmp_path: Path, file_keyring: dict[str, str]) -> None:
    done = run_cli("login", "--server", "http://depot.example.org", "--code", "X", env=file_keyring)
    assert done.returncode == 2 and "chiffrée" in done.stderr
    done = run_cli("login", "--server", "https://127.0.0.1:9", input="\n", env=file_keyring)
    assert done.returncode == 2 and "code d'activation" in done.stderr
    done = run_cli("login", "--server", "https://127.0.0.1:9", "--proxy", "http://agent:secret@proxy:3128",
                   "--code", "X", env=file_keyring)  # fmt: skip
    assert done.returncode == 2 and "sans identifiant ni mot de passe" in done.stderr
    assert "secret" not in done.stderr + done.stdout


def _start_send(db: Path, env: dict[str, str], log: Path | None = None) -> subprocess.Popen[bytes]:
    """``arobase send`` in a child process; its output goes to ``log`` (to explain a failed trial)."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen([sys.executable, "-m", "app.cli", "--db", str(db), "send"], env=full,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    finally:
        if log is not None:
            out.close()  # type: ignore[union-attr]


def _kill_trials(server: ServerProcess, tmp_path: Path, env: dict[str, str], n: int, trials: Trials) -> None:
    rng = random.Random(11)
    with FaultProxy(server.port) as proxy:
        for i in range(n):
            with trials.one("kill -9 pendant un envoi"):
                _kill_trial(server, tmp_path, env, proxy, rng, i)


def _kill_trial(server: ServerProcess, tmp_path: Path, env: dict[str, str], proxy: FaultProxy, rng: random.Random,
                i: int) -> None:  # fmt: skip
    """One send killed at a random moment (or right after the server committed), then sent again: once."""
    from app.login import login
    from app.network import SyncSettings
    from app.paths import account_file
    from app.secrets import SecretStore

    db, code, activation = _town(server, tmp_path / f"essai-{i}")
    settings = SyncSettings(server=proxy.url)
    login(settings, settings.session(), SecretStore(), account_file(), activation)
    between = i % 3 == 0  # the server committed and answered 201; the client never commits
    proxy.set(Fault(stall_on=b"receipt_number") if between else Fault(throttle=400_000))
    log = db.with_name("envoi.log")
    child = _start_send(db, env, log)
    if between:
        assert proxy.stalled.wait(60), f"essai {i} : {child.poll()=}, {log.read_text(errors='replace')}"
        time.sleep(0.05)
    else:
        time.sleep(rng.uniform(0.3, 1.6))
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    proxy.set(Fault())
    again = _start_send(db, env, log)
    assert again.wait(120) == 0, f"essai {i} : {log.read_text(errors='replace')}"
    assert submissions_for(server, code) == 1, f"essai {i}"
    with Workspace.open(db) as ws:
        [entry] = outbox.entries(ws)
        assert entry.state == "envoye" and entry.receipt_number, f"essai {i}"
        assert ws.status("2019").summary.state == "recu"
        assert ws.store.integrity_ok()


def test_send_killed_at_random_moments_still_delivers_once(
    server: ServerProcess, tmp_path: Path, file_keyring: dict[str, str], trials: Trials
) -> None:
    _kill_trials(server, tmp_path, file_keyring, 10, trials)


@pytest.mark.slow
def test_a_hundred_kills(server: ServerProcess, tmp_path: Path, file_keyring: dict[str, str], trials: Trials) -> None:
    _kill_trials(server, tmp_path, file_keyring, 100, trials)


def test_bundle_commands(server: ServerProcess, tmp_path: Path, file_keyring: dict[str, str]) -> None:
    db, code, activation = _town(server, tmp_path)
    bundle = tmp_path / "cle-usb" / "envoi.arobase"
    with FaultProxy(server.port) as proxy:
        assert run_cli("login", "--server", proxy.url, "--code", activation, env=file_keyring).returncode == 0
        done = run_cli("--db", str(db), "bundle", "--out", str(bundle), env=file_keyring)
        assert done.returncode == 0, done.stderr
        broken = tmp_path / "abime.arobase"
        broken.write_bytes(bundle.read_bytes()[:-200])
        refused = run_cli("send", "--bundle", str(broken), env=file_keyring)
        assert refused.returncode == 2 and "abime.arobase" in refused.stderr and "Traceback" not in refused.stderr
        sent = run_cli("send", "--bundle", str(bundle), "--server", proxy.url, env=file_keyring)
        assert sent.returncode == 0, sent.stderr
        receipt = bundle.with_name("envoi-accuse.json")
        assert receipt.is_file() and "VI-2019-" in sent.stdout
        imported = run_cli("--db", str(db), "receipt", "--import", str(receipt), env=file_keyring)
        assert imported.returncode == 0, imported.stderr
        listed = json.loads(run_cli("--db", str(db), "outbox", "--json", env=file_keyring).stdout)
        assert [e["state"] for e in listed] == ["envoye"]
    assert submissions_for(server, code) == 1
