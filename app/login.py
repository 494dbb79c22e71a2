"""Se connecter / se déconnecter: device enrolment with the activation code, and its revocation.

The activation code is sent once and never stored; the tokens go to the secret store; the account
(collectivity, membership, open editions) and the server's receipt keys — pinned here, at first
sign-in — go to ``compte.json``.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING

from app import account as accounts
from app.account import Account
from app.errors import ArobaseError
from app.network import SyncSettings, api_for, store_tokens
from app.secrets import SecretStore

if TYPE_CHECKING:
    import requests


class SyncFailed(ArobaseError):
    """A sync error reaching the user: its message is the French sentence of sync's typed error."""


def login(
    settings: SyncSettings, session: requests.Session, secrets: SecretStore, account_path: Path, code: str,
    server: str | None = None,
) -> Account:  # fmt: skip
    """Enrol this computer; returns the account now kept for display."""
    from sync.client import check_server_url
    from sync.errors import SyncError

    code = code.strip()
    if not code:
        raise ArobaseError("Saisissez le code d'activation reçu par courriel de l'association.")
    try:
        base = check_server_url(server or settings.server)
        api = api_for(settings, session, secrets, server=base)
        api.preflight()
        keys = api.keys()
        enrolled = api.enrol(code, settings.device_name)
        found = Account(base, enrolled["device_id"], dict(enrolled["collectivity"]))
        store_tokens(secrets, found.secret_name, enrolled["refresh_token"], enrolled["access_token"])
        info = api.account()
    except SyncError as exc:
        raise SyncFailed(exc.message) from None
    found.membership = dict(info.get("membership", {}))
    found.open_editions = list(info.get("open_editions", []))
    found.keys = {k: base64.b64encode(v).decode("ascii") for k, v in keys.items()}
    accounts.save(account_path, found)
    return found


def logout(settings: SyncSettings, session: requests.Session, secrets: SecretStore, account_path: Path) -> str:
    """Revoke the device on the server (when reachable) and forget the tokens; returns a French summary."""
    from sync.errors import AuthRequired, SyncError

    found = accounts.load(account_path)
    if found is None:
        return "Cet ordinateur n'était pas connecté."
    said = "Déconnecté\u00a0: l'appareil a été retiré du serveur de l'association."
    try:
        api_for(settings, session, secrets, found).sign_out()
    except AuthRequired:
        pass
    except SyncError as exc:
        said = f"Déconnecté sur cet ordinateur, mais le serveur n'a pas pu être prévenu ({exc.message})"
    secrets.delete(found.secret_name)
    accounts.forget(account_path)
    return said
