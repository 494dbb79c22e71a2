"""Backups and restore of a store file, as the secretary meets them (window and command line).

Backups are taken automatically: one a day while the file is used (when it is opened, and by the
window's hourly check when it stays open), one before every validation, one before every migration of
the schema (``localdb.migrate``), and one of the current file before every restore; the newest 10 of
each kind are kept. Each is a complete SQLite file
in ``sauvegardes/`` beside the store, taken with SQLite's online backup (``localdb.backups``).

Restoring puts a backup's content in place of the store's. A healthy current file is first saved as a
backup itself (nothing is ever lost by restoring); a damaged one is never overwritten: it is renamed
``<nom>.endommage-<date>.sqlite`` beside the restored file, for support staff. Attachments need nothing:
their folder only ever gains files, so those the backup refers to are still there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from app.errors import ArobaseError, StoreDamaged, StoreError
from app.model import STATE_LABELS
from localdb import backups as files
from localdb.backups import BackupContent
from localdb.store import Store, utcnow

Clock = Callable[[], datetime]

KIND_LABELS = {
    "quotidienne": "quotidienne",
    "avant-validation": "avant validation",
    "avant-migration": "avant mise à jour d'Arobase",
    "avant-restauration": "avant restauration",
}


class BackupError(ArobaseError):
    """A backup that cannot be found or cannot be restored; the store is unchanged."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup as listed to the user: number 1 is the newest."""

    number: int
    path: Path
    kind: str
    taken_at: datetime  # naive UTC
    content: BackupContent
    known_schema: bool

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def usable(self) -> bool:
        """Readable, and written by this version of Arobase or an older one."""
        return self.content.readable and self.known_schema

    @property
    def when(self) -> str:
        return moment_text(self.taken_at)

    def contents_text(self) -> str:
        """Per dossier: edition, state, revision and number of actions, as read from the backup file."""
        if not self.content.readable:
            return "illisible (fichier de sauvegarde endommagé)"
        if not self.known_schema:
            return "faite par une version plus récente d'Arobase"
        if not self.content.dossiers:
            return "aucun dossier commencé"
        return "\u00a0; ".join(
            f"dossier {d.edition}\u00a0: {STATE_LABELS.get(d.state, d.state)}, révision {d.revision}, "
            f"{d.actions} action{'s' if d.actions > 1 else ''}"
            for d in self.content.dossiers
        )

    def summary(self) -> str:
        """One line: date, kind, content."""
        return f"{self.when} ({self.kind_label})\u00a0— {self.contents_text()}"


@dataclass(frozen=True, slots=True)
class RestoreReport:
    restored: BackupInfo
    saved_current: Path | None  # the backup of the file as it was, if it was healthy
    set_aside: Path | None  # where the damaged file went, if it was damaged


