"""« Vérifier les nouvelles éditions »: the server's list with ETag, each new edition checked and stored.

A file is kept only if its bytes have the SHA-256 the list announced and it passes the edition schema;
it is written whole (temporary file, rename) into the user's editions folder, ahead of the built-in ones.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from app import account as accounts
from app.account import Account
from app.edition import EditionError, load_edition_file
from app.errors import ArobaseError
from app.network import SyncSettings, api_for
from app.secrets import SecretStore

if TYPE_CHECKING:
    import requests


def _write(folder: Path, edition_id: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".edition-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        staging = folder / ".arrivee"
        staging.mkdir(exist_ok=True)
        check = staging / f"{edition_id}.json"  # the loader wants the file named after its edition
        os.replace(tmp, check)
        try:
            load_edition_file(check)
        except EditionError:
            check.unlink(missing_ok=True)
            raise
        final = folder / f"{edition_id}.json"
        os.replace(check, final)
        return final
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_editions(
    settings: SyncSettings, session: requests.Session, secrets: SecretStore, account: Account, account_path: Path,
    folder: Path,
) -> list[str]:  # fmt: skip
    """Download the editions this computer lacks (or whose file changed); returns their ids."""
    from sync.errors import SyncError

    api = api_for(settings, session, secrets, account)
    try:
        listed, etag = api.editions(account.editions_etag)
        if listed is None:
            return []
        fetched = []
        for item in listed:
            edition_id, sha = str(item["id"]), str(item["sha256"])
            local = folder / f"{edition_id}.json"
            if local.is_file() and hashlib.sha256(local.read_bytes()).hexdigest() == sha:
                continue
            data = api.edition(edition_id)
            if hashlib.sha256(data).hexdigest() != sha:
                raise ArobaseError(f"L'édition {edition_id} reçue est incomplète ou altérée\u00a0: réessayez.")
            try:
                _write(folder, edition_id, data)
            except EditionError as exc:
                raise ArobaseError(f"L'édition {edition_id} reçue est invalide\u00a0: {exc.message}") from None
            fetched.append(edition_id)
    except SyncError as exc:
        raise ArobaseError(exc.message) from None
    account.editions_etag = etag
    accounts.save(account_path, account)
    return fetched
