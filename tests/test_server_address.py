"""The association's server address: read from resources/server.json, checked before it is kept."""

from __future__ import annotations

import json

from app.server_address import server_url_problem, shipped_server_url
from tests.conftest import ROOT


def test_the_shipped_address_is_the_data_file_s() -> None:
    data = json.loads((ROOT / "resources" / "server.json").read_text(encoding="utf-8"))
    assert shipped_server_url() == data["url"]
    assert server_url_problem(shipped_server_url()) == ""


def test_only_an_https_address_is_accepted_except_on_this_computer() -> None:
    for wrong in ("depot.villes-internet.net", "http://depot.villes-internet.net", "https://", "https://a b.fr", ""):
        assert "https://" in server_url_problem(wrong), wrong
    for right in (
        "https://depot.villes-internet.net",
        "https://depot.villes-internet.net/api/",
        "http://127.0.0.1:8765",
    ):
        assert server_url_problem(right) == "", right