def moment_text(moment: datetime) -> str:
    """A stored naive-UTC moment in the user's local time: ``23/11/2026 à 11:30``."""
    local = (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone()
    return local.strftime("%d/%m/%Y à %H:%M")


# ---------------------------------------------------------------------- taking


def take_backup(store: Store, kind: str, clock: Clock = utcnow) -> Path:
    """Back the open store up now (raises StoreError with a French sentence if it cannot be written)."""
    return files.take(store.path, kind, clock())


def take_daily(store: Store, clock: Clock = utcnow) -> Path | None:
    """The backup of the day, unless one was already taken today or the file holds nothing yet.

    A failure is not an error for the user at this point (the file opened fine; the next opening tries
    again), so it returns None instead of raising.
    """
    now = clock()
    if any(b.kind == "quotidienne" and b.taken_at.date() == now.date() for b in files.list_files(store.path)):
        return None
    try:
        with store.engine.connect() as conn:
            has_data = conn.exec_driver_sql(
                "SELECT EXISTS (SELECT 1 FROM dossier) OR EXISTS (SELECT 1 FROM collectivity)"
            ).scalar()
        if not has_data:
            return None
        return files.take(store.path, "quotidienne", now)
    except (StoreError, OSError, SQLAlchemyError):  # the day's backup must never stop the file from opening
        return None


# ---------------------------------------------------------------------- listing


def list_backups(store_path: Path) -> list[BackupInfo]:
    """Every backup of this store, newest first, each described from the file itself."""
    from localdb.revisions import KNOWN

    known = set(KNOWN)
    out = []
    for number, b in enumerate(files.list_files(Path(store_path)), start=1):
        content = files.read_content(b.path)
        out.append(BackupInfo(number, b.path, b.kind, b.taken_at, content, content.schema in known))
    return out


def latest_good_backup(store_path: Path) -> BackupInfo | None:
    return next((b for b in list_backups(store_path) if b.usable), None)


def find_backup(store_path: Path, reference: str) -> BackupInfo:
    """A backup by its number in the list (1 = newest) or by its file name."""
    found = list_backups(store_path)
    ref = reference.strip()
    match = None
    if ref.isdigit():
        match = next((b for b in found if b.number == int(ref)), None)
    else:
        name = Path(ref).name
        match = next((b for b in found if b.name == name), None)
    if match is not None:
        return match
    if not found:
        folder = files.backup_folder(store_path)
        raise BackupError(f"Le fichier {store_path} n'a encore aucune sauvegarde (dossier {folder}).")
    raise BackupError(
        f"Sauvegarde «\u00a0{reference}\u00a0» introuvable\u00a0: indiquez un numéro de 1 à {len(found)} ou un nom "
        "de fichier de la liste donnée par «\u00a0arobase backups\u00a0»."
    )


# ---------------------------------------------------------------------- restoring


def restore_backup(store_path: Path, backup: BackupInfo, clock: Clock = utcnow) -> RestoreReport:
    """Put ``backup`` in place of the store's content; the store must be closed by the caller.

    The backup is checked first (readable, not from a newer Arobase); then the current file is saved as
    an ``avant-restauration`` backup if it is healthy, or renamed aside untouched if it is damaged.
    """
    store_path = Path(store_path).expanduser().absolute()
    current = list_backups(store_path)
    backup = next((b for b in current if b.path == backup.path), None) or backup
    if not backup.path.is_file():
        raise BackupError(f"La sauvegarde {backup.name} n'existe plus\u00a0: choisissez-en une autre.")
    if not backup.content.readable:
        raise BackupError(f"La sauvegarde {backup.name} est elle-même endommagée\u00a0: choisissez-en une autre.")
    if not backup.known_schema:
        raise BackupError(
            f"La sauvegarde {backup.name} a été faite par une version plus récente d'Arobase\u00a0: mettez Arobase "
            "à jour pour la restaurer."
        )
    now = clock()
    saved = aside = None
    if not store_path.exists() or store_path.stat().st_size == 0:
        store_path.unlink(missing_ok=True)
        files.restore_as_new(store_path, backup.path)
    elif files.file_is_healthy(store_path):
        # Not pruned yet: the backup being restored may be the oldest of that kind.
        saved = files.take(store_path, "avant-restauration", now, keep=None)
        files.restore_into(store_path, backup.path)
        files.prune(store_path, "avant-restauration")
    else:
        aside = files.set_aside_damaged(store_path, now)
        try:
            files.restore_as_new(store_path, backup.path)
        except BaseException:
            files.put_back(aside, store_path)  # never leave the name empty: SQLite would create a new file
            raise
    return RestoreReport(backup, saved, aside)


def restored_text(report: RestoreReport) -> str:
    """What happened, in words (window and command line)."""
    text = f"La sauvegarde du {report.restored.when} ({report.restored.kind_label}) a été remise en place."
    if report.saved_current is not None:
        text += (
            f" Le fichier tel qu'il était juste avant a été gardé dans les sauvegardes "
            f"({report.saved_current.name})\u00a0: il peut être restauré à son tour."
        )
    if report.set_aside is not None:
        text += (
            f" Le fichier endommagé a été gardé sans modification sous le nom {report.set_aside.name}, "
            "à transmettre à l'assistance si besoin."
        )
    return text


# ---------------------------------------------------------------------- damaged store


def damaged_text(exc: StoreDamaged, backup: BackupInfo | None) -> str:
    """The start-up message for a damaged file: what happened, and what restoring the latest good backup does."""
    path = exc.path
    head = (
        f"Le fichier {path} est endommagé\u00a0: son contenu ne peut plus être lu correctement. Arobase ne "
        "l'ouvre pas, pour ne rien y abîmer de plus, et ne l'a pas modifié."
    )
    if backup is None:
        return (
            f"{head}\n\nAucune sauvegarde en bon état de ce fichier n'a été trouvée dans {files.backup_folder(path)}. "
            "Gardez le fichier tel quel et transmettez-le à l'assistance."
        )
    return (
        f"{head}\n\nLa dernière sauvegarde en bon état date du {backup.when} ({backup.kind_label})\u00a0: "
        f"{backup.contents_text()}.\n\nLa restaurer remet ce contenu sous le nom {path.name}\u00a0; "
        "le fichier endommagé est gardé à côté, sans modification, renommé "
        f"«\u00a0{path.stem}.{files.DAMAGED}-(date).sqlite\u00a0». "
        "Ce qui a été saisi après cette sauvegarde n'y est pas."
    )


__all__ = [
    "KIND_LABELS",
    "BackupError",
    "BackupInfo",
    "RestoreReport",
    "damaged_text",
    "find_backup",
    "latest_good_backup",
    "list_backups",
    "moment_text",
    "restore_backup",
    "restored_text",
    "take_backup",
    "take_daily",
]
