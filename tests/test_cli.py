"""The headless command line, end to end in real subprocesses."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.cli import command_name, main, window_only
from app.edition import Edition
from app.interchange import to_document
from app.model import DossierData
from app.workspace import Workspace
from sync import dossier_format
from tests.conftest import ROOT, run_cli
from tests.factories import action, commune_profile, complete_dossier, dump_store, fixed_clock

COPY_KEYS = ("exported_at", "generator", "state", "revision")
SHA_RE = re.compile(r"Empreinte SHA-256\u00a0: ([0-9a-f]{64})$", re.MULTILINE)


def dossier(edition: Edition, n: int = 3, **changes: Any) -> DossierData:
    """A complete dossier whose check does not depend on the real date the CLI reads."""
    actions = tuple(action(edition, i, start_date=date(2020, 1, 1)) for i in range(n))
    return complete_dossier(edition, **{"actions": actions, **changes})


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def prepare(path: Path, data: DossierData) -> Path:
    with Workspace.open(path, clock=fixed_clock) as ws:
        ws.import_document(to_document(data))
    return path


def run_parallel(*commands: list[str] | tuple[str, ...]) -> list[subprocess.CompletedProcess[str]]:
    """Run independent commands at the same time (each is a real process; threads only wait for them)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: run_cli(*args), commands))


def ok(result: subprocess.CompletedProcess[str], code: int = 0) -> subprocess.CompletedProcess[str]:
    assert "Traceback" not in result.stderr
    assert result.returncode == code, (result.stdout, result.stderr)
    return result


def refused(result: subprocess.CompletedProcess[str], *words: str, lines: int = 1) -> str:
    """Exit 2, a French sentence on stderr (no traceback), nothing on stdout."""
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("arobase : ")
    assert len(result.stderr.strip().splitlines()) == lines, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


# ---------------------------------------------------------------------- the normal path


