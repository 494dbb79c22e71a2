"""Backup files of a store, in ``sauvegardes/`` beside it: named, taken, rotated, read, put back.

A store is a WAL database: its last commits may live in ``<file>-wal`` until a checkpoint, so copying
the main file would miss them or tear a page. Every copy here goes through SQLite's online backup API,
then is switched to a single self-contained file (rollback journal), flushed to disk and only then
renamed to its final name: a backup under a valid name is always complete.

Names are ``<stem>.<kind>-<YYYYMMDD-HHMMSS>[-<n>].sqlite`` (UTC): the kind and the moment are read from
the name, the rest (schema, dossiers) from the file itself. Attachments need nothing here: they live in
the content-addressed folder beside the store, which only ever gains files (``localdb.files``), so the
attachments a backup refers to are still there when it is restored.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from localdb.errors import StoreError, StoreLocked, StoreUnreadable
from localdb.reader import busy_timeout_ms

BACKUP_FOLDER = "sauvegardes"
KINDS = ("quotidienne", "avant-validation", "avant-migration", "avant-restauration")
KEEP_PER_KIND = 10
STAMP = "%Y%m%d-%H%M%S"
SUFFIX = ".sqlite"
DAMAGED = "endommage"
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class BackupFile:
    """One backup file of a store, as its name describes it."""

    path: Path
    kind: str
    taken_at: datetime  # naive UTC
    sequence: int = 1  # several backups of one kind within the same second


@dataclass(frozen=True, slots=True)
class BackupDossier:
    edition: str
    state: str
    revision: int
    actions: int


@dataclass(frozen=True, slots=True)
class BackupContent:
    """What a backup file holds, read from the file itself; ``readable`` is False for a damaged one."""

    readable: bool
    schema: str | None = None
    collectivity: str = ""
    dossiers: tuple[BackupDossier, ...] = ()
    attachments: tuple[str, ...] = ()  # SHA-256 of the attachments it refers to


def backup_folder(store_path: Path) -> Path:
    return store_path.parent / BACKUP_FOLDER


def _pattern(store_path: Path) -> re.Pattern[str]:
    # The optional revision segment is the name older releases gave their migration backups.
    return re.compile(
        rf"^{re.escape(store_path.stem)}\.(?P<kind>{'|'.join(KINDS)})(?:-[0-9a-z]+)?-(?P<stamp>\d{{8}}-\d{{6}})"
        rf"(?:-(?P<n>\d+))?{re.escape(SUFFIX)}$"
    )


def list_files(store_path: Path) -> list[BackupFile]:
    """The backups of this store (not those of another store of the same folder), newest first."""
    folder = backup_folder(store_path)
    if not folder.is_dir():
        return []
    pattern = _pattern(store_path)
    found: list[tuple[datetime, int, BackupFile]] = []
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match is None or not path.is_file():
            continue
        try:
            taken = datetime.strptime(match["stamp"], STAMP)
        except ValueError:
            continue
        try:
            written = path.stat().st_mtime_ns
        except OSError:
            continue
        found.append((taken, written, BackupFile(path, match["kind"], taken, int(match["n"] or 1))))
    # Within one second (the name's precision), the file written last is the newest.
    found.sort(key=lambda t: (t[0], t[1], t[2].sequence, t[2].path.name), reverse=True)
    return [b for _t, _w, b in found]


def take(store_path: Path, kind: str, now: datetime, *, keep: int | None = KEEP_PER_KIND) -> Path:
    """Back the store up under a new name; then keep only the ``keep`` newest of that kind (None: no pruning)."""
    if kind not in KINDS:
        raise ValueError(kind)
    if not store_path.is_file():
        raise StoreUnreadable(f"Le fichier {store_path} n'existe pas\u00a0: il n'y a rien à sauvegarder.")
    folder = backup_folder(store_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_name(folder, f"{store_path.stem}.{kind}-{now:{STAMP}}", SUFFIX)
        _copy(store_path, target)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"La sauvegarde de {store_path} n'a pas pu être écrite dans {folder} ({_reason(exc)})\u00a0: "
            "vérifiez la place libre sur le disque et les droits du dossier."
        ) from None
    if keep is not None:
        prune(store_path, kind, keep)
    return target


def prune(store_path: Path, kind: str, keep: int = KEEP_PER_KIND) -> list[Path]:
    """Delete the backups of ``kind`` beyond the ``keep`` newest; a file that cannot be deleted stays."""
    removed = []
    for old in [b for b in list_files(store_path) if b.kind == kind][keep:]:
        with contextlib.suppress(OSError):
            old.path.unlink()
            removed.append(old.path)
    return removed


def read_content(path: Path) -> BackupContent:
    """Open a backup read-only and say what it holds; never raises for a damaged or foreign file."""
    try:
        with path.open("rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return BackupContent(readable=False)
        with _read_only(path) as conn:
            if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                return BackupContent(readable=False)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "dossier", "action", "collectivity"} <= tables:
                return BackupContent(readable=False)
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            name = conn.execute("SELECT name FROM collectivity WHERE id = 1").fetchone()
            dossiers = tuple(
                BackupDossier(str(e), str(s), int(r), int(n))
                for e, s, r, n in conn.execute(
                    "SELECT d.edition, d.state, d.revision, "
                    "(SELECT count(*) FROM action a WHERE a.dossier_id = d.id) FROM dossier d ORDER BY d.edition"
                )
            )
            attachments = tuple(r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM attachment ORDER BY 1"))
    except (OSError, sqlite3.Error, TypeError, ValueError):
        return BackupContent(readable=False)
    return BackupContent(True, row[0] if row else None, str(name[0]) if name else "", dossiers, attachments)


def file_is_healthy(path: Path) -> bool:
    """Whether ``path`` is an SQLite file whose pages pass ``PRAGMA quick_check`` (read only)."""
    try:
        with path.open("rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return False
        with _read_only(path) as conn:
            return conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    except (OSError, sqlite3.Error):
        return False


def restore_into(store_path: Path, backup_path: Path) -> None:
    """Replace the content of a healthy, closed store by the backup's, in one SQLite transaction.

    Leaving WAL mode first needs the file to itself: another program that has it open makes this fail
    (nothing changed) instead of keeping an old view of the file. A crash half-way leaves the old content
    (the rollback journal puts it back at the next open).
    """
    try:
        dst = sqlite3.connect(store_path, timeout=_timeout(), isolation_level=None)
        try:
            mode = dst.execute("PRAGMA journal_mode=DELETE").fetchone()
            if mode is None or str(mode[0]).lower() != "delete":
                raise sqlite3.OperationalError("database is locked")
            with _read_only(backup_path) as src:
                src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise StoreLocked(
                f"Le fichier {store_path} est utilisé par un autre programme (une autre fenêtre "
                "d'Arobase\u00a0?)\u00a0: fermez-le puis recommencez la restauration. Rien n'a été modifié."
            ) from None
        raise StoreError(
            f"La sauvegarde {backup_path.name} n'a pas pu être remise en place dans {store_path} "
            f"({_reason(exc)})\u00a0; le fichier est resté tel qu'il était."
        ) from None


def restore_as_new(store_path: Path, backup_path: Path) -> None:
    """Write the backup's content at ``store_path``, which must not exist (a damaged file was set aside)."""
    if store_path.exists():
        raise FileExistsError(store_path)
    try:
        _copy(backup_path, store_path)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"La sauvegarde {backup_path.name} n'a pas pu être recopiée dans {store_path} ({_reason(exc)})\u00a0: "
            "vérifiez la place libre sur le disque et les droits du dossier."
        ) from None


