"""The bundle reader shared by the app and the server's /depot page, on hostile ZIP files: sizes checked
before inflating, a lying size or a bomb stopped while streaming, entries named in every refusal."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest

from sync.bundle_format import MAX_ENTRIES, BundleFormatError, Limits, open_bundle
from tests.conftest import ROOT
from tests.factories import bundle_file

DOSSIER = json.loads((ROOT / "resources" / "exemples" / "dossier-exemple-2019.json").read_text(encoding="utf-8"))


def _bundle(tmp_path: Path, piece: bytes = b"photo " * 1000) -> Path:
    return bundle_file(tmp_path / "envoi.arobase", DOSSIER, {"photo.jpg": piece}, tmp_path)


def _refusal(path: Path, limits: Limits | None = None) -> BundleFormatError:
    with pytest.raises(BundleFormatError) as caught, open_bundle(path, path.name, limits) as reader:
        reader.verify()
    return caught.value


def _piece_name(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return next(n for n in z.namelist() if n.startswith("pieces/"))


def test_a_sound_bundle_reads_back(tmp_path: Path) -> None:
    path = _bundle(tmp_path)
    with open_bundle(path, path.name) as reader:
        reader.verify()
        (sha,) = reader.pieces
        assert reader.piece(sha) == b"photo " * 1000
        assert reader.body["dossier"]["collectivity"]["code"] == DOSSIER["collectivity"]["code"]


def test_declared_sizes_over_the_limits_are_refused_before_inflating(tmp_path: Path) -> None:
    path = _bundle(tmp_path, bytes(3_000_000))  # 3 MB of zeros, a few KB compressed
    refusal = _refusal(path, Limits(attachment_bytes=1_000_000))
    assert refusal.too_large and _piece_name(path) in refusal.message and "1000000 octets" in refusal.message
    assert _refusal(path, Limits(total_bytes=2_000_000)).too_large


def test_a_size_that_lies_stops_at_the_declared_size(tmp_path: Path) -> None:
    """Dossier and central directory say 100 bytes; the entry inflates to 3 MB: never read past 100, refused
    by name."""
    import hashlib
    import uuid

    from sync.bundle_format import write_bundle
    from sync.dossier_format import snapshot_hash

    data = bytes(3_000_000)
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / sha).write_bytes(data)
    dossier = json.loads(json.dumps(DOSSIER))
    dossier["actions"][0]["attachments"] = [{"sha256": sha, "size": 100, "media_type": "image/jpeg", "name": "p.jpg"}]
    body = {"submission_uuid": str(uuid.uuid4()), "payload_sha256": snapshot_hash(dossier), "dossier": dossier}
    path = write_bundle(tmp_path / "bombe.arobase", body, {sha: tmp_path / sha})
    raw = bytearray(path.read_bytes())
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack("<H", raw[at + 28 : at + 30])[0]
        if raw[at + 46 : at + 46 + n] == f"pieces/{sha}".encode():
            raw[at + 24 : at + 28] = struct.pack("<I", 100)  # uncompressed size
        at = raw.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(raw))
    refusal = _refusal(path)
    assert f"pieces/{sha}\u00a0» est endommagé" in refusal.message and not refusal.too_large


def test_a_piece_under_another_fingerprint_is_refused(tmp_path: Path) -> None:
    """Content-addressed storage trusts the name: a piece must be the file its name says."""
    path = _bundle(tmp_path)
    name = _piece_name(path)
    with zipfile.ZipFile(path) as z:
        items = {n: z.read(n) for n in z.namelist()}
    other = "pieces/" + "0" * 64
    items[other] = items.pop(name)
    manifest = json.loads(items["manifeste.json"])
    manifest["files"][other] = manifest["files"].pop(name)
    items["manifeste.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in items.items():
            z.writestr(n, data)
    assert other in _refusal(path).message


def test_too_many_entries_or_no_zip_at_all(tmp_path: Path) -> None:
    crowded = tmp_path / "foule.arobase"
    with zipfile.ZipFile(crowded, "w") as z:
        for i in range(MAX_ENTRIES + 1):
            z.writestr(f"e{i}", b"")
    assert "illisible" in _refusal(crowded).message
    raw = bytearray(crowded.read_bytes())  # the end record lies (1 entry): the directory still counts
    at = raw.rfind(b"PK\x05\x06")
    raw[at + 8 : at + 12] = struct.pack("<HH", 1, 1)
    crowded.write_bytes(bytes(raw))
    assert "illisible" in _refusal(crowded).message
    garbage = tmp_path / "rien.arobase"
    garbage.write_bytes(b"<html>pas un zip</html>")
    assert "rien.arobase est illisible" in _refusal(garbage).message