def test_import_status_check_validate_export(tmp_path: Path, edition: Edition) -> None:
    db = tmp_path / "mairie.sqlite"
    doc = to_document(dossier(edition))
    source = write_json(tmp_path / "dossier.json", doc)

    out = ok(run_cli("import", str(source), "--db", str(db))).stdout
    assert out == "Dossier 2019 importé : 3 actions. Révision 1, à l'état brouillon.\n"

    status, status_json, check, check_json = run_parallel(
        ("--db", str(db), "status"),
        ("status", "--json", "--db", str(db)),
        ("check", "--db", str(db)),
        ("check", "--json", "--db", str(db)),
    )
    text = ok(status).stdout
    assert f"Fichier      : {db}" in text
    assert "Collectivité : Saint-Aubin-des-Landes (commune, INSEE 35248, département 35, 1\u202f047 habitants)" in text
    assert "Édition      : 2019 — " in text
    assert "État         : brouillon, révision 1" in text
    assert "Actions      : 3" in text
    assert "Couverture   : 3 / 138 services" in text
    assert "  Démocratie & services publics : 3 / 38" in text
    assert "Problèmes    : 0 bloquant, 0 conseil" in text
    assert "Empreinte" not in text

    st = json.loads(ok(status_json).stdout)
    assert st["collectivity"] == {
        "name": "Saint-Aubin-des-Landes",
        "kind": "commune",
        "code": "35248",
        "departement": "35",
        "population": 1047,
    }
    assert (st["db"], st["edition"], st["state"], st["revision"]) == (str(db), "2019", "brouillon", 1)
    assert (st["actions"], st["covered"], st["services"], st["blocking"], st["warnings"]) == (3, 3, 138, 0, 0)
    assert st["sha256"] is None
    assert st["themes"] == {
        "democratie": {"covered": 3, "services": 38},
        "vivre-ensemble": {"covered": 0, "services": 31},
        "connaissances": {"covered": 0, "services": 34},
        "richesses": {"covered": 0, "services": 35},
    }

    assert ok(check).stdout == "Dossier 2019 : aucun problème, il peut être validé.\n"
    assert json.loads(ok(check_json).stdout) == []

    out = ok(run_cli("validate", "--db", str(db))).stdout
    assert out.startswith("Dossier 2019 validé, révision 1.\n")
    match = SHA_RE.search(out)
    assert match
    sha = match[1]
    with Workspace.open(db, clock=fixed_clock) as ws:
        assert [s.sha256 for s in ws.snapshots("2019")] == [sha]
        assert dossier_format.snapshot_hash(ws.export_document("2019")) == sha

    before = dump_store(db)
    target = tmp_path / "sortie" / "export.json"
    status, status_json, again, export, piped = run_parallel(
        ("status", "--db", str(db)),
        ("status", "--json", "--db", str(db)),
        ("validate", "--db", str(db)),
        ("export", "--db", str(db), "--out", str(target)),
        ("export", "--out", "-", "--db", str(db)),
    )
    text = ok(status).stdout
    assert "État         : validé, révision 1" in text
    assert f"Empreinte    : {sha}" in text
    assert json.loads(ok(status_json).stdout)["sha256"] == sha

    refused(again, "déjà validé", "révision 1", "nouvelle révision")
    assert dump_store(db) == before

    out = ok(export).stdout
    assert out == f"Dossier 2019 exporté dans {target} (3 actions).\n"
    exported = json.loads(target.read_text(encoding="utf-8"))
    strip = {k: v for k, v in doc.items() if k not in COPY_KEYS}
    assert {k: v for k, v in exported.items() if k not in COPY_KEYS} == strip
    assert (exported["state"], exported["revision"], exported["generator"]) == ("valide", 1, "Arobase 0.1.0")
    assert dossier_format.snapshot_hash(exported) == sha

    piped = json.loads(ok(piped).stdout)
    assert {k: v for k, v in piped.items() if k not in COPY_KEYS} == strip

    # Importing the export again gives the same dossier, as a new draft revision.
    out = ok(run_cli("import", str(target), "--db", str(db))).stdout
    assert out == (
        "Dossier 2019 importé : 3 actions ; 3 actions précédentes remplacées. "
        "Révision 2 (nouvelle révision), à l'état brouillon.\n"
    )
    assert dump_store(db)["snapshot"] == before["snapshot"]


def test_check_and_validate_with_blocking_problems(tmp_path: Path, edition: Edition) -> None:
    data = dossier(edition, 2)
    data = complete_dossier(
        edition,
        profile=commune_profile(referent_email=""),
        actions=(data.actions[0].updated(services=()), data.actions[1].updated(level="projet")),
    )
    db = prepare(tmp_path / "incomplet.sqlite", data)
    uuid0 = data.actions[0].uuid

    check, check_json, status_json = run_parallel(
        ("check", "--db", str(db)), ("check", "--json", "--db", str(db)), ("status", "--json", "--db", str(db))
    )
    lines = ok(check, code=1).stdout.splitlines()
    assert lines[0] == "BLOQUANT  profile.referent_email  Le courriel du référent n'est pas renseigné."
    assert lines[1].startswith(f"BLOQUANT  action:{uuid0}.services  L'action « Atelier numérique n° 1 » n'est liée")
    assert lines[2].startswith(f"conseil   action:{data.actions[1].uuid}.level  ")
    assert lines[-1] == "2 problèmes bloquants, 1 conseil."

    problems = json.loads(ok(check_json, code=1).stdout)
    assert [(p["code"], p["blocking"]) for p in problems] == [
        ("referent_email", True),
        ("action_services", True),
        ("action_not_started", False),
    ]
    st = json.loads(ok(status_json).stdout)
    assert (st["blocking"], st["warnings"], st["state"]) == (2, 1, "brouillon")

    before = dump_store(db)
    result = ok(run_cli("validate", "--db", str(db)), code=1)
    assert result.stdout == ""
    assert result.stderr.startswith("arobase : Le dossier ne peut pas être validé, 2 problèmes à régler :")
    assert "courriel du référent" in result.stderr and "n'est liée à aucun service" in result.stderr
    assert dump_store(db) == before


