"""``arobase-server`` in a subprocess: French messages, exit 2 on bad input, the code alone on the last line, export."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.server.conftest import Device, ServerProcess


def _run(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AROBASE_SERVER_DATA": str(data)}
    env.pop("AROBASE_SERVER_DATABASE_URL", None)
    env.pop("AROBASE_SERVER_BLOBS", None)
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
    )


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli")
    assert _run("init", data=data).returncode == 0
    return data


def test_init_then_add_collectivity_prints_the_code_alone_on_the_last_line(tmp_path: Path) -> None:
    init = _run("init", data=tmp_path)
    assert init.returncode == 0, init.stderr
    assert "Édition 2019 publiée" in init.stdout
    assert (tmp_path / "cle-signature-ed25519.pem").stat().st_mode & 0o077 == 0  # owner only
    again = _run("init", data=tmp_path)  # idempotent
    assert again.returncode == 0 and "déjà à jour" in again.stdout
    added = _run("add-collectivity", "--code", "35248", "--name", "Saint-Aubin", "--email", "m@x.fr", data=tmp_path)
    assert added.returncode == 0, added.stderr
    code = added.stdout.splitlines()[-1]
    assert len(code.replace("-", "")) == 20 and code == code.strip()
    staff = _run("add-staff", "--email", "Equipe@Villes-Internet.example", data=tmp_path)
    assert staff.returncode == 0 and len(staff.stdout.splitlines()[-1]) >= 20


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("bogus",), "commande inconnue «\u00a0bogus\u00a0»"),
        (("add-collectivity", "--code", "35248"), "argument obligatoire manquant"),
        (("add-collectivity", "--code", "12", "--name", "X", "--email", "a@b.fr"), "ni un code INSEE"),
        (("add-collectivity", "--code", "35248", "--name", "X", "--email", "pas-un-courriel"), "adresse électronique"),
        (("serve", "--port", "abc"), "attend un nombre entier"),
        (("serve", "--port", "70000"), "port 70000 impossible"),
        (("revoke-device", "inconnu"), "aucun appareil"),
        (("publish-edition", "absent.json"), "n'existe pas"),
        (("export", "--edition", "1999", "--out", "x"), "aucune édition «\u00a01999\u00a0»"),
    ],
)
def test_bad_input_exits_2_with_one_french_line(initialised: Path, args: tuple[str, ...], words: str) -> None:
    result = _run(*args, data=initialised)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_before_init_say_to_run_init(tmp_path: Path) -> None:
    result = _run("add-collectivity", "--code", "35248", "--name", "X", "--email", "a@b.fr", data=tmp_path)
    assert result.returncode == 2
    assert "arobase-server init" in result.stderr


def test_publish_edition_checks_the_schema(initialised: Path, tmp_path: Path) -> None:
    edition = json.loads((ROOT / "resources" / "questionnaires" / "2019.json").read_text(encoding="utf-8"))
    broken = tmp_path / "cassee.json"
    broken.write_text(json.dumps({**edition, "levels": "aucun"}), encoding="utf-8")
    result = _run("publish-edition", str(broken), data=initialised)
    assert result.returncode == 2 and "levels" in result.stderr
    new = tmp_path / "2020.json"
    new.write_text(json.dumps({**edition, "edition": "2020", "closes": "2020-12-31"}), encoding="utf-8")
    ok = _run("publish-edition", str(new), data=initialised)
    assert ok.returncode == 0 and "Édition 2020 publiée" in ok.stdout


def test_export_writes_the_latest_dossiers_attachments_and_a_summary(
    tmp_path: Path, server: ServerProcess, device: Device
) -> None:
    photo = os.urandom(5000)
    device.upload(photo)
    dossier = device.dossier()
    sha = hashlib.sha256(photo).hexdigest()
    dossier["actions"][0]["attachments"] = [
        {"sha256": sha, "size": 5000, "media_type": "image/jpeg", "name": "é t.jpg"}
    ]
    first = device.submission(device.dossier())
    assert device.submit(first).status_code == 201
    latest = device.submission(dossier | {"revision": 2}, replaces=first["submission_uuid"])
    assert device.submit(latest).status_code == 201, latest
    out = tmp_path / "jury"
    result = server.cli("export", "--edition", "2019", "--out", str(out))
    assert "exporté" in result.stdout
    (folder,) = [p for p in out.iterdir() if p.name.startswith(device.code)]
    assert json.loads((folder / "dossier.json").read_text(encoding="utf-8"))["revision"] == 2
    (piece,) = (folder / "pieces-jointes").iterdir()
    assert piece.read_bytes() == photo
    with (out / "synthese-2019.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f, delimiter=";") if r[0] == device.code]
    assert len(rows) == 1 and rows[0][3] == "2"
