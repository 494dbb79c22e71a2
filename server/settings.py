"""Server settings, read once from flags and the environment and passed into everything (no globals).

Secrets never live here: the signing key is a file in the data folder, tokens and codes are only in the
database as hashes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from server.db import normalise_url

MB = 1024 * 1024


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message is French."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingsError(f"la variable {name} doit être un nombre entier positif (reçu « {raw} »)")
    return int(raw)


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` events per ``window`` seconds for one key."""

    count: int
    window: int

    @classmethod
    def parse(cls, name: str, raw: str) -> RateLimit:
        count, _, window = raw.partition("/")
        if not (count.isdigit() and window.isdigit() and int(window) > 0):
            raise SettingsError(f"la variable {name} s'écrit NOMBRE/SECONDES, par exemple 10/900 (reçu « {raw} »)")
        return cls(int(count), int(window))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    blobs: str  # a folder path, or s3://bucket/prefix
    max_upload_bytes: int = 20 * MB
    max_body_bytes: int = 16 * MB  # one submission request (dossier JSON)
    access_ttl: int = 3600
    refresh_ttl: int = 400 * 86400  # absolute lifetime of one refresh token
    activation_ttl: int = 14 * 86400
    upload_ttl: int = 7 * 86400
    # Failed sign-in attempts (activation code, refresh token, staff password).
    auth_failures_per_address: RateLimit = field(default_factory=lambda: RateLimit(20, 900))
    auth_failures_per_account: RateLimit = field(default_factory=lambda: RateLimit(10, 900))
    requests_per_account: RateLimit = field(default_factory=lambda: RateLimit(600, 60))

    @property
    def signing_key_path(self) -> Path:
        return self.data_dir / "cle-signature-ed25519.pem"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_changes(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("AROBASE_SERVER_DATA") or ".").resolve()
        url = env.get("AROBASE_SERVER_DATABASE_URL") or f"sqlite:///{data_dir / 'arobase-serveur.sqlite'}"
        url = normalise_url(url)
        blobs = env.get("AROBASE_SERVER_BLOBS") or str(data_dir / "fichiers")
        limits = {}
        for name, key in (
            ("AROBASE_SERVER_RATE_AUTH_ADDRESS", "auth_failures_per_address"),
            ("AROBASE_SERVER_RATE_AUTH_ACCOUNT", "auth_failures_per_account"),
            ("AROBASE_SERVER_RATE_ACCOUNT", "requests_per_account"),
        ):
            if env.get(name):
                limits[key] = RateLimit.parse(name, env[name])
        return cls(
            data_dir=data_dir,
            database_url=url,
            blobs=blobs,
            max_upload_bytes=_int(env, "AROBASE_SERVER_MAX_UPLOAD", 20 * MB),
            max_body_bytes=_int(env, "AROBASE_SERVER_MAX_BODY", 16 * MB),
            access_ttl=_int(env, "AROBASE_SERVER_ACCESS_TTL", 3600),
            upload_ttl=_int(env, "AROBASE_SERVER_UPLOAD_TTL", 7 * 86400),
            **limits,  # type: ignore[arg-type]
        )
