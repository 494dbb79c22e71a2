"""The association's server address: shipped in ``resources/server.json``, chosen once, kept in the settings.

Only the address is kept (QSettings key ``SETTINGS_KEY``); never a password or a token, which belong to
the system's keyring.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

SETTINGS_KEY = "server/url"
FALLBACK_URL = "https://depot.villes-internet.net"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
URL_MESSAGE = "L'adresse du serveur commence par https://, par exemple https://depot.villes-internet.net."


def shipped_server_url() -> str:
    """The address shipped with Arobase (``{"url": "https://…"}``); the built-in one if the file is unreadable."""
    from resources import folder

    try:
        data = json.loads((folder("resources") / "server.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return FALLBACK_URL
    url = data.get("url", data.get("server")) if isinstance(data, dict) else None
    return url if isinstance(url, str) and not server_url_problem(url) else FALLBACK_URL


def server_url_problem(text: str) -> str:
    """The empty string for an https address with a host, otherwise the French sentence that says what is expected."""
    value = text.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return URL_MESSAGE
    local = parts.hostname in LOCAL_HOSTS and parts.scheme == "http"  # a test server on this computer
    if (parts.scheme != "https" and not local) or not parts.hostname or any(c.isspace() for c in value):
        return URL_MESSAGE
    return ""
