"""What the Envoi page needs to reach the server, built once per window and passed in (tests give their own).

One secret store per application run (a session-only sign-in must survive switching files), one
``requests.Session`` made on first use on the background lane (importing requests is slow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import InvalidInput
from app.network import SyncSettings, checked_proxy
from app.secrets import SecretStore

if TYPE_CHECKING:
    import requests

    from ui.qt import QSettings

PROXY_KEY = "network/proxy"  # Fichier › Réglages réseau… (ui.dialogs.network_dialog) writes it


def saved_proxy(settings: QSettings) -> str | None:
    """The proxy kept in the settings, or None (the system's settings); a damaged value counts as none.
    Here, not in the dialog's module: the window reads it at every start, the dialog is seldom opened."""
    try:
        return checked_proxy(str(settings.value(PROXY_KEY, "") or ""))
    except InvalidInput:
        return None


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
    proxy: str | None = None  # Fichier › Réglages réseau… (None: the system's settings)
    editions_dir: Path | None = None  # where « Vérifier les nouvelles éditions » stores them (None: the user's)
    _session: requests.Session | None = None
    _former: list[requests.Session] = field(default_factory=list)  # before a proxy change: a send may use one

    @classmethod
    def default(cls, before_first_connection: Callable[[], None] = _nothing) -> SendContext:
        from app.paths import account_file

        return cls(account_file(), before_first_connection=before_first_connection)

    def default_server(self) -> str:
        from app.network import default_server

        return default_server()

    def settings(self, server: str) -> SyncSettings:
        settings = self.make_settings(server)
        return replace(settings, proxy=self.proxy) if self.proxy else settings

    def set_proxy(self, proxy: str | None) -> None:
        """The next connection goes through ``proxy``: a send under way ends on the session it holds."""
        if proxy != self.proxy:
            self.proxy = proxy
            if self._session is not None:
                self._former.append(self._session)
            self._session = None

    def editions_folder(self) -> Path:
        from app.paths import downloaded_editions_dir

        return self.editions_dir or downloaded_editions_dir()

    def public_keys(self) -> dict[str, bytes] | None:
        """The server keys pinned at sign-in (None when not signed in): a receipt is checked against them."""
        from app import account as accounts

        found = accounts.load(self.account_path)
        return found.public_keys() if found is not None else None

    def abort_connections(self) -> None:
        """From the GUI thread: cut every connection of the session now, even one waiting for an answer.

        A cancelled send then stops at once instead of after the read timeout; the outbox makes the
        next send resume where this one stopped.
        """
        from app.network import abort_connections

        for session in [*self._former, *([self._session] if self._session is not None else [])]:
            abort_connections(session)

    def session(self, server: str) -> requests.Session:
        """Call on the background lane only: one session, reused (its connections too)."""
        if self._session is None:
            self.before_first_connection()
            self._session = self.settings(server).session()
        return self._session
