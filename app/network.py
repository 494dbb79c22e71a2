"""How the app reaches the association's server: settings, the OS trust store, an ``Api`` with its tokens.

``use_system_trust_store()`` is called once by the program's entry points (``arobase`` CLI, the window),
never by a library. Everything else is passed in: the session, the secret store, the settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.secrets import SecretStore

if TYPE_CHECKING:
    import requests

    from app.account import Account
    from sync.client import Api


def default_server() -> str:
    """The address the installer was built with (``resources/server.json``, editable): one reader of it."""
    from app.server_address import shipped_server_url

    return shipped_server_url()


def use_system_trust_store() -> None:
    """Verify TLS with the OS trust store (Windows, macOS, Linux CAs): TLS-inspecting proxies of town halls work."""
    import truststore

    truststore.inject_into_ssl()


def checked_proxy(text: str) -> str | None:
    """The proxy typed in the window, normalised (None: the system's settings); InvalidInput in French.
    No proxy (the usual case, read at every start) is answered without importing ``sync.client`` (ssl, 15 ms)."""
    if not text.strip():
        return None
    from app.errors import InvalidInput
    from sync.client import check_proxy_url
    from sync.errors import BadProxy

    try:
        return check_proxy_url(text)
    except BadProxy as exc:
        raise InvalidInput(exc.message) from None


@dataclass(frozen=True)
class SyncSettings:
    """What sending needs to know; the window and the CLI build it from their options."""

    server: str = ""
    proxy: str | None = None
    ca_bundle: str | None = None  # an extra CA file (tests, a department's own CA)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    chunk_bytes: int = 256 * 1024
    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    device_name: str = "Arobase"

    def session(self) -> requests.Session:
        from sync.client import new_session

        return new_session(self.proxy, self.ca_bundle)


def _load_tokens(secrets: SecretStore, name: str) -> dict[str, Any]:
    raw = secrets.get(name)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def store_tokens(secrets: SecretStore, name: str, refresh: str, access: str) -> None:
    secrets.set(name, json.dumps({"refresh": refresh, "access": access}))


def abort_connections(session: requests.Session) -> None:
    """Cut every connection of ``session`` now (from any thread): a send waiting on a stalled line stops."""
    from sync.abort import abort

    abort(session)


def api_for(
    settings: SyncSettings, session: requests.Session, secrets: SecretStore, account: Account | None = None,
    server: str | None = None,
) -> Api:  # fmt: skip
    """An Api on ``session``; with ``account``, its tokens come from (and rotations go to) the secret store."""
    from sync.client import Api, Credentials, Timeouts

    timeouts = Timeouts(settings.connect_timeout, settings.read_timeout)
    if account is None:
        return Api(session, server or settings.server, Credentials(None), timeouts)
    name = account.secret_name
    tokens = _load_tokens(secrets, name)
    creds = Credentials(
        tokens.get("refresh"), tokens.get("access"),
        on_rotate=lambda refresh, access: store_tokens(secrets, name, refresh, access),
    )  # fmt: skip
    return Api(session, account.server, creds, timeouts)
