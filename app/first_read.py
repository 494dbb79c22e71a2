"""Start on the dossier read with plain ``sqlite3``; open the store (SQLAlchemy, 0.3 s of imports) just after.

``first_workspace`` reads the newest dossier of a file at the newest schema revision
(``localdb.reader``) and gives a ``DeferredWorkspace``: the window is built and shown on that
dossier, and the ``Workspace`` proper is opened by the first store work queued on the window's store
lane (``open_now``, queued once the dossier is on screen, or the first autosave, whichever comes
first). Everything the store does at open still happens, only later: its checks, the day's backup.
A file the quick read does not take (new, empty, older or newer schema, damaged, locked, no dossier
yet) gives None, and the caller opens it the normal way, with every safety of ``Workspace.open``.
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.edition import Edition, EditionCatalog
from app.errors import ArobaseError, StoreUnreadable
from app.model import DossierData, EpciAnswerData
from app.row_values import action_from, address_from_row, attachment_from_row, profile_from_row, service_order
from localdb.files import FileStore, files_folder
from localdb.reader import DossierRows, read_newest_dossier, utcnow
from localdb.reader import ReadAhead as ReadAhead  # for ui/ (which never imports localdb)

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.workspace import Workspace

DATE_COLUMNS = ("start_date", "end_date")  # SQLite keeps a Date column as ISO text (localdb.models)


def dossier_from_rows(rows: DossierRows, edition: Edition) -> DossierData:
    """The same ``DossierData`` as ``Workspace.open_dossier`` gives for these rows (a test compares both)."""
    order = service_order(edition)
    no_rows: tuple[Any, ...] = ()
    actions = []
    for row in rows.actions:
        dates = {k: date.fromisoformat(getattr(row, k)) for k in DATE_COLUMNS if getattr(row, k)}
        actions.append(
            action_from(
                row._replace(**dates) if dates else row,
                rows.services.get(row.id, no_rows),
                map(address_from_row, rows.addresses.get(row.id, no_rows)),
                map(attachment_from_row, rows.attachments.get(row.id, no_rows)),
                order,
            )
        )
    return DossierData(
        edition=rows.edition,
        state=rows.state,
        revision=rows.revision,
        profile=profile_from_row(rows.collectivity),
        actions=tuple(actions),
        epci_answers=tuple(
            EpciAnswerData(criterion, None if answer is None else bool(answer), details)
            for criterion, answer, details in rows.epci_answers
        ),
    )


class DeferredWorkspace:
    """A ``Workspace`` whose store is opened on first use (from the store lane), holding its first dossier.

    What the window asks before the store is open (the path, the editions, the clock, whether an
    attachment's bytes are there, the dossier read at start) is answered here; everything else is the
    ``Workspace``'s, opened then (``workspace()``, thread-safe). An opening that fails (the file locked
    by another program meanwhile) raises to that one caller, whose failure path says it in French, and
    is tried again by the next: an edit typed meanwhile stays queued, never lost.
    """

    def __init__(
        self, path: Path, catalog: EditionCatalog, first: DossierData, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.path = path
        self.catalog = catalog
        self.clock = clock
        self._first: DossierData | None = first
        self._edition_id = first.edition
        self._files = FileStore(files_folder(path))
        self._real: Workspace | None = None
        self._closed = False
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        """Whether the store proper is open (SQLAlchemy imported, the day's backup taken)."""
        return self._real is not None

    def workspace(self) -> Workspace:
        """The ``Workspace`` proper, opened (checked, backed up for the day) on first call."""
        with self._lock:
            if self._real is None:
                if self._closed:
                    raise StoreUnreadable(f"Le fichier {self.path} a été fermé.")
                from app.workspace import Workspace

                self._real = Workspace.open(self.path, self.catalog, self.clock)
            return self._real

    def open_now(self) -> None:
        """Open the store (a job of the store lane, queued once the dossier is on screen)."""
        self.workspace()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never the store's: a missing private attribute is a bug here
            raise AttributeError(name)
        return getattr(self.workspace(), name)

    def edition(self, edition_id: str) -> Edition:
        return self.catalog.get(edition_id)

    def default_edition(self) -> str:
        return self._edition_id if self._real is None else self._real.default_edition()

    def today(self) -> date:
        return self.clock().date()

    def has_file(self, sha256: str) -> bool:
        return self._files.has(sha256)

    def attachment_path(self, sha256: str) -> Path:
        return self._files.path_of(sha256)

    def has_first_dossier(self, edition_id: str) -> bool:
        """Whether ``open_dossier(edition_id)`` answers from memory: the dossier read at start, not yet taken."""
        return self._first is not None and self._first.edition == edition_id and self._real is None

    def open_dossier(self, edition_id: str) -> DossierData:
        """The dossier read at start, once (the window's first load); then the store's."""
        first, self._first = self._first, None
        if first is not None and first.edition == edition_id and self._real is None:
            return first
        return self.workspace().open_dossier(edition_id)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._real is not None:
                self._real.close()


def first_workspace(
    path: Path, catalog: EditionCatalog, read_ahead: ReadAhead | None = None
) -> DeferredWorkspace | None:
    """A workspace showing the file's newest dossier before its store is open, or None (open it normally).

    ``read_ahead``: that read, started earlier (``ui.launcher``); used only if it read this very file.
    """
    path = Path(path).expanduser().absolute()
    rows = read_ahead.result() if read_ahead is not None and read_ahead.path == path else read_newest_dossier(path)
    if rows is None:
        return None
    try:
        edition = catalog.get(rows.edition)
    except ArobaseError:
        return None  # the normal path says it
    return DeferredWorkspace(path, catalog, dossier_from_rows(rows, edition))
