"""Exactly-once submissions and their signed receipts, against the real server (2 workers)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from sync.dossier_format import snapshot_hash
from sync.receipt import signed_bytes, verify
from tests.conftest import ROOT
from tests.server.conftest import Device, ServerProcess


def _rows(server: ServerProcess, device: Device) -> int:
    return server.count(
        "SELECT count(*) FROM submissions s JOIN collectivities c ON c.id = s.collectivity_id WHERE c.code = :c",
        c=device.code,
    )


def _keys(server: ServerProcess) -> dict[str, bytes]:
    keys = httpx.get(f"{server.url}/api/v1/keys").json()["keys"]
    return {k["key_id"]: base64.b64decode(k["public_key"]) for k in keys}


def test_preflight_tells_an_arobase_server(server: ServerProcess) -> None:
    answer = httpx.head(f"{server.url}/api/v1/submissions")
    assert answer.status_code == 204
    assert answer.headers["Arobase-Protocol"] == "1"
    assert int(answer.headers["Arobase-Max-Body"]) == 2 * 1024 * 1024


def test_the_same_submission_twice_gives_one_row_and_the_same_receipt(server: ServerProcess, device: Device) -> None:
    body = device.submission()
    first = device.submit(body)
    assert first.status_code == 201, first.text
    again = device.submit(body)
    assert again.status_code == 200
    assert again.content == first.content
    assert _rows(server, device) == 1
    receipt = first.json()
    assert re.fullmatch(r"VI-2019-\d{6}", receipt["receipt_number"])
    assert receipt["submission_uuid"] == body["submission_uuid"]
    assert receipt["payload_sha256"] == body["payload_sha256"]
    assert receipt["collectivity"] == {"code": device.code, "name": device.name}
    assert device.http.get(f"/api/v1/submissions/{body['submission_uuid']}").content == first.content
    listed = device.http.get("/api/v1/submissions", params={"edition": "2019"}).json()["submissions"]
    assert listed == [receipt]


def test_twenty_concurrent_identical_posts_across_two_workers_give_one_row(
    server: ServerProcess, device: Device
) -> None:
    body = device.submission()

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, headers=dict(device.http.headers), timeout=60) as c:
            return c.post("/api/v1/submissions", json=body, headers={"Idempotency-Key": body["submission_uuid"]})

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(post, range(20)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201, 409}, statuses
    receipts = {a.content for a in answers if a.status_code in (200, 201)}
    assert len(receipts) == 1
    assert _rows(server, device) == 1


def test_receipt_numbers_are_gapless_per_edition(server: ServerProcess, device: Device) -> None:
    numbers = []
    replaces = None
    for revision in (1, 2, 3):
        body = device.submission(device.dossier(revision=revision), replaces=replaces)
        answer = device.submit(body)
        assert answer.status_code == 201, answer.text
        numbers.append(int(answer.json()["receipt_number"].rsplit("-", 1)[1]))
        replaces = body["submission_uuid"]
        device.submit(device.submission(replaces=None))  # refused (stale): must not take a number
    assert numbers == list(range(numbers[0], numbers[0] + 3)), numbers


def test_different_payload_under_the_same_key_is_refused(server: ServerProcess, device: Device) -> None:
    body = device.submission()
    first = device.submit(body)
    assert first.status_code == 201
    changed = device.dossier()
    changed["actions"][0]["title"] = "Un autre titre"
    other = device.submission(changed, submission_uuid=body["submission_uuid"])
    answer = device.submit(other)
    assert answer.status_code == 422
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert "déjà servi" in answer.json()["detail"]
    assert _rows(server, device) == 1
    assert device.http.get(f"/api/v1/submissions/{body['submission_uuid']}").content == first.content


def test_stale_replaces_is_refused(server: ServerProcess, device: Device) -> None:
    first = device.submission()
    assert device.submit(first).status_code == 201
    second = device.submission(device.dossier(revision=2), replaces=first["submission_uuid"])
    assert device.submit(second).status_code == 201
    stale = device.submission(device.dossier(revision=3), replaces=first["submission_uuid"])
    answer = device.submit(stale)
    assert answer.status_code == 409
    assert answer.json()["latest"] == second["submission_uuid"]
    assert device.submit(device.submission(device.dossier(revision=3))).status_code == 409  # replaces nothing
    assert _rows(server, device) == 2


def test_payload_hash_must_match_the_canonical_dossier(device: Device) -> None:
    answer = device.submit(device.submission(payload_sha256="0" * 64))
    assert answer.status_code == 422
    assert "empreinte" in answer.json()["detail"]


def test_another_collectivitys_dossier_is_forbidden(device: Device) -> None:
    dossier = device.dossier()
    dossier["collectivity"]["code"] = "987654321"
    assert device.submit(device.submission(dossier)).status_code == 403


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(format="autre"), "pas un dossier Arobase"),
        (lambda d: d["actions"][0]["services"].append("inconnu-99"), "inconnu-99"),
        (lambda d: d["actions"][0].update(level="parfait"), "parfait"),
        (lambda d: d.update(edition="2031"), "2031"),
    ],
)
def test_invalid_dossiers_are_refused_in_french(device: Device, change, words: str) -> None:  # type: ignore[no-untyped-def]
    dossier = device.dossier()
    change(dossier)
    body = device.submission(dossier)
    answer = device.submit(body)
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["detail"]


def test_missing_attachments_are_listed(device: Device) -> None:
    photo = b"\xff\xd8 une photo" * 100
    dossier = device.dossier()
    present = {
        "sha256": hashlib.sha256(photo).hexdigest(),
        "size": len(photo),
        "media_type": "image/jpeg",
        "name": "a.jpg",
    }
    absent = {**present, "sha256": "ab" * 32, "name": "b.jpg"}
    dossier["actions"][0]["attachments"] = [present, absent]
    device.upload(photo)
    answer = device.submit(device.submission(dossier))
    assert answer.status_code == 422
    assert answer.json()["missing"] == ["ab" * 32]
    dossier["actions"][0]["attachments"] = [present]
    ok = device.submit(device.submission(dossier))
    assert ok.status_code == 201, ok.text
    assert ok.json()["attachments"] == {"count": 1, "bytes": len(photo)}


def test_idempotency_key_is_required_and_must_match(device: Device) -> None:
    body = device.submission()
    assert device.http.post("/api/v1/submissions", json=body).status_code == 400
    assert device.submit(body, key="00000000-0000-4000-8000-000000000000").status_code == 400


def test_a_body_over_the_limit_answers_413(device: Device) -> None:
    dossier = device.dossier()
    dossier["actions"] = dossier["actions"] * 400  # ≈ 3 MB, over the 2 MB the test server takes
    answer = device.submit(device.submission(dossier))
    assert answer.status_code == 413
    assert answer.headers["Content-Type"] == "application/problem+json"


def test_receipt_signature_verifies_and_fails_on_any_changed_byte(server: ServerProcess, device: Device) -> None:
    receipt = device.submit(device.submission()).json()
    keys = _keys(server)
    assert verify(receipt, keys)
    payload = signed_bytes(receipt)
    for i in range(len(payload)):  # every byte of what is signed
        flipped = bytearray(payload)
        flipped[i] ^= 0x01
        try:
            changed = json.loads(bytes(flipped)[len(b"arobase-receipt-v1\n") :])
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue  # not a receipt any more: nothing to verify
        if i < len(b"arobase-receipt-v1\n"):
            continue
        assert not verify({**changed, "signature": receipt["signature"]}, keys), i
    signature = base64.b64decode(receipt["signature"])
    for i in range(len(signature)):
        bad = bytearray(signature)
        bad[i] ^= 0x80
        assert not verify({**receipt, "signature": base64.b64encode(bytes(bad)).decode()}, keys)
    assert not verify({**receipt, "key_id": "0" * 16}, keys)
    assert snapshot_hash(device.dossier()) == receipt["payload_sha256"]
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        query = text("SELECT dossier FROM submissions WHERE receipt LIKE :n")
        stored = conn.execute(query, {"n": f'%"{receipt["submission_uuid"]}"%'}).scalar_one()
    engine.dispose()
    assert hashlib.sha256(bytes(stored)).hexdigest() == receipt["payload_sha256"]  # the very bytes the receipt names


def test_a_submission_still_being_processed_elsewhere_answers_409_then_goes_through(
    server: ServerProcess, device: Device
) -> None:
    """Another transaction holds this submission's lock: PostgreSQL answers 409 (retry later) at once;
    SQLite's writers queue on its one write lock, so the request waits and then succeeds."""
    body = device.submission()
    engine = create_engine(server.database_url)
    conn = engine.connect()
    try:
        if engine.dialect.name == "postgresql":
            coll = conn.execute(text("SELECT id FROM collectivities WHERE code = :c"), {"c": device.code}).scalar_one()
            name = f"submission:{coll}:{body['submission_uuid']}"
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            busy = device.submit(body)
            assert busy.status_code == 409
            assert busy.headers["Retry-After"]
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            assert device.submit(body).status_code == 201
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending = pool.submit(device.submit, body)
                time.sleep(1.0)
                assert not pending.done()  # waiting for the write lock, not failing
                conn.exec_driver_sql("ROLLBACK")
                assert pending.result(timeout=30).status_code == 201
    finally:
        conn.close()
        engine.dispose()
    assert _rows(server, device) == 1


