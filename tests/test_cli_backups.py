"""``arobase backups``, ``arobase restore`` and a damaged store, through the real command in a subprocess."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from app.edition import Edition
from localdb.backups import list_files
from tests.conftest import run_cli
from tests.factories import damage_middle_pages
from tests.test_cli import dossier, ok, prepare, refused


def names(store: Path) -> list[str]:
    return [b.path.name for b in list_files(store)]


def test_backups_lists_them_newest_first_and_restore_puts_one_back(tmp_path: Path, edition: Edition) -> None:
    store = prepare(tmp_path / "mairie.sqlite", dossier(edition, 3))
    empty = ok(run_cli("--db", str(store), "backups"))
    assert "Aucune sauvegarde" in empty.stdout

    ok(run_cli("--db", str(store), "status"))  # the first use of the day takes the day's backup
    ok(run_cli("--db", str(store), "validate"))  # and validating takes one just before
    [before_validation, daily] = names(store)
    assert before_validation.startswith("mairie.avant-validation-") and daily.startswith("mairie.quotidienne-")

    listing = ok(run_cli("backups", "--db", str(store))).stdout
    lines = listing.splitlines()
    assert lines[0].startswith(f"Sauvegardes de {store}, la plus récente d'abord")
    assert re.match(r"^  1\. \d\d/\d\d/\d{4} à \d\d:\d\d \(avant validation\)\u00a0— ", lines[1]), lines[1]
    assert "dossier 2019\u00a0: brouillon, révision 1, 3 actions" in lines[1]
    assert lines[2].strip() == before_validation
    assert lines[3].startswith("  2. ") and "(quotidienne)" in lines[3] and lines[4].strip() == daily
    assert lines[-1] == f"Pour en remettre une en place\u00a0: arobase --db {shlex.quote(str(store))} restore NUMÉRO"

    # By number: the state before validation comes back; the validated file is kept as a backup.
    restored = ok(run_cli("--db", str(store), "restore", "1")).stdout
    assert "a été remise en place" in restored and "avant-restauration" in restored
    assert '"state": "brouillon"' in ok(run_cli("--db", str(store), "status", "--json")).stdout
    # By name: the validated file (saved just before the restore) comes back in turn.
    [kept] = [n for n in names(store) if ".avant-restauration-" in n]
    ok(run_cli("--db", str(store), "restore", kept))
    assert '"state": "valide"' in ok(run_cli("--db", str(store), "status", "--json")).stdout


def test_restore_with_a_bad_argument_says_so_in_french(tmp_path: Path, edition: Edition) -> None:
    store = prepare(tmp_path / "mairie.sqlite", dossier(edition, 2))
    refused(run_cli("--db", str(store), "restore", "1"), "aucune sauvegarde")
    ok(run_cli("--db", str(store), "status"))
    before = store.read_bytes()
    for wrong in ("7", "0", "hier.sqlite"):
        refused(run_cli("--db", str(store), "restore", wrong), f"«\u00a0{wrong}\u00a0» introuvable", "de 1 à 1")
    refused(run_cli("--db", str(store), "restore"), "argument obligatoire manquant", "SAUVEGARDE", lines=2)
    assert store.read_bytes() == before
    assert len(names(store)) == 1


def test_a_damaged_store_names_the_backup_to_restore_and_the_command(tmp_path: Path, edition: Edition) -> None:
    store = prepare(tmp_path / "mairie de Saint-Aubin.sqlite", dossier(edition, 12))
    ok(run_cli("--db", str(store), "status"))  # the day's backup
    [backup] = names(store)
    damaged = damage_middle_pages(store)

    for command in ("status", "check", "export"):
        args = ["--db", str(store), command] + (["--out", str(tmp_path / "x.json")] if command == "export" else [])
        message = refused(run_cli(*args), "est endommagé", "ne l'a pas modifié", backup, "12 actions")
        assert store.read_bytes() == damaged
    command = message.split("Pour la restaurer\u00a0: ", 1)[1].strip()
    assert command == f"arobase --db {shlex.quote(str(store))} restore {shlex.quote(backup)}"
    assert names(store) == [backup]  # no backup is taken of a damaged file

    # The command given, as a secretary would paste it.
    args = shlex.split(command)[1:]
    restored = ok(run_cli(*args)).stdout
    [aside] = [p for p in tmp_path.iterdir() if ".endommage-" in p.name]
    assert aside.name in restored and aside.read_bytes() == damaged
    assert '"actions": 12' in ok(run_cli("--db", str(store), "status", "--json")).stdout


def test_a_damaged_store_without_backup_is_left_as_it_is(tmp_path: Path, edition: Edition) -> None:
    store = prepare(tmp_path / "mairie.sqlite", dossier(edition, 12))
    damaged = damage_middle_pages(store)
    message = refused(run_cli("--db", str(store), "status"), "est endommagé", "Aucune sauvegarde en bon état")
    assert "restore" not in message
    assert store.read_bytes() == damaged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mairie.sqlite"]  # never a new empty store
