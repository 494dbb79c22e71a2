"""The deadline day on this machine: N clients at once, each sending 300-action dossiers with 5 attachments
(tus uploads then the submission), against the real server, next to a bare FastAPI that only reads the bytes.

    .venv/bin/python bench/bench_server.py [--clients 8] [--rounds 3]
    (PostgreSQL/2 workers too when AROBASE_TEST_DATABASE_URL is set)

Prints submissions per second and p50/p99 latency of one whole submission; the figure is server / bare, the
median of three turns taken in alternation with both servers up (one pass each swung from 0.45 to 0.55 on a
quiet machine).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.table import Row, number  # noqa: E402
from sync.dossier_format import snapshot_hash  # noqa: E402
from tests.server.conftest import (  # noqa: E402
    ServerProcess,
    enrol,
    free_port,
    reset_postgres,
    server_env,
    tus_create_headers,
    tus_patch_headers,
)

ATTACHMENT_BYTES = 200_000
TARGET = 0.5  # the server keeps at least half the bare endpoint's throughput


class Client:
    """One town hall: its device (or none for the bare server) and its chain of submissions."""

    def __init__(self, base: str, token: str | None, code: str, name: str, template: dict) -> None:  # type: ignore[type-arg]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=base, headers=headers, timeout=120)
        self.code, self.name, self.template = code, name, template
        self.latest: str | None = None

    def one(self, revision: int) -> float:
        start = time.perf_counter()
        dossier = copy.deepcopy(self.template)
        dossier["collectivity"]["code"], dossier["collectivity"]["name"] = self.code, self.name
        dossier["revision"] = revision
        attachments = []
        for _ in range(5):
            data = os.urandom(ATTACHMENT_BYTES)
            sha = hashlib.sha256(data).hexdigest()
            made = self.http.post("/api/v1/uploads", headers=tus_create_headers(data))
            answer = self.http.patch(made.headers["Location"], content=data, headers=tus_patch_headers(0))
            assert answer.status_code == 204, answer.text
            attachments.append({"sha256": sha, "size": len(data), "media_type": "image/jpeg", "name": "photo.jpg"})
        dossier["actions"][0]["attachments"] = attachments
        body = {
            "submission_uuid": str(uuid.uuid4()), "edition": "2019", "revision": revision, "replaces": self.latest,
            "payload_sha256": snapshot_hash(dossier), "dossier": dossier,
        }  # fmt: skip
        answer = self.http.post("/api/v1/submissions", json=body, headers={"Idempotency-Key": body["submission_uuid"]})
        assert answer.status_code == 201, answer.text
        self.latest = body["submission_uuid"]
        return time.perf_counter() - start


def big_dossier() -> dict:  # type: ignore[type-arg]
    import json

    doc = json.loads((ROOT / "resources" / "exemples" / "dossier-exemple-2019.json").read_text(encoding="utf-8"))
    actions = []
    for n in range(300):
        action = copy.deepcopy(doc["actions"][n % len(doc["actions"])])
        action["uuid"], action["attachments"] = str(uuid.UUID(int=n + 1)), []
        actions.append(action)
    doc["actions"] = actions
    return doc  # type: ignore[no-any-return]


def run(clients: list[Client], rounds: int) -> tuple[float, list[float]]:
    def work(c: Client) -> list[float]:
        return [c.one(r + 1) for r in range(rounds)]

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        latencies = [t for ts in pool.map(work, clients) for t in ts]
    return len(latencies) / (time.perf_counter() - start), latencies


def bare(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.bare_server:app", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning"], cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.post(f"{url}/api/v1/submissions", content=b"")
            break
        except httpx.TransportError:
            time.sleep(0.2)
    return process, url


def figures(label: str, rate: float, latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100)
    return f"{label:<34} {rate:6.2f} envois/s   p50 {q[49] * 1000:7.0f} ms   p99 {q[98] * 1000:7.0f} ms"


def measure(clients: int, rounds: int, backend: str, workers: int, turns: int = 3) -> dict[str, object]:
    """Throughput and latencies of the server and of the bare endpoint, taking turns ``turns`` times with both
    running (the machine's noise then hits both alike); ``ratio`` is the median of the turns' ratios."""
    template = big_dossier()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        env = server_env(data, backend, schema="arobase_bench", AROBASE_SERVER_MAX_BODY=str(64 * 1024 * 1024))
        server = ServerProcess(data, env).start(workers=workers)
        process, url = bare(workers)
        try:
            devices = [enrol(server) for _ in range(clients)]
            town_halls = [Client(server.url, d.access_token, d.code, d.name, template) for d in devices]
            bare_clients = [Client(url, None, "000000000", "x", template) for _ in range(clients)]
            turns_seen: list[tuple[float, list[float], float, list[float]]] = []
            for _ in range(turns):
                rate, latencies = run(town_halls, rounds)
                bare_rate, bare_latencies = run(bare_clients, rounds)
                turns_seen.append((rate, latencies, bare_rate, bare_latencies))
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            server.stop()
            if backend == "postgresql":
                reset_postgres("arobase_bench", drop_only=True)
    ratios = [t[0] / t[2] for t in turns_seen]
    middle = turns_seen[ratios.index(statistics.median_low(ratios))]
    return {"rate": middle[0], "latencies": [t for turn in turns_seen for t in turn[1]], "bare_rate": middle[2],
            "bare_latencies": [t for turn in turns_seen for t in turn[3]], "ratio": statistics.median_low(ratios),
            "ratios": ratios}  # fmt: skip


def setups() -> list[tuple[str, int]]:
    return [("sqlite", 1)] + ([("postgresql", 2)] if os.environ.get("AROBASE_TEST_DATABASE_URL") else [])


def rows(quick: bool = False) -> list[Row]:
    """The server rows of ``make bench``: 8 town halls × 3 sends (``quick``: 2 × 1, SQLite only)."""
    clients, rounds, turns = (2, 1, 1) if quick else (8, 3, 3)
    out = []
    for backend, workers in setups()[: 1 if quick else None]:
        m = measure(clients, rounds, backend, workers, turns)
        rate, bare_rate = float(m["rate"]), float(m["bare_rate"])  # type: ignore[arg-type]
        out.append(Row(f"server-{backend}", f"jour de clôture, serveur {backend} ({workers} processus) : {clients} "
                       f"mairies × {rounds} envois de 300 actions et 5 pièces jointes vs FastAPI nu, médiane de "
                       f"{turns} tours alternés", f"{number(rate)} envois/s", f"{number(bare_rate)} envois/s",
                       float(m["ratio"]), TARGET, at_least=True))  # type: ignore[arg-type]  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for backend, workers in setups():
        m = measure(args.clients, args.rounds, backend, workers)
        print(figures(f"serveur {backend}, {workers} processus", m["rate"], m["latencies"]))  # type: ignore[arg-type]
        print(figures(f"FastAPI nu, {workers} processus", m["bare_rate"], m["bare_latencies"]))  # type: ignore[arg-type]
        turns = ", ".join(f"{r:.2f}" for r in m["ratios"])  # type: ignore[attr-defined]
        print(f"{'rapport serveur / nu':<34} {m['ratio']:6.2f}  (objectif ≥ 0,5 ; tours : {turns})")


if __name__ == "__main__":
    main()
