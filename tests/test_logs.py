"""The log files: rotating and capped, configured by the entry point, and never holding a secret."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logs import (
    BACKUP_COUNT,
    LOG_NAME,
    MASK,
    MAX_BYTES,
    configure_logging,
    hold_records,
    redact,
    unconfigure_logging,
)
from tests.conftest import ROOT

TOKEN = "q3Vx8_Jk2LmN0pQrStUvWxYz-AbCdEfGhIjKlMnOpQr"  # secrets.token_urlsafe(32), as the server issues
CODE = "7KQ2-M4XN-PT9R-WZ3H-B6VD"  # an activation code as the association hands it out
DIGEST = "80962839f2151e08ea7446931a59132ccd6de39bdfd3a3ee0f80e04d945356e7"  # a dossier's SHA-256: kept
SECRET_LOOKING = re.compile(r"(?i)bearer\s+(?!\[masqué\])\S+|[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {TOKEN}",
        f"GET /api/v1/editions headers={{'Authorization': 'Bearer {TOKEN}'}}",
        f'{{"access_token": "{TOKEN}", "refresh_token": "{TOKEN[::-1]}"}}',
        f"code d'activation refusé : {CODE}",
        f"activation_code={CODE.replace('-', ' ')}",
        f"password=hunter2-{TOKEN[:8]}",
        f"réponse inattendue contenant {TOKEN}",
    ],
)
def test_secrets_are_masked(text: str) -> None:
    masked = redact(text)
    assert MASK in masked
    assert TOKEN not in masked and TOKEN[::-1] not in masked and CODE not in masked, masked
    assert "hunter2" not in masked and CODE.replace("-", " ") not in masked, masked


def test_what_support_needs_is_kept() -> None:
    text = f"Dossier 2019 validé, révision 3, empreinte {DIGEST}, fichier arobase.sqlite, 12 actions"
    assert redact(text) == text


@pytest.fixture
def log_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "journaux"
    handler = configure_logging(folder)
    assert handler is not None
    yield folder
    unconfigure_logging(handler)


def all_log_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))


def test_a_token_in_a_message_or_a_traceback_never_reaches_the_file(log_folder: Path) -> None:
    log = logging.getLogger("sync.client")
    log.info("envoi avec Authorization: Bearer %s", TOKEN)
    try:
        raise RuntimeError(f"le serveur a refusé le code {CODE} (jeton {TOKEN})")
    except RuntimeError:
        log.exception("échec de l'envoi")
    text = all_log_text(log_folder)
    assert "échec de l'envoi" in text and "Traceback" in text and "RuntimeError" in text
    assert TOKEN not in text and CODE not in text
    assert text.count(MASK) >= 3


def test_configuring_twice_adds_no_second_handler(log_folder: Path) -> None:
    before = list(logging.getLogger().handlers)
    configure_logging(log_folder)
    assert logging.getLogger().handlers == before
    logging.getLogger("app").info("une seule ligne")
    assert all_log_text(log_folder).count("une seule ligne") == 1


def test_what_is_logged_before_the_files_open_is_written_once_they_do(tmp_path: Path) -> None:
    """The window opens the log files once it shows (ui.launcher): what was logged before is not lost."""
    root = logging.getLogger()
    before = list(root.handlers)
    hold_records()
    handler = None
    try:
        logging.getLogger("app.first_read").info("lu avant l'ouverture des journaux")
        logging.getLogger("app.first_read").debug("trop bavard pour le journal")
        handler = configure_logging(tmp_path)
        logging.getLogger("app").info("écrit après")
        text = all_log_text(tmp_path)
        assert "lu avant l'ouverture des journaux" in text and "écrit après" in text
        assert "trop bavard" not in text
        assert text.index("lu avant") < text.index("écrit après")
        assert root.handlers == [*before, handler]  # the holder is gone: nothing kept twice
    finally:
        unconfigure_logging(handler)
        for extra in set(root.handlers) - set(before):
            root.removeHandler(extra)


def test_the_files_rotate_and_stay_capped(log_folder: Path) -> None:
    log = logging.getLogger("app.test")
    line = "x" * 1000
    for i in range(8000):  # about 8 MB written: more than the 6 files can hold
        log.info("%d %s", i, line)
    files = sorted(log_folder.iterdir())
    assert {p.name for p in files} == {LOG_NAME, *(f"{LOG_NAME}.{n}" for n in range(1, BACKUP_COUNT + 1))}
    assert all(p.stat().st_size <= MAX_BYTES for p in files)
    assert "7999 " in (log_folder / LOG_NAME).read_text(encoding="utf-8")  # the newest lines are kept


def test_an_unwritable_log_folder_does_not_stop_the_start(tmp_path: Path) -> None:
    blocker = tmp_path / "journaux"
    blocker.write_text("un fichier à la place du dossier", encoding="utf-8")
    assert configure_logging(blocker) is None


def test_a_real_run_logs_what_support_needs_and_no_personal_data(tmp_path: Path) -> None:
    """The real entry point, run as a town hall would: the log folder is then searched for secrets."""
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "QT_QPA_PLATFORM": "offscreen",
        "AROBASE_QUIT_WHEN_READY": "1",  # the window run below: closed once it shows the dossier
    }
    db = tmp_path / "mairie.sqlite"
    example = ROOT / "resources" / "exemples" / "dossier-exemple-2019.json"
    for args, code in (
        (["import", str(example)], 0),
        ([], 0),  # the window: its log files are opened once it shows
        (["status"], 0),
        (["import", f"/tmp/{CODE}.json"], 2),  # an argument that looks like a secret: never logged
    ):
        out = subprocess.run(
            [sys.executable, "-m", "ui.launcher", "--db", str(db), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        assert out.returncode == code, out.stderr
    folders = list((tmp_path / "state").rglob(LOG_NAME))
    assert len(folders) == 1, folders
    text = all_log_text(folders[0].parent)
    assert "commande import" in text and "commande status" in text and "commande fenêtre" in text
    assert "Arobase 0.1.0" in text
    assert "Running upgrade  -> 0001" in text  # the new store's migrations, without Alembic's plugin list
    assert "setup plugin" not in text
    for personal in ("mairie@landevran-exemple.fr", "02 98 00 00 00", str(tmp_path)):
        assert personal not in text
    assert not SECRET_LOOKING.search(text), text
