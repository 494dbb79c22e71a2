"""TLS: a certificate from an unknown authority, an expired one and one for another host are each refused
with their French sentence; the right CA is accepted, also through the proxy the user typed (a CONNECT
tunnel). A tiny HTTPS server answers the preflight."""

from __future__ import annotations

import datetime
import http.server
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from sync.client import Api, check_proxy_url, new_session
from sync.errors import PROXY_UNREACHABLE, BadProxy, Retryable, TlsRefused

PAST = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


class _Preflight(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(204)
        self.send_header("Arobase-Protocol", "1")
        self.send_header("Arobase-Max-Body", "1000")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _serve(cert: trustme.LeafCert) -> Iterator[int]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Preflight)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _preflight(port: int, ca_file: str) -> int:
    return Api(new_session(ca_bundle=ca_file), f"https://127.0.0.1:{port}").preflight()


def test_the_right_authority_is_accepted(ca: trustme.CA, ca_file: str) -> None:
    for port in _serve(ca.issue_cert("127.0.0.1")):
        assert _preflight(port, ca_file) == 1000


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda ca: trustme.CA().issue_cert("127.0.0.1"), "aucune autorité reconnue"),
        (lambda ca: ca.issue_cert("127.0.0.1", not_after=PAST), "a expiré"),
        (lambda ca: ca.issue_cert("depot.example.org"), "n'est pas celui de cette adresse"),
    ],
    ids=["autorite-inconnue", "expire", "autre-adresse"],
)  # fmt: skip
def test_bad_certificates_are_refused_in_french(ca: trustme.CA, ca_file: str, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    for port in _serve(make(ca)):
        with pytest.raises(TlsRefused) as caught:
            _preflight(port, ca_file)
        assert expected in caught.value.message, caught.value.message


def test_plain_http_is_refused_except_to_the_loopback() -> None:
    from sync.client import check_server_url
    from sync.errors import NotArobaseServer

    assert check_server_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    with pytest.raises(NotArobaseServer, match="chiffrée"):
        check_server_url("http://depot.villes-internet.net")


@pytest.fixture
def no_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine's NO_PROXY=127.0.0.1 or HTTPS_PROXY would decide instead of the proxy the test gives."""
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_the_typed_proxy_carries_the_connection(
    ca: trustme.CA, ca_file: str, no_proxy_from_the_environment: None
) -> None:
    from tests.faultproxy import FaultProxy

    for port in _serve(ca.issue_cert("127.0.0.1")):
        with FaultProxy(0, tunnel=True) as proxy:
            session = new_session(proxy=check_proxy_url(f"127.0.0.1:{proxy.port}"), ca_bundle=ca_file)
            assert Api(session, f"https://127.0.0.1:{port}").preflight() == 1000
            assert proxy.tunnelled == [f"127.0.0.1:{port}"]  # TLS end to end, through the tunnel


def test_a_proxy_that_does_not_answer_is_named(ca_file: str, no_proxy_from_the_environment: None) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    session = new_session(proxy=f"http://127.0.0.1:{dead}", ca_bundle=ca_file)
    with pytest.raises(Retryable) as caught:
        Api(session, "https://127.0.0.1:9").preflight()
    assert caught.value.message == PROXY_UNREACHABLE


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", None),
        ("  proxy.mairie.local:3128 ", "http://proxy.mairie.local:3128"),
        ("http://10.0.0.1:8080/", "http://10.0.0.1:8080"),
        ("https://proxy.cc-exemple.fr", "https://proxy.cc-exemple.fr:443"),
    ],
)
def test_proxy_addresses_are_normalised(typed: str, expected: str | None) -> None:
    assert check_proxy_url(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("http://agent:secret@proxy.mairie.local:3128", "sans identifiant ni mot de passe"),
        ("proxy.mairie.local:port", "n'est pas une adresse de proxy"),
        ("ftp://proxy.mairie.local:21", "n'est pas une adresse de proxy"),
        ("proxy.mairie.local:3128/chemin", "n'est pas une adresse de proxy"),
        ("proxy.mairie.local:3128?x=1", "ni « ? » ni « # »"),
    ],
    ids=["identifiant", "port", "schema", "chemin", "requete"],
)
def test_bad_proxy_addresses_are_refused_in_french(typed: str, expected: str) -> None:
    with pytest.raises(BadProxy) as caught:
        check_proxy_url(typed)
    assert expected in caught.value.message
    assert "secret" not in caught.value.message
