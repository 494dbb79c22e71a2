"""One « Envoyer » of a 300-action dossier with 20 MB of attachments through the fault proxy slowed to
256 KB/s, against the real server: without cuts, bytes on the wire ÷ payload bytes (the attachments and
the dossier's canonical JSON; aim ≤ 1.05) and
round trips; with 10 cuts, bytes sent again per cut (aim ≤ one chunk).

    .venv/bin/python bench/bench_sync.py [--mb 20] [--rate 262144] [--cuts 10]

The send without cuts runs as the Envoi page runs it: on the ``BACKGROUND`` lane of ``ui.tasks.TaskRunner``,
with progress handed to the GUI thread by a signal, while a 5 ms timer on the GUI thread records the
longest event-loop stall (aim ≤ 50 ms; offscreen Qt).
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

from app.formats import thousands  # noqa: E402
from app.login import login  # noqa: E402
from app.network import SyncSettings  # noqa: E402
from app.secrets import SecretStore  # noqa: E402
from app.sending import send_pending  # noqa: E402
from app.workspace import Workspace  # noqa: E402
from bench.table import Row, number  # noqa: E402
from sync.dossier_format import canonical_json  # noqa: E402
from tests.factories import commune_profile, complete_dossier, fixed_clock  # noqa: E402
from tests.faultproxy import Fault, FaultProxy  # noqa: E402
from tests.server.conftest import ServerProcess, server_env  # noqa: E402

CHUNK = 256 * 1024
WIRE_TARGET = 1.05
STALL_TARGET_MS = 50


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


def _send(server: ServerProcess, proxy: FaultProxy, folder: Path, code: str, mb: int, fault: Fault,
          watch: bool = False):  # type: ignore[no-untyped-def]  # fmt: skip
    """One send of a fresh town through ``proxy``; ``watch``: off the GUI thread, its longest stall measured."""
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
    stall = None
    if watch:
        from bench.bench_ui_typing import stall_off_the_gui_thread

        def work(relay):  # type: ignore[no-untyped-def]
            progress = lambda p: relay(p.sent, p.total)  # noqa: E731
            return send_pending(ws, account, settings, session, secrets, progress=progress)

        report, stall = stall_off_the_gui_thread(work)
    else:
        report = send_pending(ws, account, settings, session, secrets)
    elapsed = time.monotonic() - start
    assert report.all_sent, report
    dossier_bytes = len(canonical_json(ws.snapshot_document("2019", ws.status("2019").summary.revision)))
    ws.close()
    return report, proxy.up, trips[0], elapsed, stall, dossier_bytes


def measure(mb: int, rate: int, cuts: int) -> dict[str, float]:
    """Bytes on the wire / payload, round trips and the stall of a send without cuts; bytes resent per cut."""
    payload = mb * 1024 * 1024 // 4 * 4
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "serveur"
        data.mkdir()
        server = ServerProcess(data, server_env(data, "sqlite", AROBASE_SERVER_MAX_BODY=str(8 * 1024 * 1024)))
        server.start(workers=1)
        try:
            with FaultProxy(server.port, lifetime=3600) as proxy:
                _report, up, trips, elapsed, stall, dossier_bytes = _send(server, proxy, Path(tmp) / "a", "35001", mb,
                                                           Fault(throttle=rate), watch=True)  # fmt: skip
                resent = 0
                for i in range(cuts):
                    cut = Fault(cut_after=int(payload * (i + 0.5) / cuts), direction="up", reset=i % 2 == 0)
                    r, *_ = _send(server, proxy, Path(tmp) / f"c{i}", f"{35002 + i}", mb, cut)
                    resent += r.wire_bytes - payload
        finally:
            server.stop()
    payload += dossier_bytes  # the snapshot travels too: it is payload, not overhead
    return {"payload": payload, "up": up, "trips": trips, "elapsed": elapsed, "stall": stall, "resent": resent / cuts}


def rows(quick: bool = False) -> list[Row]:
    """The sync rows of ``make bench``: 8 MB at 1 MB/s and 4 cuts (``quick``: 1 MB, 2 cuts)."""
    mb, cuts = (1, 2) if quick else (8, 4)
    m = measure(mb, 1024 * 1024, cuts)
    what = f"envoi de 300 actions et {mb} Mo de pièces jointes"
    up, payload, resent = (thousands(round(m[k] / 1024)) for k in ("up", "payload", "resent"))
    return [
        Row("sync-wire", f"{what} : octets sur la ligne vs octets utiles",
            f"{up} Kio ({m['trips']:.0f} allers-retours)", f"{payload} Kio", m["up"] / m["payload"], WIRE_TARGET),
        Row("sync-resent", f"{what} : octets renvoyés par coupure ({cuts} coupures) vs un morceau",
            f"{resent} Kio", f"{CHUNK // 1024} Kio", m["resent"] / CHUNK, 1.0),
        Row("stall-send", f"{what} : pire blocage de la boucle d'événements pendant l'envoi vs budget",
            f"{number(m['stall'], 1)} ms", f"{STALL_TARGET_MS} ms", m["stall"] / STALL_TARGET_MS, 1.0),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--rate", type=int, default=256 * 1024)
    parser.add_argument("--cuts", type=int, default=10)
    args = parser.parse_args()
    m = measure(args.mb, args.rate, args.cuts)
    print(f"sans coupure : {m['up'] / m['payload']:.3f} octets envoyés / octets utiles, {m['trips']:.0f} "
          f"allers-retours, {m['elapsed']:.0f} s à {args.rate // 1024} Ko/s ; pire blocage de la boucle "
          f"d'événements {m['stall']:.1f} ms (objectif ≤ {STALL_TARGET_MS} ms)")  # fmt: skip
    print(f"{args.cuts} coupures : {m['resent'] / 1024:.0f} Ko renvoyés par coupure "
          f"(un morceau = {CHUNK // 1024} Ko)")  # fmt: skip


if __name__ == "__main__":
    main()
