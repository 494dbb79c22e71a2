"""Arobase's log files: rotating, size-capped, in the user's log folder, and never holding a secret.

Configured once, by the entry point (``ui.launcher``), with :func:`configure_logging`; every other module
only asks for its own ``logging.getLogger(__name__)``. What is logged is what support needs (versions,
the command run, the file *name* opened, migrations, backups, errors), never the dossier's content: a
secretary sends this folder to the association's support. Whatever slips into a message or a
traceback and looks like a bearer token, an access or refresh token, a password or an activation code
is masked by :func:`redact` before it reaches the disk.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

LOG_NAME = "arobase.log"
MAX_BYTES = 1_000_000  # per file
BACKUP_COUNT = 5  # arobase.log.1 … arobase.log.5: at most 6 MB in all
HELD_MAX = 1000  # records kept until the files are opened (``hold_records``); the rest are dropped
MASK = "[masqué]"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Libraries whose INFO is chatter to support: Alembic lists each of its plugins at every migration (seven
# lines before « Running upgrade », which is kept). Their warnings still reach the files.
CHATTY = ("alembic.runtime.plugins",)

_SECRETS = (
    # "Authorization: Bearer <token>", "bearer <token>"
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {MASK}"),
    # token=…, "access_token": "…", refresh_token: …, password=…, mot_de_passe=…, code=…
    (
        re.compile(
            r"(?i)\b((?:access_|refresh_|activation_)?token|jeton|password|mot_de_passe|secret|code_activation|"
            r"activation_code|authorization)(\W{0,3}\s*[:=]\s*\W{0,2})(?!bearer\b)[^\s\"',;&}]+"
        ),
        rf"\1\2{MASK}",
    ),
    # an activation code as the association hands it out: 5 groups of 4 letters or digits
    (re.compile(r"(?i)\b[0-9A-Z]{4}(?:[- ][0-9A-Z]{4}){4}\b"), MASK),
    # any other long random-looking word (secrets.token_urlsafe): not a hex digest, which support needs
    (re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[G-Zg-z_-])(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{32,}"), MASK),
)


def redact(text: str) -> str:
    """``text`` with anything that looks like a token, a password or an activation code masked."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats the record (traceback included), then masks the secrets in the whole text."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _Held(logging.Handler):
    """Keeps the records logged before ``configure_logging`` opens the files, to hand them over then."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < HELD_MAX:
            self.records.append(record)


def hold_records(level: int = logging.INFO) -> None:
    """Until ``configure_logging`` runs, keep what is logged: the window opens the files once it shows
    (``logging.handlers`` and the log folder cost 6 ms of start-up), and nothing logged before is lost."""
    root = logging.getLogger()
    if not any(isinstance(h, _Held) for h in root.handlers):
        root.addHandler(_Held())
        root.setLevel(level)
    _quiet_chatty_libraries()


def _quiet_chatty_libraries() -> None:
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(folder: Path, level: int = logging.INFO) -> logging.Handler | None:
    """Send the root logger to ``folder/arobase.log`` (1 MB × 5, rotated); None when the folder is unusable.

    Called once at start; calling it again with the same folder changes nothing. A log folder that
    cannot be written never stops Arobase from starting.
    """
    import logging.handlers

    _quiet_chatty_libraries()
    path = folder / LOG_NAME
    root = logging.getLogger()
    held = [h for h in root.handlers if isinstance(h, _Held)]
    for h in held:
        root.removeHandler(h)
    rotating = (h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler))
    handler = next((h for h in rotating if Path(h.baseFilename) == path), None)
    if handler is None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
            )
        except OSError:
            return None
        handler.setFormatter(RedactingFormatter(FORMAT))
        root.addHandler(handler)
        root.setLevel(level)
    for record in (r for h in held for r in h.records if r.levelno >= root.level):
        handler.handle(record)
    return handler


def unconfigure_logging(handler: logging.Handler | None) -> None:
    """Detach and close what :func:`configure_logging` attached (tests, and the end of a run)."""
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()