def set_aside_damaged(store_path: Path, now: datetime) -> Path:
    """Rename a damaged store (with its journal files) to ``<stem>.endommage-<moment>.sqlite``, untouched."""
    target = _free_name(store_path.parent, f"{store_path.stem}.{DAMAGED}-{now:{STAMP}}", store_path.suffix or SUFFIX)
    try:
        os.replace(store_path, target)
        # A -wal left at the old name would be replayed into the restored file: it goes with its database.
        for extra in ("-wal", "-shm", "-journal"):
            companion = store_path.with_name(store_path.name + extra)
            if companion.exists():
                os.replace(companion, target.with_name(target.name + extra))
    except OSError as exc:
        raise StoreError(
            f"Le fichier endommagé {store_path} n'a pas pu être renommé ({_reason(exc)})\u00a0: fermez les "
            "programmes qui l'utilisent, vérifiez les droits du dossier, puis recommencez."
        ) from None
    return target


def put_back(set_aside: Path, store_path: Path) -> None:
    """Undo :func:`set_aside_damaged` when the restore after it failed."""
    if store_path.exists():
        return
    os.replace(set_aside, store_path)
    for extra in ("-wal", "-shm", "-journal"):
        companion = set_aside.with_name(set_aside.name + extra)
        if companion.exists():
            os.replace(companion, store_path.with_name(store_path.name + extra))


def _free_name(folder: Path, base: str, suffix: str) -> Path:
    """``base + suffix`` in ``folder``, or ``base-2 + suffix``… when that name is taken."""
    target, n = folder / f"{base}{suffix}", 1
    while target.exists():
        n += 1
        target = folder / f"{base}-{n}{suffix}"
    return target


def _copy(source: Path, target: Path) -> None:
    """Online backup of ``source`` into a new temporary file, made single-file, synced, then renamed."""
    tmp = target.with_name(f".{target.name}.partiel")
    tmp.unlink(missing_ok=True)
    try:
        with _read_only(source) as src, contextlib.closing(sqlite3.connect(tmp, isolation_level=None)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _sync_folder(target.parent)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to sync, and needs none."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that cannot write to ``path``: reading a backup, or a file that may be damaged, never
    changes it (a read-write connection would checkpoint its -wal on close). The empty -wal and -shm a
    read-only look at a WAL file creates are removed afterwards (a -wal only when empty)."""
    companions = [path.with_name(path.name + extra) for extra in ("-wal", "-shm")]
    existed = [c.exists() for c in companions]
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=_timeout())
    try:
        yield conn
    finally:
        conn.close()
        wal, shm = companions
        if not existed[0] and wal.exists() and wal.stat().st_size == 0:
            wal.unlink(missing_ok=True)
        if not existed[1]:  # no connection had the file open before this one: its index is ours
            shm.unlink(missing_ok=True)


def _timeout() -> float:
    return busy_timeout_ms() / 1000


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)


__all__ = [
    "BACKUP_FOLDER",
    "KEEP_PER_KIND",
    "KINDS",
    "BackupContent",
    "BackupDossier",
    "BackupFile",
    "backup_folder",
    "file_is_healthy",
    "list_files",
    "prune",
    "put_back",
    "read_content",
    "restore_as_new",
    "restore_into",
    "set_aside_damaged",
    "take",
]
