"""Read a store file with the standard library only: the checks made before anything may write to it,
and the first read of the dossier the window shows.

Importing SQLAlchemy costs 0.3 s, more than the window's whole start-up budget. So the checks that
``localdb.store`` makes before its engine opens a file live here, and so does ``read_newest_dossier``:
a file at the newest schema revision is read with plain ``sqlite3`` in one read transaction, the
window shows it, and the store proper is opened just after. Anything unusual (a new or empty file, an
older or newer revision, a damaged or locked file, no dossier yet) makes it answer None: the caller
then opens the store the normal way, with its backups before a migration and its French errors.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from localdb import revisions
from localdb.errors import StoreDamaged, StoreError, StoreLocked, StoreUnreadable

DEFAULT_BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"


def busy_timeout_ms() -> int:
    """How long to wait for another program's lock (``AROBASE_BUSY_TIMEOUT_MS``, for tests and support)."""
    raw = os.environ.get("AROBASE_BUSY_TIMEOUT_MS", "")
    return int(raw) if raw.isdigit() else DEFAULT_BUSY_TIMEOUT_MS


def _root_cause(exc: BaseException) -> BaseException:
    """The error SQLite first raised: a full disk or an I/O error rolls the whole transaction back, so
    the savepoint rollback that follows fails too ("no such savepoint") and would hide the real cause."""
    seen = exc
    while "no such savepoint" in str(seen).lower() or "cannot rollback" in str(seen).lower():
        if seen.__context__ is None:
            break
        seen = seen.__context__
    return seen


def translate_db_error(exc: Exception, path: Path) -> StoreError:
    """Turn a driver error into the French sentence a secretary can act on."""
    exc = _root_cause(exc)  # type: ignore[assignment]
    msg = str(getattr(exc, "orig", exc)).lower()
    if "locked" in msg or "busy" in msg:
        return StoreLocked(
            f"Le fichier {path} est utilisé par un autre programme (une autre fenêtre d'Arobase ?). "
            "Fermez-le puis réessayez."
        )
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return StoreDamaged(
            f"Le fichier {path} n'est pas une base Arobase lisible (fichier endommagé ou d'un autre type). "
            "Ouvrez une sauvegarde ou un autre fichier.",
            path,
        )
    if "unable to open" in msg or "readonly" in msg or "read-only" in msg or "disk i/o" in msg:
        return StoreUnreadable(
            f"Impossible d'ouvrir ou d'écrire le fichier {path} : vérifiez le dossier, les droits "
            "et la place libre sur le disque."
        )
    if "disk is full" in msg or "database or disk is full" in msg:
        return StoreUnreadable(f"Le disque est plein : libérez de la place puis réessayez ({path}).")
    return StoreError(
        f"La base {path} a refusé l'opération ({getattr(exc, 'orig', exc)}) ; rien n'a été modifié. "
        "Signalez-le à l'assistance si cela se reproduit."
    )


def refuse_emptied(path: Path) -> None:
    """An empty file that has backups was a store once (a crash or a disk emptied it): never fill it with a
    new empty store, which would hide the backups' content behind a blank dossier."""
    if not path.is_file() or path.stat().st_size != 0:
        return
    from localdb.backups import list_files

    if list_files(path):
        raise StoreDamaged(
            f"Le fichier {path} est vide alors que des sauvegardes de ce fichier existent\u00a0: il a été "
            "endommagé. Restaurez une sauvegarde.",
            path,
        )


def check_header(path: Path) -> None:
    """Refuse early a file that is not SQLite, before SQLite would try to write to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreUnreadable(f"Impossible de lire le fichier {path} : {exc.strerror}.") from None
    if head != SQLITE_HEADER:
        raise StoreUnreadable(
            f"Le fichier {path} n'est pas une base Arobase (ce n'est pas un fichier SQLite). "
            "Vérifiez le chemin ou ouvrez un autre fichier."
        )


def preflight(path: Path) -> str | None:
    """Only read an existing file, before the engine may write to it (its connections switch the journal
    to WAL): refuse a damaged file, and return the schema revision it is stamped with, if any."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout_ms() / 1000, isolation_level=None)
        try:
            if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise sqlite3.DatabaseError("database disk image is malformed (quick_check)")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            row = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            if tables and row is None:
                # Another program's database: never add our tables to it.
                raise StoreUnreadable(
                    f"Le fichier {path} est une base SQLite d'un autre programme, pas une base Arobase. "
                    "Choisissez un autre fichier, ou un nom de fichier nouveau pour créer une base."
                )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise translate_db_error(exc, path) from None
    return row[0] if row else None


def utcnow() -> datetime:
    """The default clock: naive UTC, as stored."""
    return datetime.now(UTC).replace(tzinfo=None)


QUICK_TIMEOUT_S = 0.2  # a file another program holds is left to the normal path, which waits and says so
Row = Any  # a named tuple of one table's columns: ``row.title``, as the ORM's rows read


def _in_order(row: Row) -> tuple[int, int]:
    return row.position, row.id  # ORDER BY position, id, as app.rows reads them


@dataclass(frozen=True, slots=True)
class DossierRows:
    """The rows of one dossier as the store holds them (dates as ISO text, booleans as 0/1, as SQLite does)."""

    edition: str
    state: str
    revision: int
    collectivity: Row | None
    actions: list[Row]  # in the dossier's order (position, then id)
    services: dict[int, list[str]] = field(default_factory=dict)  # action id -> service ids
    addresses: dict[int, list[Row]] = field(default_factory=dict)  # in their order
    attachments: dict[int, list[Row]] = field(default_factory=dict)  # in their order
    epci_answers: list[tuple[str, int | None, str]] = field(default_factory=list)  # by criterion id


