"""tus 1.0 uploads against the real server: cut connections resumed byte-exact, checksums, limits, dedupe."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
import pytest

from tests.server.conftest import Device, ServerProcess, enrol, tus_create_headers, tus_patch_headers

MB = 1024 * 1024


def _blob_path(server: ServerProcess, sha: str):  # type: ignore[no-untyped-def]
    return server.data / "fichiers" / sha[:2] / sha


def _cut_patch(server: ServerProcess, device: Device, location: str, offset: int, data: bytes, sent: int) -> None:
    """A PATCH announcing all of ``data`` whose connection drops after ``sent`` bytes of body."""
    path = urlsplit(location).path if location.startswith("http") else location
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
        f"Authorization: Bearer {device.access_token}\r\nUpload-Offset: {offset}\r\n"
        f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head.encode() + data[:sent])
        time.sleep(0.3)  # let the server read what arrived
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST


def _offset(device: Device, location: str) -> int:
    answer = device.http.head(location, headers={"Tus-Resumable": "1.0.0"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    return int(answer.headers["Upload-Offset"])


def _settled_offset(device: Device, location: str) -> int:
    """The offset once the server has finished with the cut request (it may still be writing it)."""
    seen = [_offset(device, location)]
    while len(seen) < 4 or len(set(seen[-4:])) > 1:
        time.sleep(0.1)
        seen.append(_offset(device, location))
    return seen[-1]


def test_options_tells_what_the_server_supports(server: ServerProcess) -> None:
    answer = httpx.options(f"{server.url}/api/v1/uploads")
    assert answer.status_code == 204
    assert answer.headers["Tus-Version"] == "1.0.0"
    assert set(answer.headers["Tus-Extension"].split(",")) == {"creation", "checksum", "termination", "expiration"}
    assert answer.headers["Tus-Checksum-Algorithm"] == "sha256"
    assert int(answer.headers["Tus-Max-Size"]) == 20 * MB


def test_an_upload_cut_at_several_offsets_and_resumed_is_byte_exact(server: ServerProcess, device: Device) -> None:
    data = os.urandom(3 * MB + 12345)
    created = device.http.post("/api/v1/uploads", headers=tus_create_headers(data))
    assert created.status_code == 201
    assert created.headers["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in created.headers
    location = created.headers["Location"]
    offsets = []
    for cut in (1, 700_000, 1_500_001):
        start = _offset(device, location)
        _cut_patch(server, device, location, start, data[start:], cut)
        now = _settled_offset(device, location)
        assert start <= now <= start + cut  # never more than arrived; resume from what the server says
        offsets.append(now)
    assert offsets[-1] > offsets[0], offsets  # the bytes that arrived before each cut were kept
    rest = data[offsets[-1] :]
    answer = device.http.patch(location, content=rest, headers=tus_patch_headers(offsets[-1], checksum=rest))
    assert answer.status_code == 204, answer.text
    assert int(answer.headers["Upload-Offset"]) == len(data)
    sha = hashlib.sha256(data).hexdigest()
    if server.env.get("AROBASE_SERVER_BLOBS") is None:
        assert _blob_path(server, sha).read_bytes() == data


def test_offset_mismatch_answers_409(device: Device) -> None:
    data = b"x" * 1000
    location = device.http.post("/api/v1/uploads", headers=tus_create_headers(data)).headers["Location"]
    assert device.http.patch(location, content=data[:10], headers=tus_patch_headers(0)).status_code == 204
    answer = device.http.patch(location, content=data[:10], headers=tus_patch_headers(0))
    assert answer.status_code == 409
    assert answer.headers["Upload-Offset"] == "10"
    assert _offset(device, location) == 10


def test_chunk_checksum_mismatch_answers_460_and_keeps_nothing(device: Device) -> None:
    data = b"y" * 1000
    location = device.http.post("/api/v1/uploads", headers=tus_create_headers(data)).headers["Location"]
    answer = device.http.patch(location, content=data[:500], headers=tus_patch_headers(0, checksum=b"autre"))
    assert answer.status_code == 460
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert _offset(device, location) == 0


def test_a_whole_file_that_does_not_match_its_declared_hash_is_discarded(device: Device) -> None:
    data = b"z" * 1000
    headers = tus_create_headers(data, sha=hashlib.sha256(b"autre chose").hexdigest())
    location = device.http.post("/api/v1/uploads", headers=headers).headers["Location"]
    answer = device.http.patch(location, content=data, headers=tus_patch_headers(0))
    assert answer.status_code == 460
    assert device.http.head(location, headers={"Tus-Resumable": "1.0.0"}).status_code == 404


def test_size_limits_answer_413(device: Device) -> None:
    too_big = {**tus_create_headers(b""), "Upload-Length": str(20 * MB + 1)}
    answer = device.http.post("/api/v1/uploads", headers=too_big)
    assert answer.status_code == 413
    assert answer.headers["Tus-Resumable"] == "1.0.0"
    data = b"a" * 100
    location = device.http.post("/api/v1/uploads", headers=tus_create_headers(data)).headers["Location"]
    assert device.http.patch(location, content=data + b"b", headers=tus_patch_headers(0)).status_code == 413
    huge = device.http.patch(location, content=b"c" * (21 * MB), headers=tus_patch_headers(0))
    assert huge.status_code == 413


def test_a_file_the_account_holds_completes_at_once(device: Device, other_device: Device) -> None:
    data = os.urandom(50_000)
    device.upload(data)
    again = device.http.post("/api/v1/uploads", headers=tus_create_headers(data))
    assert again.status_code == 201
    assert again.headers["Upload-Offset"] == str(len(data))  # nothing to send again
    # Another account learns nothing: its upload starts at 0 like any new file, and must send every byte.
    theirs = other_device.http.post("/api/v1/uploads", headers=tus_create_headers(data))
    assert theirs.headers["Upload-Offset"] == "0"
    assert (theirs.headers.keys() - {"location", "date"}) == (
        other_device.http.post("/api/v1/uploads", headers=tus_create_headers(os.urandom(50_000))).headers.keys()
        - {"location", "date"}
    )


def test_method_override_lets_patch_through_proxies(device: Device) -> None:
    data = b"override" * 100
    location = device.http.post("/api/v1/uploads", headers=tus_create_headers(data)).headers["Location"]
    headers = {**tus_patch_headers(0), "X-HTTP-Method-Override": "PATCH"}
    answer = device.http.post(location, content=data, headers=headers)
    assert answer.status_code == 204, answer.text
    assert answer.headers["Upload-Offset"] == str(len(data))
    assert device.http.post(location, content=data, headers=tus_patch_headers(0)).status_code == 405


def test_termination_forgets_the_upload(device: Device) -> None:
    data = b"t" * 100
    location = device.http.post("/api/v1/uploads", headers=tus_create_headers(data)).headers["Location"]
    assert device.http.delete(location, headers={"Tus-Resumable": "1.0.0"}).status_code == 204
    assert device.http.head(location, headers={"Tus-Resumable": "1.0.0"}).status_code == 404


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Upload-Length": "10", "Upload-Metadata": ""}, 412),  # no Tus-Resumable
        ({"Tus-Resumable": "1.0.0", "Upload-Metadata": "sha256 " + base64.b64encode(b"0" * 64).decode()}, 400),
        ({"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": "filename eA=="}, 400),
        ({"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": "sha256 !!!"}, 400),
    ],
)
def test_bad_creation_requests_are_refused(device: Device, headers: dict[str, str], status: int) -> None:
    answer = device.http.post("/api/v1/uploads", headers=headers)
    assert answer.status_code == status
    assert answer.json()["detail"]


def test_patch_needs_the_tus_content_type(device: Device) -> None:
    data = b"q" * 10
    location = device.http.post("/api/v1/uploads", headers=tus_create_headers(data)).headers["Location"]
    headers = {**tus_patch_headers(0), "Content-Type": "application/json"}
    assert device.http.patch(location, content=data, headers=headers).status_code == 415


def test_an_unfinished_upload_expires(strict_server: ServerProcess) -> None:
    device = enrol(strict_server)
    data = b"e" * 100
    created = device.http.post("/api/v1/uploads", headers=tus_create_headers(data))
    location = created.headers["Location"]
    expires = parsedate_to_datetime(created.headers["Upload-Expires"])
    assert 0 < (expires - datetime.now(UTC)).total_seconds() <= 3
    assert device.http.patch(location, content=data[:10], headers=tus_patch_headers(0)).status_code == 204
    time.sleep(2.5)
    gone = device.http.patch(location, content=data[10:], headers=tus_patch_headers(10))
    assert gone.status_code == 410
    assert "expiré" in gone.json()["detail"]
    assert device.http.head(location, headers={"Tus-Resumable": "1.0.0"}).status_code == 410
    device.http.close()
