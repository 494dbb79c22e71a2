"""The signed receipt: its exact signed bytes, and the check a town hall can run later, offline.

The signature is Ed25519 over ``SIGNING_CONTEXT`` followed by the canonical JSON of the receipt without
its ``signature`` field; the server publishes its public keys at ``GET /api/v1/keys`` (``key_id`` is the
first 16 hex digits of the SHA-256 of the raw 32-byte public key). ``cryptography`` is imported lazily.
"""

from __future__ import annotations

import base64
import binascii
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from sync.dossier_format import canonical_json, sha256_hex

FORMAT = "arobase.receipt.1"
SIGNING_CONTEXT = b"arobase-receipt-v1\n"
SCHEMA_PATH = Path(__file__).with_name("schemas") / "receipt-1.json"


def signed_bytes(receipt: dict[str, Any]) -> bytes:
    """What the signature covers: every field but ``signature``, canonical JSON, with a context prefix."""
    return SIGNING_CONTEXT + canonical_json({k: v for k, v in receipt.items() if k != "signature"})


def key_id(public_key: bytes) -> str:
    return sha256_hex(public_key)[:16]


def receipt_number(edition: str, number: int) -> str:
    return f"VI-{edition}-{number:06d}"


@lru_cache(maxsize=1)
def _validator():  # type: ignore[no-untyped-def]
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def verify(receipt: Any, public_keys: dict[str, bytes]) -> bool:
    """True only if the receipt is well formed and signed by one of ``public_keys`` (key_id → raw key)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(receipt, dict) or not _validator().is_valid(receipt):
        return False
    raw = public_keys.get(receipt["key_id"])
    if raw is None or key_id(raw) != receipt["key_id"]:
        return False
    try:
        signature = base64.b64decode(receipt["signature"], validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, signed_bytes(receipt))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
