"""Editions with ETags: a slow line downloads each edition once."""

from __future__ import annotations

import hashlib
import json

import httpx

from tests.conftest import ROOT
from tests.server.conftest import ServerProcess


def test_the_list_and_each_edition_answer_304_when_unchanged(server: ServerProcess) -> None:
    listed = httpx.get(f"{server.url}/api/v1/editions")
    assert listed.status_code == 200
    (item,) = [e for e in listed.json() if e["id"] == "2019"]
    etag = listed.headers["ETag"]
    assert httpx.get(f"{server.url}/api/v1/editions", headers={"If-None-Match": etag}).status_code == 304
    edition = httpx.get(f"{server.url}/api/v1/editions/2019")
    assert edition.status_code == 200
    assert hashlib.sha256(edition.content).hexdigest() == item["sha256"]
    assert edition.headers["ETag"] == f'"{item["sha256"]}"'
    shipped = json.loads((ROOT / "resources" / "questionnaires" / "2019.json").read_text(encoding="utf-8"))
    assert edition.json() == shipped
    again = httpx.get(f"{server.url}/api/v1/editions/2019", headers={"If-None-Match": edition.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(f"{server.url}/api/v1/editions/2019", headers={"If-None-Match": '"autre"'}).status_code == 200


def test_an_unknown_edition_is_a_french_404(server: ServerProcess) -> None:
    answer = httpx.get(f"{server.url}/api/v1/editions/1999")
    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert "1999" in answer.json()["detail"]