# ---------------------------------------------------------------------- where the store is


@pytest.fixture
def two_stores(tmp_path: Path, edition: Edition) -> tuple[Path, Path]:
    a = prepare(tmp_path / "a.sqlite", dossier(edition, 1))
    b = prepare(tmp_path / "b.sqlite", dossier(edition, 2, profile=commune_profile(name="Vitré", code="35360")))
    return a, b


def _name(result: subprocess.CompletedProcess[str]) -> tuple[str, int]:
    st = json.loads(ok(result).stdout)
    return st["collectivity"]["name"], st["actions"]


def test_db_before_or_after_the_subcommand(two_stores: tuple[Path, Path]) -> None:
    a, b = two_stores
    first, second, both = run_parallel(
        ("--db", str(a), "status", "--json"),
        ("status", "--json", "--db", str(b)),
        ("--db", str(a), "status", "--db", str(b), "--json"),
    )
    assert _name(first) == ("Saint-Aubin-des-Landes", 1)
    assert _name(second) == ("Vitré", 2)
    assert _name(both) == ("Vitré", 2)


def test_environment_variable_and_precedence(two_stores: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = two_stores
    assert _name(run_cli("status", "--json", env={"AROBASE_DB": str(b)})) == ("Vitré", 2)
    assert _name(run_cli("status", "--json", "--db", str(a), env={"AROBASE_DB": str(b)})) == (
        "Saint-Aubin-des-Landes",
        1,
    )
    # Neither: the default store in the (isolated) user data folder, created empty.
    st = json.loads(ok(run_cli("status", "--json")).stdout)
    assert st["db"] == str(Path(os.environ["XDG_DATA_HOME"]) / "Arobase" / "arobase.sqlite")
    assert (st["state"], st["actions"]) == (None, 0)


def test_edition_option(two_stores: tuple[Path, Path], tmp_path: Path) -> None:
    a, _ = two_stores
    st = json.loads(ok(run_cli("status", "--json", "--edition", "2019", "--db", str(a))).stdout)
    assert (st["edition"], st["actions"]) == ("2019", 1)
    before = dump_store(a)
    out = tmp_path / "x.json"
    status, export, check, to_folder = run_parallel(
        ("status", "--edition", "2099", "--db", str(a)),
        ("export", "--edition", "2099", "--out", str(out), "--db", str(a)),
        ("check", "--edition", "2099", "--db", str(a)),
        ("export", "--out", str(tmp_path), "--db", str(a)),
    )
    refused(status, "« 2099 »", "inconnue", "2019")
    refused(export, "« 2099 »")
    refused(check, "« 2099 »")
    refused(to_folder, "Impossible d'écrire", str(tmp_path))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
    assert not out.exists()
    assert dump_store(a) == before


def test_commands_on_a_store_without_dossier(tmp_path: Path) -> None:
    db = tmp_path / "vide.sqlite"
    out = tmp_path / "x.json"
    refused(run_cli("export", "--out", str(out), "--db", str(db)), "ne contient pas de dossier", "2019")
    refused(run_cli("validate", "--db", str(db)), "pas encore de dossier")
    assert not out.exists()
    assert "Dossier      : pas encore commencé" in ok(run_cli("status", "--db", str(db))).stdout


# ---------------------------------------------------------------------- bad input


@pytest.fixture
def store(tmp_path: Path, edition: Edition) -> Iterator[Path]:
    db = prepare(tmp_path / "mairie.sqlite", dossier(edition, 2))
    before = dump_store(db)
    yield db
    assert dump_store(db) == before, "a refused command changed the store"


def _doc(ed: Edition, **top: Any) -> dict[str, Any]:
    return {**to_document(dossier(ed, 1)), **top}


def _without(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != key}


def _bad_service(edition: Edition) -> dict[str, Any]:
    doc = _doc(edition)
    doc["actions"][0]["services"] = ["identite-01", "identite-99"]
    return doc


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp, ed: tmp / "absent.json", ["absent.json", "n'existe pas"]),
        (lambda tmp, ed: tmp, ["est un dossier", ".json"]),
        (lambda tmp, ed: _raw(tmp / "d.json", b'{"format": '), ["n'est pas du JSON valide", "ligne 1"]),
        (lambda tmp, ed: _raw(tmp / "d.json", b"\xff\xfe\x00garbage"), ["UTF-8"]),
        (lambda tmp, ed: write_json(tmp / "d.json", [1, 2]), ["Dossier invalide", "objet JSON attendu"]),
        (lambda tmp, ed: write_json(tmp / "d.json", {"edition": "2019"}), ["Dossier invalide", "« format »"]),
        (lambda tmp, ed: write_json(tmp / "d.json", {"bonjour": 1}), ["pas un dossier Arobase", "« format »"]),
        (lambda tmp, ed: write_json(tmp / "d.json", _without(to_document(dossier(ed, 1)), "edition")), ["« edition »"]),
        (lambda tmp, ed: write_json(tmp / "d.json", _doc(ed, edition="2099")), ["« 2099 »", "inconnue"]),
        (lambda tmp, ed: write_json(tmp / "d.json", _bad_service(ed)), ["« identite-99 »", "service inconnu"]),
        (lambda tmp, ed: write_json(tmp / "d.json", _doc(ed, signature="x")), ["« signature »"]),
        (
            lambda tmp, ed: write_json(
                tmp / "d.json", to_document(dossier(ed, 1, profile=commune_profile(code="35360")))
            ),
            ["(code 35360)", "(code 35248)", "--db"],
        ),
    ],
    ids=[
        "missing-file",
        "directory",
        "invalid-json",
        "not-utf8",
        "json-array",
        "no-format",
        "not-a-dossier-object",
        "no-edition",
        "unknown-edition",
        "unknown-service",
        "extra-field",
        "other-collectivity",
    ],
)
def test_bad_import_refused_and_store_unchanged(
    store: Path, tmp_path: Path, edition: Edition, make: Any, words: list[str]
) -> None:
    source = make(tmp_path, edition)
    refused(run_cli("import", str(source), "--db", str(store)), *words)


