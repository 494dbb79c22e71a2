"""The signed-in account, kept for display and for checks: no secret in it.

``compte.json`` in the user's config folder holds the server address, the device id, the collectivity
(code, name, kind), its membership for the year, the editions open for submission, and the server's
receipt keys pinned at first sign-in (a receipt signed by another key is refused). The tokens live in
the secret store (``app.secrets``), under a name derived from the server address.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.atomic import write_atomically
from app.errors import ArobaseError


class NotSignedIn(ArobaseError):
    pass


@dataclass
class Account:
    server: str
    device_id: str
    collectivity: dict[str, str]
    membership: dict[str, Any] = field(default_factory=dict)
    open_editions: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # key_id → base64 raw Ed25519 public key
    editions_etag: str | None = None

    @property
    def code(self) -> str:
        return str(self.collectivity.get("code", ""))

    @property
    def secret_name(self) -> str:
        return f"jetons:{self.server}"

    def public_keys(self) -> dict[str, bytes]:
        return {k: base64.b64decode(v) for k, v in self.keys.items()}

    def as_json(self) -> dict[str, Any]:
        return {
            "server": self.server, "device_id": self.device_id, "collectivity": self.collectivity,
            "membership": self.membership, "open_editions": self.open_editions, "keys": self.keys,
            "editions_etag": self.editions_etag,
        }  # fmt: skip


def load(path: Path) -> Account | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Account(**data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError):
        return None


def require(path: Path) -> Account:
    found = load(path)
    if found is None:
        raise NotSignedIn(
            "Cet ordinateur n'est pas connecté au serveur de l'association\u00a0: "
            "connectez-vous d'abord (arobase login --server ADRESSE)."
        )
    return found


def save(path: Path, account: Account) -> None:
    """Written whole (temporary file, fsync, rename): never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(
        path, json.dumps(account.as_json(), ensure_ascii=False, indent=2).encode("utf-8"), prefix=".compte-"
    )


def forget(path: Path) -> None:
    path.unlink(missing_ok=True)
