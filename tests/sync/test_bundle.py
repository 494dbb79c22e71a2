"""The ``.arobase`` file for a town hall without network: sent from another computer under the same
submission uuid (a later send from the town hall is the same submission), its receipt imported back,
and a tampered file refused naming what differs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import outbox
from app.bundle import BundleError, export_bundle, import_receipt, read_bundle, send_bundle
from app.sending import send_pending
from tests.factories import rewrite_zip
from tests.sync.conftest import Town
from tests.sync.test_send import submissions_of


def test_bundle_sent_elsewhere_then_receipt_imported(town: Town, tmp_path: Path) -> None:
    path = export_bundle(town.ws, "2019", tmp_path / "envoi.arobase")
    receipt = send_bundle(read_bundle(path), town.account, town.settings, town.session(), town.secrets)
    assert submissions_of(town) == 1
    (tmp_path / "accuse.json").write_text(json.dumps(receipt), encoding="utf-8")
    assert import_receipt(town.ws, town.account, tmp_path / "accuse.json") == receipt["receipt_number"]
    assert town.ws.status("2019").summary.state == "recu"
    assert send_pending(town.ws, town.account, town.settings, town.session(), town.secrets).outcomes == []


def test_a_later_send_from_the_town_hall_is_the_same_submission(town: Town, tmp_path: Path) -> None:
    path = export_bundle(town.ws, "2019", tmp_path / "envoi.arobase")
    receipt = send_bundle(read_bundle(path), town.account, town.settings, town.session(), town.secrets)
    report = send_pending(town.ws, town.account, town.settings, town.session(), town.secrets)
    assert report.all_sent and report.outcomes[0].receipt_number == receipt["receipt_number"]
    assert submissions_of(town) == 1
    assert report.wire_bytes == 0  # the server already held every attachment
    assert outbox.entries(town.ws)[0].receipt == receipt


def _flip_attachment(items: dict[str, bytes]) -> None:
    name = next(n for n in items if n.startswith("pieces/"))
    items[name] = b"X" + items[name][1:]


def _edit_dossier(items: dict[str, bytes]) -> None:
    import hashlib

    body = json.loads(items["envoi.json"])
    body["dossier"]["actions"][0]["title"] = "Titre changé en route"
    items["envoi.json"] = json.dumps(body).encode()
    manifest = json.loads(items["manifeste.json"])
    manifest["files"]["envoi.json"] = hashlib.sha256(items["envoi.json"]).hexdigest()
    items["manifeste.json"] = json.dumps(manifest).encode()


def _add_file(items: dict[str, bytes]) -> None:
    items["pieces/intrus.exe"] = b"MZ"


@pytest.mark.parametrize(
    ("change", "expected"),
    [(_flip_attachment, "pieces/"), (_edit_dossier, "le dossier ne correspond pas"), (_add_file, "intrus.exe")],
    ids=["piece-modifiee", "dossier-modifie", "fichier-ajoute"],
)
def test_a_tampered_bundle_is_refused_naming_what_differs(town: Town, tmp_path: Path, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = export_bundle(town.ws, "2019", tmp_path / "envoi.arobase")
    tampered = tmp_path / "modifie.arobase"
    rewrite_zip(path, tampered, change)
    with pytest.raises(BundleError) as caught:
        read_bundle(tampered)
    assert expected in caught.value.message
    assert submissions_of(town) == 0


def test_a_forged_receipt_file_is_refused(town: Town, tmp_path: Path) -> None:
    assert send_pending(town.ws, town.account, town.settings, town.session(), town.secrets).all_sent
    receipt = dict(outbox.entries(town.ws)[0].receipt or {})
    receipt["receipt_number"] = "VI-2019-999999"
    (tmp_path / "faux.json").write_text(json.dumps(receipt), encoding="utf-8")
    with pytest.raises(BundleError, match="signature"):
        import_receipt(town.ws, town.account, tmp_path / "faux.json")