def _raw(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]"], ids=["empty", "garbage", "array"])
def test_unreadable_file_never_creates_a_store(tmp_path: Path, content: bytes) -> None:
    source = _raw(tmp_path / "d.json", content)
    db = tmp_path / "nouveau" / "neuf.sqlite"
    result = run_cli("import", str(source), "--db", str(db))
    refused(result)
    assert not db.exists()  # the whole document is checked before the store is opened or created


def test_garbage_store_is_refused_and_left_alone(tmp_path: Path, edition: Edition) -> None:
    db = _raw(tmp_path / "abime.sqlite", b"PK\x03\x04 ceci est un zip, pas une base" * 100)
    source = write_json(tmp_path / "d.json", to_document(dossier(edition, 1)))
    commands = (("import", str(source)), ("status",), ("validate",), ("export", "--out", str(tmp_path / "o.json")))
    for result in run_parallel(*((*args, "--db", str(db)) for args in commands)):
        refused(result, "n'est pas une base Arobase")
    assert db.read_bytes() == b"PK\x03\x04 ceci est un zip, pas une base" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["abime.sqlite", "d.json"]


def test_store_path_is_a_directory(tmp_path: Path) -> None:
    refused(run_cli("status", "--db", str(tmp_path)), "est un dossier", ".sqlite")


