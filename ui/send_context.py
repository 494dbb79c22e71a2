"""What the Envoi page needs to reach the server, built once per window and passed in (tests give their own).

One secret store per application run (a session-only sign-in must survive switching files), one
``requests.Session`` made on first use on the background lane (importing requests is slow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.network import SyncSettings
from app.secrets import SecretStore

if TYPE_CHECKING:
    import requests


def _plain_settings(server: str) -> SyncSettings:
    return SyncSettings(server=server)


def _nothing() -> None:
    return None


@dataclass
class SendContext:
    account_path: Path
    secrets: SecretStore = field(default_factory=SecretStore)
    make_settings: Callable[[str], SyncSettings] = _plain_settings
    before_first_connection: Callable[[], None] = _nothing  # the program's use_system_trust_store
    _session: requests.Session | None = None

    @classmethod
    def default(cls, before_first_connection: Callable[[], None] = _nothing) -> SendContext:
        from app.paths import account_file

        return cls(account_file(), before_first_connection=before_first_connection)

    def default_server(self) -> str:
        from app.network import default_server

        return default_server()

    def settings(self, server: str) -> SyncSettings:
        return self.make_settings(server)

    def session(self, server: str) -> requests.Session:
        """Call on the background lane only: one session, reused (its connections too)."""
        if self._session is None:
            self.before_first_connection()
            self._session = self.settings(server).session()
        return self._session
