"""The /depot page against the real server process: a town hall without network signs in with an activation
code, drops the .arobase bundle written by the real app, gets back the receipt file that ``import_receipt``
takes; exactly once with the API; tampered, foreign and oversized bundles refused in French."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest
import requests

from app.bundle import export_bundle, import_receipt, read_bundle
from app.network import api_for
from app.sending import send_pending
from tests.factories import rewrite_zip
from tests.faultproxy import FaultProxy
from tests.server.conftest import ServerProcess, fill, new_code, wait_for
from tests.sync.conftest import Town, make_town, memory_keyring  # noqa: F401 (a fixture)
from tests.sync.test_send import submissions_for

HOSTILE_NAME = "<b>Mairie</b> & « fils »"


@pytest.fixture
def town(server: ServerProcess, tmp_path: Path, memory_keyring: None) -> Iterator[Town]:  # noqa: F811
    """A town hall whose validated dossier (three attachments) waits, signed in on its own computer."""
    with FaultProxy(server.port) as proxy:
        t = make_town(server, tmp_path, proxy, name=HOSTILE_NAME)
        yield t
        t.ws.close()


def _shown(page: requests.Response) -> str:
    """The page's text as the browser shows it (entities decoded)."""
    return html.unescape(page.text)


def _csrf(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def _sign_in(server: ServerProcess, code: str, http: requests.Session | None = None) -> requests.Session:
    http = http or requests.Session()
    form = http.get(f"{server.url}/depot", timeout=30)
    answer = http.post(f"{server.url}/depot/connexion", data={"code": code, "csrf_token": _csrf(form)}, timeout=30)
    http.last = answer  # type: ignore[attr-defined]
    return http


def _drop(http: requests.Session, server: ServerProcess, path: Path, token: str | None = None) -> requests.Response:
    token = token or _csrf(http.get(f"{server.url}/depot", timeout=30))
    with path.open("rb") as f:
        return http.post(
            f"{server.url}/depot/envoi", data={"csrf_token": token},
            files={"fichier": (path.name, f, "application/octet-stream")}, timeout=60,
        )  # fmt: skip


def _receipt_file(http: requests.Session, server: ServerProcess, page: requests.Response) -> requests.Response:
    link = re.search(r'id="telecharger" href="([^"]+)"', page.text)
    assert link, page.text
    return http.get(f"{server.url}{link.group(1)}", timeout=30)


def test_sign_in_spends_the_code_in_a_strict_cookie_and_sign_out_revokes(server: ServerProcess) -> None:
    code = new_code()
    activation = server.activation_code(code, HOSTILE_NAME)
    wrong = _sign_in(server, "AAAA-BBBB-CCCC-DDDD-EEEE").last  # type: ignore[attr-defined]
    assert wrong.status_code == 401 and "Code d'activation inconnu" in _shown(wrong)
    forged = requests.post(f"{server.url}/depot/connexion", data={"code": activation, "csrf_token": "x"}, timeout=30)
    assert forged.status_code == 403 and "jeton anti-falsification" in _shown(forged)

    http = _sign_in(server, activation)
    signed_in = http.last  # type: ignore[attr-defined]
    assert signed_in.status_code == 200 and "Déposer le fichier de l'envoi" in _shown(signed_in)
    assert "&lt;b&gt;Mairie&lt;/b&gt; &amp; « fils »" in signed_in.text and "<b>Mairie" not in signed_in.text
    cookie = signed_in.history[0].headers["set-cookie"].lower()
    assert "arobase_depot=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "path=/depot" in cookie and "secure" not in cookie  # plain http is only for loopback
    assert _sign_in(server, activation).last.status_code == 401  # type: ignore[attr-defined]  # single use

    behind_a_proxy = requests.get(f"{server.url}/depot", headers={"Host": "arobase.example.org"}, timeout=30)
    assert "secure" in behind_a_proxy.headers["set-cookie"].lower()  # any name but loopback: Secure

    token = _csrf(http.get(f"{server.url}/depot", timeout=30))
    assert http.post(f"{server.url}/depot/deconnexion", data={"csrf_token": "x"}, timeout=30).status_code == 403
    out = http.post(f"{server.url}/depot/deconnexion", data={"csrf_token": token}, timeout=30)
    assert "Code d'activation de votre collectivité" in _shown(out)
    expired = _drop(http, server, Path(__file__))  # signed out: not parsed, told to sign in again
    assert "Votre connexion a pris fin" in _shown(expired)
    sql = "SELECT count(*) FROM devices d JOIN collectivities c ON c.id = d.collectivity_id WHERE c.code = :code"
    assert server.count(sql + " AND d.revoked_at IS NOT NULL", code=code) == 1


@pytest.mark.parametrize("strict_server", ["sqlite"], indirect=True)  # the counters on PostgreSQL: test_rate_limits
def test_failed_sign_ins_are_limited_per_address(strict_server: ServerProcess) -> None:
    """The API's limits (3 failures per address on this server), through the same enrolment code."""
    http = requests.Session()
    http.headers["X-Forwarded-For"] = "203.0.113.50"  # uvicorn trusts it from 127.0.0.1 (a local reverse proxy)
    good = strict_server.activation_code(new_code(), "Essai")
    for _ in range(3):
        assert _sign_in(strict_server, "AAAA-BBBB-CCCC-DDDD-EEEE", http).last.status_code == 401  # type: ignore[attr-defined]
    limited = _sign_in(strict_server, good, http).last  # type: ignore[attr-defined]
    assert limited.status_code == 429 and "Trop de tentatives" in _shown(limited) and limited.headers["Retry-After"]
    assert _csrf(limited)  # the form is there to try again later


def test_drop_gives_the_receipt_file_import_takes_exactly_once_with_the_api(
    server: ServerProcess, town: Town, tmp_path: Path
) -> None:
    bundle = export_bundle(town.ws, "2019", tmp_path / "envoi.arobase")
    http = _sign_in(server, server.activation_code(town.code, HOSTILE_NAME))
    assert _drop(http, server, bundle, token="faux").status_code == 403
    assert submissions_for(server, town.code) == 0

    first = _drop(http, server, bundle)
    assert first.status_code == 200 and "L'association a reçu l'envoi" in _shown(first), _shown(first)
    receipt_file = _receipt_file(http, server, first)
    number = json.loads(receipt_file.content)["receipt_number"]
    assert receipt_file.headers["content-disposition"] == f'attachment; filename="accuse-{number}.json"'
    again = _drop(http, server, bundle)
    assert "avait déjà été reçu" in _shown(again) and _receipt_file(http, server, again).content == receipt_file.content
    assert submissions_for(server, town.code) == 1
    listed = http.get(f"{server.url}/depot", timeout=30)  # lost the file? the page lists the receipts given
    assert f'">{number}</a>' in listed.text

    (tmp_path / "accuse.json").write_bytes(receipt_file.content)
    assert import_receipt(town.ws, town.account, tmp_path / "accuse.json") == number
    assert town.ws.status("2019").summary.state == "recu"
    api = api_for(town.settings, town.session(), town.secrets, town.account)
    assert api.submit(read_bundle(bundle).body) == json.loads(receipt_file.content)  # the API: the same receipt
    assert submissions_for(server, town.code) == 1


def _flip_piece(items: dict[str, bytes]) -> None:
    name = next(n for n in items if n.startswith("pieces/"))
    items[name] = b"X" + items[name][1:]


def _pad_body(items: dict[str, bytes]) -> None:
    items["envoi.json"] += b" " * (3 * 1024 * 1024)  # 3 MB of spaces, a few KB compressed


def test_tampered_foreign_and_oversized_bundles_are_refused(server: ServerProcess, town: Town, tmp_path: Path) -> None:
    bundle = export_bundle(town.ws, "2019", tmp_path / "envoi.arobase")
    http = _sign_in(server, server.activation_code(town.code, HOSTILE_NAME))
    rewrite_zip(bundle, tmp_path / "modifie.arobase", _flip_piece)
    tampered = _drop(http, server, tmp_path / "modifie.arobase")
    assert tampered.status_code == 422 and re.search(r"pieces/[0-9a-f]{64}\u00a0» ne correspond pas", _shown(tampered))
    rewrite_zip(bundle, tmp_path / "gros.arobase", _pad_body)
    padded = _drop(http, server, tmp_path / "gros.arobase")
    assert padded.status_code == 413 and "envoi.json" in _shown(padded) and "trop volumineux" in _shown(padded)

    other_code = new_code()
    other = _sign_in(server, server.activation_code(other_code, "Autre commune"))
    foreign = _drop(other, server, bundle)
    assert foreign.status_code == 403 and f"l'envoi de la collectivité {town.code}" in _shown(foreign)
    assert submissions_for(server, town.code) == 0
    files = "SELECT count(*) FROM account_files f JOIN collectivities c ON c.id = f.collectivity_id WHERE c.code = :c"
    assert server.count(files, c=other_code) == 0  # refused before any piece is kept

    # Over the size of any bundle, refused from the declared length, before a byte of the body is read.
    conn = HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/depot/envoi")
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(10**10))
    conn.endheaders()
    answer = conn.getresponse()
    assert answer.status == 413 and "Fichier trop volumineux" in answer.read().decode("utf-8")
    conn.close()


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)  # the same pages whatever the database
def test_in_a_browser_sign_in_drop_and_download_the_receipt(
    browser, server: ServerProcess, town: Town, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    bundle = export_bundle(town.ws, "2019", tmp_path / "envoi.arobase")
    driver = browser
    driver.get(f"{server.url}/depot")
    fill(driver, "code", server.activation_code(town.code, HOSTILE_NAME))
    driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait_for(driver, lambda d: d.title.startswith("Déposer l'envoi"))
    assert HOSTILE_NAME in driver.find_element(By.TAG_NAME, "header").text
    driver.find_element(By.ID, "fichier").send_keys(str(bundle))
    driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait_for(driver, lambda d: d.title.startswith("Envoi reçu"))
    link = driver.find_element(By.ID, "telecharger")
    number = driver.find_element(By.TAG_NAME, "caption").text.rsplit(" ", 1)[-1]
    link.click()
    target = tmp_path / "telechargements" / f"accuse-{number}.json"
    deadline = time.monotonic() + 40
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.exists(), list((tmp_path / "telechargements").glob("*"))

    # The town hall's computer sends later: the same submission, nothing re-sent; the file still imports.
    report = send_pending(town.ws, town.account, town.settings, town.session(), town.secrets)
    assert report.all_sent and report.outcomes[0].receipt_number == number and report.wire_bytes == 0
    assert submissions_for(server, town.code) == 1
    assert import_receipt(town.ws, town.account, target) == number
