"""Signing receipts with the server's Ed25519 key (``cryptography``); the public half is in the database."""

from __future__ import annotations

import base64
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from server.models import SigningKey
from sync import receipt as wire


class SigningKeyMissing(Exception):
    """The key file is absent or unreadable; the message is French."""


class Signer:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.key_id = wire.key_id(self.public_key)

    @classmethod
    def load(cls, path: Path) -> Signer:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise SigningKeyMissing(
                f"Clé de signature des accusés de réception illisible ({path}) : lancez « arobase-server init »."
            ) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyMissing(f"Le fichier {path} ne contient pas une clé Ed25519.")
        return cls(key)

    @classmethod
    def create(cls, path: Path) -> Signer:
        """Write a new key readable by the owner only (never overwrites one)."""
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        return cls(key)

    def register(self, session: Session, now: datetime) -> None:
        if session.get(SigningKey, self.key_id) is None:
            session.add(SigningKey(key_id=self.key_id, public_key=self.public_key, created_at=now))

    def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        receipt = {**body, "format": wire.FORMAT, "key_id": self.key_id}
        signature = self._key.sign(wire.signed_bytes(receipt))
        return {**receipt, "signature": base64.b64encode(signature).decode("ascii")}


def utc_stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