def read_newest_dossier(path: Path) -> DossierRows | None:
    """The newest edition's dossier of a file at the newest schema, or None when the normal path must open it.

    Makes the same read-only checks as ``Store.open`` (SQLite header, ``PRAGMA quick_check``, the
    revision stamped in ``alembic_version``), then reads every row in one read transaction, so what is
    shown is one consistent state of the file. Never raises for the file's sake and never writes.
    """
    fetched = _fetch_newest(path)
    return None if fetched is None else fetched.rows()


class ReadAhead:
    """``read_newest_dossier`` with its reading on a thread of its own, started as the program starts.

    The thread only has SQLite read the file and build each table into one JSON text, which it does
    without holding Python's lock, while the window's thread imports Qt and the window's modules. Turning
    the texts into rows is Python's work: it is done by ``result()``, on the caller's thread. Done on the
    reading thread, it cost the window's thread more than it took (each thread waits for the other to
    hand the lock back), 60 ms at 5,000 actions.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser().absolute()
        self._fetched: _Fetched | None = None
        self._thread = threading.Thread(target=self._read, name="arobase-lecture", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        self._fetched = _fetch_newest(self.path)

    def result(self) -> DossierRows | None:
        """What ``read_newest_dossier(path)`` gave (waits for the reading)."""
        self._thread.join()
        return None if self._fetched is None else self._fetched.rows()


def _fetch_newest(path: Path) -> _Fetched | None:
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        with path.open("rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return None
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=QUICK_TIMEOUT_S, isolation_level=None)
    except (OSError, ValueError, sqlite3.Error):
        return None
    try:
        conn.execute("BEGIN")
        try:
            return _fetch(conn)
        finally:
            conn.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        conn.close()


LINKS = "SELECT action_id, service_id FROM action_service WHERE action_id IN ({mine})"


@dataclass(frozen=True, slots=True)
class _Table:
    """One query's rows as SQLite wrote them: their column names and one JSON text (``_table``)."""

    columns: list[str]
    text: str

    def rows(self, ordered: bool = False) -> list[Row]:
        """Named tuples of the columns (one class per query); ``ordered``: by position (``_in_order``)."""
        make = namedtuple("Row", self.columns)._make  # type: ignore[misc]
        rows = [make(r) for r in json.loads(self.text)]
        return sorted(rows, key=_in_order) if ordered else rows  # an aggregate promises no order


def _table(conn: sqlite3.Connection, query: str, args: dict[str, int]) -> _Table:
    """Every row of ``query``, built by SQLite into one JSON text: the reading thread then takes Python's
    lock a few times per table, not at every row. A SQLite without its JSON functions raises here, and
    the normal path opens the file."""
    columns = [d[0] for d in conn.execute(f"SELECT * FROM ({query}) LIMIT 0", args).description]
    values = ", ".join(f'"{name}"' for name in columns)  # our own tables' column names
    (text,) = conn.execute(f"SELECT json_group_array(json_array({values})) FROM ({query})", args).fetchone()
    return _Table(columns, text)


@dataclass(frozen=True, slots=True)
class _Fetched:
    """The newest dossier's tables as read in one transaction; ``rows()`` makes the ``DossierRows``."""

    edition: str
    state: str
    revision: int
    collectivity: _Table
    actions: _Table
    services: _Table
    addresses: _Table
    attachments: _Table
    epci_answers: list[tuple[str, int | None, str]]

    def rows(self) -> DossierRows:
        services: dict[int, list[str]] = {}
        for link in self.services.rows():
            services.setdefault(link.action_id, []).append(link.service_id)  # in the edition's order later
        collectivity = self.collectivity.rows()
        return DossierRows(
            edition=self.edition,
            state=self.state,
            revision=self.revision,
            collectivity=collectivity[0] if collectivity else None,
            actions=self.actions.rows(ordered=True),
            services=services,
            addresses=_by_action(self.addresses),
            attachments=_by_action(self.attachments),
            epci_answers=self.epci_answers,
        )


def _fetch(conn: sqlite3.Connection) -> _Fetched | None:
    if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
        return None
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "alembic_version" not in tables:
        return None
    if conn.execute("SELECT version_num FROM alembic_version").fetchall() != [(revisions.HEAD,)]:
        return None
    dossier = conn.execute("SELECT id, edition, state, revision FROM dossier ORDER BY edition DESC LIMIT 1").fetchone()
    if dossier is None:
        return None  # the normal path creates it
    dossier_id, edition, state, revision = dossier
    mine_args = {"dossier": dossier_id}
    mine = "SELECT id FROM action WHERE dossier_id=:dossier"
    return _Fetched(
        edition=edition,
        state=state,
        revision=revision,
        collectivity=_table(conn, "SELECT * FROM collectivity WHERE id=:one", {"one": 1}),  # its single row
        actions=_table(conn, "SELECT * FROM action WHERE dossier_id=:dossier", mine_args),
        services=_table(conn, LINKS.format(mine=mine), mine_args),
        addresses=_table(conn, f"SELECT * FROM action_address WHERE action_id IN ({mine})", mine_args),
        attachments=_table(conn, f"SELECT * FROM attachment WHERE action_id IN ({mine})", mine_args),
        epci_answers=conn.execute(
            "SELECT criterion_id, answer, details FROM epci_answer WHERE dossier_id=:dossier ORDER BY criterion_id",
            mine_args,
        ).fetchall(),
    )


def _by_action(table: _Table) -> dict[int, list[Row]]:
    out: dict[int, list[Row]] = {}
    for r in table.rows(ordered=True):
        out.setdefault(r.action_id, []).append(r)
    return out
