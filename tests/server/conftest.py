"""A real ``arobase-server serve`` process on 127.0.0.1 (2 workers), on SQLite and, when
AROBASE_TEST_DATABASE_URL is set, on PostgreSQL too; helpers to enrol accounts and build dossiers."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from server import accounts
from server.db import Database, normalise_url
from server.services import utc_now
from server.settings import Settings
from sync.dossier_format import snapshot_hash
from tests.conftest import ROOT

EXAMPLE = ROOT / "resources" / "exemples" / "dossier-exemple-2019.json"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("AROBASE_TEST_DATABASE_URL") else [])
# Generous limits for the shared server (schemathesis sends many bad codes); test_rate_limits starts its own.
RELAXED = {
    "AROBASE_SERVER_RATE_AUTH_ADDRESS": "100000/60",
    "AROBASE_SERVER_RATE_AUTH_ACCOUNT": "100000/60",
    "AROBASE_SERVER_RATE_ACCOUNT": "100000/60",
    "AROBASE_SERVER_MAX_BODY": str(2 * 1024 * 1024),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_url(schema: str) -> str:
    """The test database, with its own schema for each server so two servers never share tables (the
    process id keeps two test runs on one machine apart)."""
    url = os.environ["AROBASE_TEST_DATABASE_URL"]
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}_{os.getpid()}"


def reset_postgres(schema: str, *, drop_only: bool = False) -> None:
    engine = create_engine(normalise_url(os.environ["AROBASE_TEST_DATABASE_URL"]))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}_{os.getpid()}" CASCADE'))
        if not drop_only:
            conn.execute(text(f'CREATE SCHEMA "{schema}_{os.getpid()}"'))
    engine.dispose()


@dataclass
class ServerProcess:
    """One running server, its data folder and environment; ``cli`` runs arobase-server against it."""

    data: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """Everything the server process printed (uvicorn and our logger)."""
        return self.data / "serveur.log"

    @property
    def database_url(self) -> str:
        return Settings.from_env(self.env).database_url

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "server.cli", *args], env=self.env, capture_output=True, text=True, timeout=120,
            cwd=ROOT,
        )  # fmt: skip
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def start(self, workers: int = 2) -> ServerProcess:
        self.cli("init")
        self.port = free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port), "--workers", str(workers)],
                env=self.env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text(encoding="utf-8", errors="replace"))
            try:
                # Every worker must be up: several answers in a row.
                if all(httpx.head(f"{self.url}/api/v1/submissions", timeout=1).status_code == 204 for _ in range(10)):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("le serveur de test n'a pas démarré")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def activation_code(self, code: str, name: str) -> str:
        """What ``add-collectivity`` does (tests/server/test_cli.py runs the command), without a process."""
        db = Database(self.database_url)
        try:
            with db.write() as s:
                return accounts.add_collectivity(s, code, name, "mairie@example.org", utc_now(), 86400)[1]
        finally:
            db.dispose()

    def count(self, sql: str, **params: Any) -> int:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text(sql), params).scalar_one())
        finally:
            engine.dispose()


def server_env(data: Path, backend: str, schema: str = "arobase_test", **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AROBASE_SERVER_DATA": str(data), **RELAXED, **extra}
    env.pop("AROBASE_SERVER_DATABASE_URL", None)
    if "AROBASE_SERVER_BLOBS" not in extra:
        env.pop("AROBASE_SERVER_BLOBS", None)
    if backend == "postgresql":
        reset_postgres(schema)
        env["AROBASE_SERVER_DATABASE_URL"] = postgres_url(schema)
    return env


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp(f"serveur-{request.param}")
    handle = ServerProcess(data, server_env(data, request.param)).start(workers=2)
    yield handle
    handle.stop()
    if request.param == "postgresql":
        reset_postgres("arobase_test", drop_only=True)


@pytest.fixture(scope="session", params=BACKENDS)
def strict_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A second server with tight limits: 3 failed sign-ins per address, 2 per account, 6 uploads or
    submissions per account; uploads expire in 2 s."""
    data: Path = tmp_path_factory.mktemp("strict")
    env = server_env(
        data, request.param, schema="arobase_strict",
        AROBASE_SERVER_RATE_AUTH_ADDRESS="3/600", AROBASE_SERVER_RATE_AUTH_ACCOUNT="2/600",
        AROBASE_SERVER_UPLOAD_TTL="2", AROBASE_SERVER_RATE_ACCOUNT="6/600",
    )  # fmt: skip
    handle = ServerProcess(data, env).start(workers=2)
    yield handle
    handle.stop()
    if request.param == "postgresql":
        reset_postgres("arobase_strict", drop_only=True)