def test_locked_store(store: Path, tmp_path: Path, edition: Edition) -> None:
    source = write_json(tmp_path / "d.json", to_document(dossier(edition, 1)))
    lock = sqlite3.connect(store, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")
        result = run_cli("import", str(source), "--db", str(store), env={"AROBASE_BUSY_TIMEOUT_MS": "300"})
        refused(result, "utilisé par un autre programme", str(store))
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    # `store` checks on teardown that nothing changed; once released the import goes through.
    with Workspace.open(store, clock=fixed_clock) as ws:
        assert len(ws.load("2019").actions) == 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["frobnicate"], ["commande inconnue « frobnicate »", "import, export, check, validate, status"]),
        (["import"], ["argument obligatoire manquant : FICHIER"]),
        (["export"], ["argument obligatoire manquant : --out"]),
        (["status", "--bavard"], ["argument non reconnu : --bavard"]),
        (["--db"], ["l'option --db attend une valeur"]),
    ],
    ids=["unknown-command", "missing-file", "missing-out", "unknown-option", "db-without-value"],
)
def test_bad_command_line(store: Path, args: list[str], words: list[str]) -> None:
    stderr = refused(run_cli(*args, env={"AROBASE_DB": str(store)}), *words, lines=2)
    assert stderr.endswith("Aide : arobase --help\n")


def test_without_subcommand_no_window_here(store: Path) -> None:
    refused(run_cli("--db", str(store)), "fenêtre")


@pytest.mark.parametrize(
    ("argv", "only", "logged"),
    [
        ([], True, "fenêtre"),
        (["--db", "mairie.sqlite"], True, "fenêtre"),
        (["--db=mairie.sqlite"], True, "fenêtre"),
        (["--db", "--version"], False, "--version"),  # argparse's answer, not a file called --version
        (["--db", "mairie.sqlite", "status"], False, "status"),
        (["status"], False, "status"),
        (["--db", "mairie.sqlite", "send"], False, "send"),  # the sync group's commands too
        (["login", "--server", "https://depot.example"], False, "login"),
        (["--db"], False, "fenêtre"),  # argparse says the value is missing
    ],
)
def test_a_window_start_skips_the_parser_only_when_nothing_else_is_asked(
    argv: list[str], only: bool, logged: str
) -> None:
    assert window_only(argv) is only
    assert command_name(argv) == logged


def test_the_window_gets_the_file_given_either_way(tmp_path: Path) -> None:
    opened: list[Path] = []
    for argv in (["--db", str(tmp_path / "a.sqlite")], [f"--db={tmp_path / 'b.sqlite'}"], []):
        assert main(argv, open_window=lambda p: opened.append(p) or 0, environ={"AROBASE_DB": "c.sqlite"}) == 0
    assert opened == [tmp_path / "a.sqlite", tmp_path / "b.sqlite", Path("c.sqlite")]


def test_installed_console_script(store: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "arobase"
    assert script.exists()
    result = subprocess.run(
        [str(script), "status", "--json", "--db", str(store)], capture_output=True, text=True, timeout=60
    )
    assert json.loads(ok(result).stdout)["actions"] == 2
    result = subprocess.run([str(script), "valider"], capture_output=True, text=True, timeout=60)
    refused(result, "commande inconnue « valider »", lines=2)


def test_console_that_cannot_show_every_character(tmp_path: Path, edition: Edition) -> None:
    """A Windows pipe is cp1252: the export stays UTF-8 and the status replaces what it cannot show."""
    name = "Mairie 👍🏽 d'Ève – مرحبا"
    db = prepare(tmp_path / "s.sqlite", dossier(edition, 1, profile=commune_profile(name=name)))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "cp1252"}

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args, "--db", str(db)],
            capture_output=True,
            env=env,
            timeout=60,
            cwd=ROOT,
        )

    export, status = run("export", "--out", "-"), run("status")
    assert (export.returncode, export.stderr) == (0, b"")
    assert json.loads(export.stdout.decode("utf-8"))["collectivity"]["name"] == name
    assert (status.returncode, status.stderr) == (0, b"")
    assert "Collectivité : Mairie ?? d'Ève – ?????" in status.stdout.decode("cp1252")  # the name as typed
