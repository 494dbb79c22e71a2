"""TLS: a certificate from an unknown authority, an expired one and one for another host are each refused
with their French sentence; the right CA is accepted. A tiny HTTPS server answers the preflight."""

from __future__ import annotations

import datetime
import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from sync.client import Api, new_session
from sync.errors import TlsRefused

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
