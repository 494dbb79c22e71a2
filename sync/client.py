"""The HTTP client of the sync protocol v1, on one ``requests.Session`` it is given or builds.

Every call has explicit connect and read timeouts (requests has none by default: a silent drop would
hang forever). TLS is always verified; which trust store verifies it is the application's choice
(``truststore.inject_into_ssl()`` at start, never here). Plain ``http://`` is refused except to the
loopback. System proxies are honoured (``trust_env``) and a manual proxy may be given. The bearer token
travels through an ``AuthBase`` (``.netrc`` would override ``headers=``). A 401 refreshes the access
token once; the rotated refresh token is handed to ``on_rotate`` at once so the caller keeps it.
``requests`` is imported lazily: the window must appear fast.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from sync.errors import (
    PROXY_UNREACHABLE,
    UNREACHABLE,
    AuthRequired,
    BadProxy,
    NotArobaseServer,
    Retryable,
    SyncError,
    TlsRefused,
    error_for,
)
from sync.protocol import API_PREFIX, HEADER_IDEMPOTENCY_KEY, HEADER_MAX_BODY, HEADER_PROTOCOL, PROTOCOL_VERSION

if TYPE_CHECKING:
    import requests

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 30.0

    def pair(self) -> tuple[float, float]:
        return (self.connect, self.read)


def check_server_url(url: str) -> str:
    """The server's base address, normalised; a French NotArobaseServer when it cannot be one."""
    text = (url or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise NotArobaseServer(
            f"« {text[:80]} » n'est pas une adresse de serveur\u00a0: saisissez une adresse comme "
            "https://depot.villes-internet.net."
        )
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise NotArobaseServer(
            "Adresse refusée\u00a0: la connexion au serveur doit être chiffrée (https://). "
            "Vérifiez l'adresse du serveur."
        )
    if parts.query or parts.fragment:
        raise NotArobaseServer(f"L'adresse « {text[:80]} » ne doit contenir ni « ? » ni « # ».")
    return text


def check_proxy_url(text: str) -> str | None:
    """The proxy the user typed, normalised to ``scheme://host:port``; None for "the system's settings".

    A proxy asking for a password is refused: the address would land in a settings file. Such a proxy is
    set up in the system's settings, which Arobase follows.
    """
    text = (text or "").strip()
    if not text:
        return None
    parts = urlsplit(text if "://" in text else f"http://{text}")
    example = "saisissez une adresse comme proxy.mairie.local:3128"
    if parts.username or parts.password:
        raise BadProxy(
            "Un proxy qui demande un identifiant se règle dans les paramètres du système (Arobase les suit)\u00a0: "
            "n'indiquez ici que son adresse, sans identifiant ni mot de passe."
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or parts.path not in ("", "/"):
        raise BadProxy(f"« {text[:80]} » n'est pas une adresse de proxy\u00a0: {example}.")
    if parts.query or parts.fragment:
        raise BadProxy(f"L'adresse de proxy « {text[:80]} » ne doit contenir ni « ? » ni « # ».")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port or (443 if parts.scheme == 'https' else 80)}"


def new_session(proxy: str | None = None, ca_bundle: str | None = None) -> requests.Session:
    """A session that honours the system proxy settings, plus ``proxy`` when the user typed one."""
    import requests

    from sync.abort import make_abortable

    session = make_abortable(requests.Session())  # closing the window cuts a stalled request at once
    session.trust_env = True
    if proxy:
        session.proxies.update({"http": proxy, "https": proxy})
    session.verify = ca_bundle or True  # never False
    session.headers["User-Agent"] = "Arobase/0.1"
    return session


@lru_cache(maxsize=1)
def _bearer_class() -> type:
    import requests.auth

    class BearerAuth(requests.auth.AuthBase):
        """``Authorization: Bearer <token>`` set on each request (never through ``headers=``)."""

        def __init__(self, token: str) -> None:
            self.token = token

        def __call__(self, r: Any) -> Any:
            r.headers["Authorization"] = f"Bearer {self.token}"
            return r

        def __repr__(self) -> str:  # a token never reaches a log through repr()
            return "BearerAuth(…)"

    return BearerAuth


def bearer_auth(token: str) -> Any:
    return _bearer_class()(token)


@dataclass
class Credentials:
    """The device's tokens, in memory; ``on_rotate`` persists a rotated pair at once (the secret store)."""

    refresh_token: str | None
    access_token: str | None = None
    on_rotate: Callable[[str, str], None] = field(default=lambda refresh, access: None, repr=False)

    def __repr__(self) -> str:
        return "Credentials(…)"


def _tls_message(exc: BaseException) -> str:
    text = str(exc)
    low = text.lower()
    if "expired" in low:
        return (
            "Le certificat de sécurité du serveur a expiré\u00a0: la connexion a été refusée. "
            "Vérifiez la date et l'heure de cet ordinateur, sinon prévenez l'association."
        )
    if "hostname mismatch" in low or "ip address mismatch" in low or "doesn't match" in low:
        return (
            "Le certificat de sécurité présenté n'est pas celui de cette adresse\u00a0: la connexion a été refusée. "
            "Vérifiez l'adresse du serveur."
        )
    if "self-signed" in low or "self signed" in low or "unable to get local issuer" in low:
        return (
            "Le certificat de sécurité du serveur n'est signé par aucune autorité reconnue par cet ordinateur\u00a0: "
            "la connexion a été refusée. Si la mairie passe par un proxy qui inspecte les connexions, "
            "demandez à votre prestataire d'installer son certificat sur cet ordinateur."
        )
    return "La connexion sécurisée au serveur a échoué\u00a0: la connexion a été refusée. Vérifiez l'adresse."


def _ssl_cause(exc: BaseException) -> BaseException | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return seen
        nxt = seen.__cause__ or seen.__context__
        if nxt is None and seen.args and isinstance(seen.args[0], BaseException):
            nxt = seen.args[0]
        seen = nxt
    return None


class Api:
    """Calls of the protocol v1 on a session; every answer outside the happy path raises a SyncError."""

    def __init__(
        self, session: requests.Session, server_url: str, credentials: Credentials | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:  # fmt: skip
        self.session = session
        self.base = check_server_url(server_url)
        self.credentials = credentials or Credentials(None)
        self.timeouts = timeouts or Timeouts()

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.base + "/", path.lstrip("/") if path.startswith(API_PREFIX) else f"{API_PREFIX[1:]}/{path}")

    def raw(self, method: str, path: str, *, auth: bool = True, **kw: Any) -> requests.Response:
        """One request; transport faults become Retryable or TlsRefused; 401 refreshes the token once."""
        for attempt in (0, 1):
            if auth and self.credentials.access_token is None:
                self.refresh()
            answer = self._send(method, path, auth=auth, **kw)
            if answer.status_code == 401 and auth and attempt == 0:
                self.credentials.access_token = None
                continue
            return answer
        return answer

    def _send(self, method: str, path: str, *, auth: bool, **kw: Any) -> requests.Response:
        import requests

        kw.setdefault("timeout", self.timeouts.pair())
        kw.setdefault("allow_redirects", False)
        if isinstance(self.session.verify, str):  # REQUESTS_CA_BUNDLE would otherwise win over the CA given
            kw.setdefault("verify", self.session.verify)
        if auth and self.credentials.access_token:
            kw["auth"] = bearer_auth(self.credentials.access_token)
        try:
            return self.session.request(method, self.url(path), **kw)
        except requests.exceptions.SSLError as exc:
            raise TlsRefused(_tls_message(_ssl_cause(exc) or exc)) from None
        except requests.exceptions.InvalidURL:
            raise NotArobaseServer("Adresse de serveur invalide\u00a0: vérifiez-la.") from None
        except requests.exceptions.ProxyError:
            raise Retryable(PROXY_UNREACHABLE) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:  # fmt: skip
            if _ssl_cause(exc) is not None:
                raise TlsRefused(_tls_message(_ssl_cause(exc) or exc)) from None
            raise Retryable(UNREACHABLE) from None

    def call(self, method: str, path: str, *, ok: tuple[int, ...] = (200,), auth: bool = True, **kw: Any) -> Any:
        """A JSON call; anything but ``ok`` raises its typed error."""
        answer = self.raw(method, path, auth=auth, **kw)
        if answer.status_code not in ok:
            raise error_for(answer.status_code, answer.headers, answer.content)
        data = _json(answer)
        if answer.status_code != 204 and not isinstance(data, dict | list):  # an answer cut before its body
            raise Retryable(UNREACHABLE)
        return data

    # ---------------------------------------------------------------- endpoints

    def preflight(self) -> int:
        """HEAD /submissions → 204 with our protocol header, else a French NotArobaseServer; returns the max body.

        A strange answer is asked again once on a new connection before concluding: an answer cut in its
        headers (a 204 without ours) must not pass for a captive portal.
        """
        try:
            return self._preflight_once()
        except NotArobaseServer:
            self.session.close()
            return self._preflight_once()

    def _preflight_once(self) -> int:
        answer = self.raw("HEAD", "submissions", auth=False)
        status, headers = answer.status_code, answer.headers
        if status == 204 and headers.get(HEADER_PROTOCOL) is not None:
            version = headers[HEADER_PROTOCOL].strip()
            if version != PROTOCOL_VERSION:
                raise NotArobaseServer(
                    f"Le serveur utilise la version {version[:10]} du protocole d'envoi, cette version d'Arobase "
                    f"la version {PROTOCOL_VERSION}\u00a0: mettez Arobase à jour (ou prévenez l'association)."
                )
            try:
                return int(headers.get(HEADER_MAX_BODY, "0"))
            except ValueError:
                return 0
        if status >= 500 or status == 429:
            raise error_for(status, headers, b"")
        html = "html" in headers.get("Content-Type", "").lower()
        if status in (200, 204) or 300 <= status < 400 or html:
            raise NotArobaseServer(
                "Le réseau demande une connexion avant d'aller sur Internet (page d'accueil d'un Wi-Fi public ou "
                "d'un hôtel, par exemple)\u00a0: ouvrez une page web dans votre navigateur, suivez ses "
                "instructions, puis relancez l'envoi."
            )
        raise NotArobaseServer(
            f"L'adresse {self.base} ne répond pas comme un serveur Arobase (réponse {status})\u00a0: "
            "vérifiez l'adresse du serveur."
        )

    def enrol(self, activation_code: str, device_name: str) -> dict[str, Any]:
        data = self.call("POST", "devices", ok=(201,), auth=False,
                         json={"activation_code": activation_code, "device_name": device_name})  # fmt: skip
        self.credentials.refresh_token, self.credentials.access_token = data["refresh_token"], data["access_token"]
        return dict(data)

    def refresh(self) -> None:
        """A new access token and a rotated refresh token, handed to ``on_rotate`` before anything else."""
        creds = self.credentials
        if not creds.refresh_token:
            raise AuthRequired("Cet appareil n'est pas connecté au serveur de l'association\u00a0: connectez-vous.")
        answer = self._send("POST", "token", auth=False, json={"refresh_token": creds.refresh_token})
        if answer.status_code != 200:
            raise error_for(answer.status_code, answer.headers, answer.content)
        data = _json(answer)
        if not isinstance(data, dict) or "refresh_token" not in data:
            raise Retryable(UNREACHABLE)
        creds.on_rotate(data["refresh_token"], data["access_token"])
        creds.refresh_token, creds.access_token = data["refresh_token"], data["access_token"]

    def sign_out(self) -> None:
        self.call("DELETE", "devices/current", ok=(204,))

    def account(self) -> dict[str, Any]:
        return dict(self.call("GET", "account"))

    def keys(self) -> dict[str, bytes]:
        import base64

        data = self.call("GET", "keys", auth=False)
        return {k["key_id"]: base64.b64decode(k["public_key"]) for k in data["keys"]}

    def editions(self, etag: str | None = None) -> tuple[list[dict[str, Any]] | None, str | None]:
        """(list, etag), or (None, etag) when nothing changed since ``etag``."""
        headers = {"If-None-Match": etag} if etag else {}
        answer = self.raw("GET", "editions", auth=False, headers=headers)
        if answer.status_code == 304:
            return None, etag
        if answer.status_code != 200:
            raise error_for(answer.status_code, answer.headers, answer.content)
        data = _json(answer)
        if not isinstance(data, list):
            raise Retryable(UNREACHABLE)
        return data, answer.headers.get("ETag")

    def edition(self, edition_id: str) -> bytes:
        answer = self.raw("GET", f"editions/{edition_id}", auth=False)
        if answer.status_code != 200:
            raise error_for(answer.status_code, answer.headers, answer.content)
        return bytes(answer.content)

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST the submission with Idempotency-Key = its uuid; 201 and 200 both carry the receipt."""
        data = self.call("POST", "submissions", ok=(200, 201),
                         json=body, headers={HEADER_IDEMPOTENCY_KEY: body["submission_uuid"]})  # fmt: skip
        return dict(data)

    def receipt(self, submission_uuid: str) -> dict[str, Any] | None:
        """The receipt of a submission the server holds, None if it never arrived (reconciles a lost answer)."""
        answer = self.raw("GET", f"submissions/{submission_uuid}")
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise error_for(answer.status_code, answer.headers, answer.content)
        data = _json(answer)
        if not isinstance(data, dict):
            raise Retryable(UNREACHABLE)
        return data


def _json(answer: requests.Response) -> Any:
    if not answer.content:
        return None
    try:
        return json.loads(answer.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Retryable(UNREACHABLE) from None


__all__ = ["Api", "Credentials", "SyncError", "Timeouts", "bearer_auth", "check_server_url", "new_session"]
