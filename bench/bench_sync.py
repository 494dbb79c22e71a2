"""One « Envoyer » of a 300-action dossier with 20 MB of attachments through the fault proxy slowed to
256 KB/s, against the real server: without cuts, bytes on the wire ÷ payload bytes (aim ≤ 1.05) and
round trips; with 10 cuts, bytes sent again per cut (aim ≤ one chunk).

    .venv/bin/python bench/bench_sync.py [--mb 20] [--rate 262144] [--cuts 10]

The window's longest event-loop stall during a send belongs to the Envoi page (not built yet).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.login import login  # noqa: E402
from app.network import SyncSettings  # noqa: E402
from app.secrets import SecretStore  # noqa: E402
from app.sending import send_pending  # noqa: E402
from app.workspace import Workspace  # noqa: E402
from tests.factories import commune_profile, complete_dossier, fixed_clock  # noqa: E402
from tests.faultproxy import Fault, FaultProxy  # noqa: E402
from tests.server.conftest import ServerProcess, server_env  # noqa: E402

CHUNK = 256 * 1024


def _town(server: ServerProcess, folder: Path, code: str, mb: int) -> tuple[Workspace, object, SecretStore]:
    ws = Workspace.open(folder / "commune.sqlite", clock=fixed_clock)
    data = complete_dossier(ws.edition("2019"), n_actions=300, profile=commune_profile(code=code))
    ws.update_profile(**{k: getattr(data.profile, k) for k in data.profile.__slots__})
    ws.add_actions("2019", data.actions)
    per = mb * 1024 * 1024 // 4
    for i in range(4):
        source = folder / f"piece-{i}.bin"
        source.write_bytes(random.Random(f"{code}-{i}").randbytes(per))
        ws.add_attachment("2019", data.actions[i].uuid, source)
    ws.validate("2019")
    return ws, server.activation_code(code, "Commune de mesure"), SecretStore()


def _send(server: ServerProcess, proxy: FaultProxy, folder: Path, code: str, mb: int, fault: Fault):  # type: ignore[no-untyped-def]
    folder.mkdir()
    ws, activation, secrets = _town(server, folder, code, mb)
    settings = SyncSettings(server=proxy.url, chunk_bytes=CHUNK, read_timeout=60, backoff_base=0.1, max_attempts=20)
    session = settings.session()
    trips = [0]
    session.hooks["response"].append(lambda r, *a, **k: trips.__setitem__(0, trips[0] + 1))
    account = login(settings, session, secrets, folder / "compte.json", str(activation))
    proxy.set(fault)
    trips[0] = 0
    start = time.monotonic()
    report = send_pending(ws, account, settings, session, secrets)
    elapsed = time.monotonic() - start
    assert report.all_sent, report
    ws.close()
    return report, proxy.up, trips[0], elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--rate", type=int, default=256 * 1024)
    parser.add_argument("--cuts", type=int, default=10)
    args = parser.parse_args()
    payload = args.mb * 1024 * 1024 // 4 * 4
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "serveur"
        data.mkdir()
        server = ServerProcess(data, server_env(data, "sqlite", AROBASE_SERVER_MAX_BODY=str(8 * 1024 * 1024)))
        server.start(workers=1)
        try:
            with FaultProxy(server.port, lifetime=3600) as proxy:
                _report, up, trips, elapsed = _send(server, proxy, Path(tmp) / "a", "35001", args.mb,
                                                   Fault(throttle=args.rate))  # fmt: skip
                print(f"sans coupure : {up / payload:.3f} octets envoyés / octets utiles, {trips} allers-retours, "
                      f"{elapsed:.0f} s à {args.rate // 1024} Ko/s")  # fmt: skip
                resent = 0
                for i in range(args.cuts):
                    cut = Fault(cut_after=int(payload * (i + 0.5) / args.cuts), direction="up", reset=i % 2 == 0)
                    r, _up, _t, _e = _send(server, proxy, Path(tmp) / f"c{i}", f"{35002 + i}", args.mb, cut)
                    resent += r.wire_bytes - payload
                print(f"{args.cuts} coupures : {resent / args.cuts / 1024:.0f} Ko renvoyés par coupure "
                      f"(un morceau = {CHUNK // 1024} Ko)")  # fmt: skip
        finally:
            server.stop()


if __name__ == "__main__":
    main()