@dataclass
class Device:
    """An enrolled device of one collectivity, with an httpx client that carries its access token."""

    server: ServerProcess
    code: str
    name: str
    device_id: str
    refresh_token: str
    access_token: str
    http: httpx.Client = field(repr=False)

    def dossier(self, **changes: Any) -> dict[str, Any]:
        doc = copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))
        doc["collectivity"]["code"], doc["collectivity"]["name"] = self.code, self.name
        doc.update(changes)
        return doc

    def submission(self, dossier: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
        dossier = dossier or self.dossier()
        body = {
            "submission_uuid": str(uuid.uuid4()), "edition": dossier["edition"], "revision": dossier.get("revision", 1),
            "replaces": None, "payload_sha256": snapshot_hash(dossier), "dossier": dossier,
        }  # fmt: skip
        body.update(changes)
        return body

    def submit(self, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        return self.http.post(
            "/api/v1/submissions", json=body, headers={"Idempotency-Key": key or body["submission_uuid"]}
        )

    def upload(self, data: bytes, chunk: int | None = None) -> str:
        """Upload a whole file through tus; returns its upload URL."""
        created = self.http.post("/api/v1/uploads", headers=tus_create_headers(data))
        assert created.status_code == 201, created.text
        location = created.headers["Location"]
        offset = int(created.headers["Upload-Offset"])
        while offset < len(data):
            piece = data[offset : offset + (chunk or len(data))]
            answer = self.http.patch(location, content=piece, headers=tus_patch_headers(offset))
            assert answer.status_code == 204, answer.text
            offset = int(answer.headers["Upload-Offset"])
        return location


def tus_create_headers(data: bytes, sha: str | None = None) -> dict[str, str]:
    digest = sha or hashlib.sha256(data).hexdigest()
    meta = f"sha256 {base64.b64encode(digest.encode()).decode()},filename {base64.b64encode(b'photo.jpg').decode()}"
    return {"Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)), "Upload-Metadata": meta}


def tus_patch_headers(offset: int, checksum: bytes | None = None) -> dict[str, str]:
    headers = {
        "Tus-Resumable": "1.0.0",
        "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream",
    }
    if checksum is not None:
        headers["Upload-Checksum"] = "sha256 " + base64.b64encode(hashlib.sha256(checksum).digest()).decode()
    return headers


def new_code() -> str:
    """A random SIREN: no two tests share an account (an INSEE code has too few values for that)."""
    return str(random.randrange(10**8, 10**9))


def enrol(server: ServerProcess, code: str | None = None, name: str = "Commune d'essai") -> Device:
    """A new device of a new (or the given) collectivity, enrolled over HTTP with the code ``add-collectivity``
    would print (made in this process: tests/server/test_cli.py and test_devices.py run the command itself;
    a subprocess per enrolment cost a second or more to each of the hundred tests that enrol)."""
    code = code or new_code()
    activation = server.activation_code(code, name)
    answer = httpx.post(f"{server.url}/api/v1/devices", json={"activation_code": activation, "device_name": "PC"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    http = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=60)
    return Device(server, code, name, body["device_id"], body["refresh_token"], body["access_token"], http)


@pytest.fixture
def device(server: ServerProcess) -> Iterator[Device]:
    d = enrol(server)
    yield d
    d.http.close()


@pytest.fixture
def other_device(server: ServerProcess) -> Iterator[Device]:
    d = enrol(server, name="Autre commune")
    yield d
    d.http.close()


CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    """Headless chromium at 1366×768, downloading into ``tmp_path/telechargements``."""
    if not (CHROMIUM and DRIVER):
        message = "chromium et chromium-driver manquent : apt-get install chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "telechargements")})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.implicitly_wait(20)  # the machine may be busy: patience, not sleeps
    yield driver
    driver.quit()


def wait_for(driver, condition) -> None:  # type: ignore[no-untyped-def]
    """Until the page the click asked for is there (a click returns before the next page loads).

    While the old page is replaced, chromium may also answer "Node with given id does not belong to the
    document" (a plain WebDriverException, not a stale element): that too means "not yet".
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(lambda d: condition(d))


def fill(driver, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)