def test_a_closed_edition_refuses_submissions_and_is_not_offered(
    server: ServerProcess, device: Device, tmp_path: Path
) -> None:
    edition = json.loads((ROOT / "resources" / "questionnaires" / "2019.json").read_text(encoding="utf-8"))
    closed = tmp_path / "2018.json"
    closed.write_text(
        json.dumps({**edition, "edition": "2018", "opens": "2018-01-01", "closes": "2018-12-31"}), encoding="utf-8"
    )
    assert "publiée" in server.cli("publish-edition", str(closed)).stdout
    answer = device.submit(device.submission(device.dossier(edition="2018")))
    assert answer.status_code == 422
    assert "pas ouverte" in answer.json()["detail"]
    assert "2018" not in [e["id"] for e in device.http.get("/api/v1/account").json()["open_editions"]]
    assert "2018" in [e["id"] for e in httpx.get(f"{server.url}/api/v1/editions").json()]
    assert device.submit(device.submission()).status_code == 201  # 2019 (no closing date) still open


def test_revision_and_edition_must_agree_with_the_dossier(device: Device) -> None:
    dossier = device.dossier(revision=2)
    assert "révision" in device.submit(device.submission(dossier, revision=3)).json()["detail"]
    assert device.submit(device.submission(dossier, edition="2020")).status_code == 422
