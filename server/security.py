"""Secrets: opaque tokens (256 random bits, stored as SHA-256) and argon2 for low-entropy secrets."""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

# Crockford's base32 without I, L, O, U: a code read over the phone survives 0/O and 1/I confusions.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _group(n: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(n))


def new_activation_code() -> tuple[str, str, str]:
    """(code shown to the collectivity, lookup part, secret part): 4 + 16 characters, 80 secret bits."""
    lookup, secret = _group(4), _group(16)
    code = "-".join([lookup, secret[:4], secret[4:8], secret[8:12], secret[12:]])
    return code, lookup, secret


def split_activation_code(code: str) -> tuple[str, str] | None:
    clean = code.upper().replace("-", "").replace(" ", "").translate(str.maketrans("OIL", "011"))
    if len(clean) != 20 or any(c not in CODE_ALPHABET for c in clean):
        return None
    return clean[:4], clean[4:]


def new_password() -> str:
    return "-".join(_group(5) for _ in range(4))


@lru_cache(maxsize=1)
def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def argon2_hash(secret: str) -> str:
    return str(_hasher().hash(secret))


def argon2_verify(hashed: str, secret: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(hashed, secret))
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Verified against when no account matches, so a wrong name costs the same time as a wrong secret."""
    return argon2_hash("arobase-dummy-secret")
