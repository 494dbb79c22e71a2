"""Start-up on a really damaged store (pages overwritten in the middle): the question offering the latest
good backup, the restore that keeps the damaged file beside, and never a new empty store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.interchange import to_document
from app.workspace import Workspace
from localdb.backups import list_files
from tests.factories import complete_dossier, damage_middle_pages, fixed_clock
from ui.application import EXIT_INPUT, EXIT_OK, QUIT_AFTER_ENV, RESTORE_QUESTION, run


def damaged_store(path: Path, catalog: EditionCatalog, edition: Edition, *, with_backup: bool) -> bytes:
    with Workspace.open(path, catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(complete_dossier(edition, 12)))
    if with_backup:
        Workspace.open(path, catalog, clock=fixed_clock).close()  # the day's backup
    return damage_middle_pages(path)


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_the_latest_good_backup_is_offered_and_restored_beside_the_damaged_file(
    qtbot: QtBot, store_path: Path, tmp_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    damaged = damaged_store(store_path, catalog, edition, with_backup=True)
    [backup] = list_files(store_path)
    questions: list[str] = []
    errors: list[str] = []

    def ask(text: str) -> bool:
        questions.append(text)
        return True

    log = tmp_path / "e.log"
    code = run(store_path, show_error=errors.append, ask=ask, environ={QUIT_AFTER_ENV: "50"}, log_path=log)

    assert code == EXIT_OK and errors == []
    [question] = questions
    assert question.startswith(f"Le fichier {store_path} est endommagé") and question.endswith(RESTORE_QUESTION)
    assert "ne l'a pas modifié" in question and "12 actions" in question and "(quotidienne)" in question
    assert "renommé «\u00a0commune.endommage-(date).sqlite\u00a0»" in question
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("commune.endommage-")]
    assert aside.read_bytes() == damaged  # kept, untouched
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        assert len(ws.load("2019").actions) == 12
    assert backup.path.is_file()


def test_saying_no_leaves_everything_as_it_was(
    qtbot: QtBot, store_path: Path, tmp_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    damaged = damaged_store(store_path, catalog, edition, with_backup=True)
    before = listing(tmp_path)
    questions: list[str] = []

    def ask(text: str) -> bool:
        questions.append(text)
        return False

    code = run(store_path, show_error=questions.append, ask=ask, environ={}, log_path=tmp_path / "e.log")

    assert code == EXIT_INPUT and len(questions) == 1
    assert store_path.read_bytes() == damaged
    assert listing(tmp_path) == before


def test_without_backup_the_message_says_so_and_no_new_store_is_made(
    qtbot: QtBot, store_path: Path, tmp_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    damaged = damaged_store(store_path, catalog, edition, with_backup=False)
    before = listing(tmp_path)
    errors: list[str] = []

    def ask(text: str) -> bool:
        raise AssertionError("no question without a backup to offer")

    code = run(store_path, show_error=errors.append, ask=ask, environ={}, log_path=tmp_path / "e.log")

    assert code == EXIT_INPUT
    [message] = errors
    assert "est endommagé" in message and "Aucune sauvegarde en bon état" in message and "assistance" in message
    assert store_path.read_bytes() == damaged
    assert listing(tmp_path) == before


def test_the_real_entry_point_on_a_damaged_store_exits_without_touching_it(
    store_path: Path, tmp_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    exe = Path(sys.executable).with_name("arobase")
    if not exe.exists():
        pytest.skip("le script arobase n'est pas installé dans cet environnement")
    damaged = damaged_store(store_path, catalog, edition, with_backup=True)
    before = listing(tmp_path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", QUIT_AFTER_ENV: "500"}
    env.pop("AROBASE_DB", None)
    # The question is on screen until the delay ends it unanswered: that is a "no".
    proc = subprocess.run(
        [str(exe), "--db", str(store_path)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert proc.returncode == EXIT_INPUT, proc.stderr
    assert "Traceback" not in proc.stderr
    assert store_path.read_bytes() == damaged
    assert listing(tmp_path) == before
