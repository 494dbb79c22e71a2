"""« Exporter pour un envoi depuis un autre ordinateur »: one ``.arobase`` file (a ZIP) that carries a
frozen submission, its attachments and a manifest of their SHA-256s.

``arobase send --bundle FILE`` on any connected, signed-in computer sends it under the same submission
uuid, so a later send from the town hall is recognised by the server as the same submission (200, the
same receipt): nothing is duplicated. The receipt comes back as a file that ``arobase receipt --import``
stores. A bundle whose content differs from its manifest is refused, naming what differs.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import outbox
from app.account import Account
from app.errors import ArobaseError
from app.network import SyncSettings, api_for
from app.secrets import SecretStore

if TYPE_CHECKING:
    import requests

    from app.workspace import Workspace


class BundleError(ArobaseError):
    pass


@dataclass(frozen=True)
class Bundle:
    body: dict[str, Any]
    files: dict[str, bytes]  # sha256 → bytes


def export_bundle(ws: Workspace, edition: str, target: Path) -> Path:
    """The latest pending revision of ``edition`` as a bundle file."""
    from app.sending import replaces_for
    from sync.bundle_format import write_bundle

    pending = [e for e in outbox.entries(ws, outbox.PENDING) if e.edition == edition]
    if not pending:
        raise BundleError(f"Aucun envoi n'attend pour l'édition {edition}\u00a0: validez d'abord le dossier.")
    entry = pending[-1]
    body = {
        "submission_uuid": entry.submission_uuid, "edition": entry.edition, "revision": entry.revision,
        "replaces": replaces_for(ws, entry), "payload_sha256": entry.payload_sha256,
        "dossier": outbox.snapshot_document(ws, entry.id),
    }  # fmt: skip
    pieces = {f["sha256"]: ws.store.files.path_of(f["sha256"]) for f in entry.attachments}
    return write_bundle(target, body, pieces)


def read_bundle(path: Path) -> Bundle:
    """The bundle's content, every byte checked against its manifest and the dossier's own fingerprint
    (``sync.bundle_format``, the reader the server's /depot page uses too)."""
    from sync.bundle_format import BundleFormatError, open_bundle

    try:
        with open_bundle(path, path.name) as reader:
            return Bundle(reader.body, {sha: reader.piece(sha) for sha in reader.pieces})
    except BundleFormatError as exc:
        raise BundleError(exc.message) from None


def send_bundle(
    bundle: Bundle, account: Account, settings: SyncSettings, session: requests.Session, secrets: SecretStore
) -> dict[str, Any]:
    """Send a bundle under its own submission uuid; returns the verified receipt."""
    from sync.errors import SyncError
    from sync.receipt import verify
    from sync.tus import Transfer, upload

    code = bundle.body["dossier"].get("collectivity", {}).get("code", "")
    if "".join(str(code).split()) != "".join(account.code.split()):
        raise BundleError(f"Ce dossier est celui de la collectivité {code}, cet ordinateur est connecté pour "
                          f"{account.code}\u00a0: rien n'a été envoyé.")  # fmt: skip
    api = api_for(settings, session, secrets, account)
    try:
        api.preflight()
        found = api.receipt(bundle.body["submission_uuid"])
        if found is None:
            with tempfile.TemporaryDirectory(prefix="arobase-envoi-") as folder:
                for sha, data in bundle.files.items():
                    path = Path(folder) / sha
                    path.write_bytes(data)
                    upload(api, Transfer(sha, len(data), path), on_url=lambda url: None,
                           chunk_bytes=settings.chunk_bytes)  # fmt: skip
            found = api.submit(bundle.body)
    except SyncError as exc:
        raise BundleError(exc.message) from None
    if not (verify(found, account.public_keys()) and found.get("payload_sha256") == bundle.body["payload_sha256"]):
        from app.sending import FORGED

        raise BundleError(FORGED)
    return found


def import_receipt(ws: Workspace, account: Account, path: Path) -> str:
    """Store a receipt brought back on a USB key; returns its number."""
    from sync.receipt import verify

    try:
        receipt = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise BundleError(f"Le fichier {path.name} n'est pas un accusé de réception lisible.") from None
    if not verify(receipt, account.public_keys()):
        from app.sending import FORGED

        raise BundleError(FORGED)
    for entry in outbox.entries(ws):
        if entry.submission_uuid == receipt["submission_uuid"]:
            if entry.payload_sha256 != receipt["payload_sha256"]:
                raise BundleError("Cet accusé ne correspond pas au dossier envoyé (empreintes différentes).")
            stamp = datetime.strptime(receipt["received_at"], "%Y-%m-%dT%H:%M:%SZ")
            outbox.record_receipt(ws, entry.id, receipt, stamp)
            return str(receipt["receipt_number"])
    raise BundleError("Cet accusé de réception ne correspond à aucun envoi de ce fichier Arobase.")
