"""The dossier controller's save pipeline: queued edits written in batches on the store lane, kept and
retried when a write fails, and written synchronously when the window closes.

``DossierController`` (``ui/dossier_controller.py``) holds the dossier and turns each edit into an
``app.edits`` item; this base class decides nothing about *what* changed, only how it reaches the disk
and how a failure is said (``saved``, ``save_failed``, ``last_error``). Its subclass provides ``ws``,
``runner``, ``edition``, ``clock`` and ``_dossier`` (to name an edit in a message).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from app.edits import ActionCreate, Edit, EditReport, PendingEdits, describe
from app.errors import ArobaseError, StoreError
from ui.qt import QObject, QTimer, Signal

if TYPE_CHECKING:
    from app.edition import Edition
    from app.model import DossierData
    from app.workspace import Workspace
    from ui.tasks import TaskRunner

RETRY_DELAY_MS = 5000  # after a failed write (store locked, disk full): try again without waiting for an edit
KEPT = "Vos modifications restent affichées et seront enregistrées dès que possible."
Monotonic = Callable[[], float]


class DossierSaving(QObject):
    """Pending edits, the batches being written, the retry timer, and what the last failure said."""

    saved = Signal(object)  # datetime of the last commit
    save_failed = Signal(str)  # French sentence

    ws: Workspace
    runner: TaskRunner
    edition: Edition
    clock: Callable[[], datetime]
    _dossier: DossierData

    def __init__(self, parent: QObject | None = None, monotonic: Monotonic = time.monotonic) -> None:
        super().__init__(parent)
        self._edits = PendingEdits(monotonic)
        self._in_flight: list[list[Edit]] = []  # batches handed to the store lane, not yet answered
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.save_pending)
        self.last_saved: datetime | None = None
        self.last_error = ""  # the French reason of the last failed write, "" once written

    def has_pending(self) -> bool:
        """Edits typed and not yet known to be on disk (queued or being written)."""
        return bool(self._edits) or bool(self._in_flight)

    def save_pending(self) -> None:
        """Hand every queued edit to the store lane now, as one batch (the timer calls this)."""
        self._timer.stop()
        if not self._edits or self.runner.closed:  # closed: the window's shutdown wrote them (flush_now)
            return
        batch = self._edits.take()
        self._in_flight.append(batch)
        edition_id = self.edition.id
        self.runner.run(
            lambda: self.ws.apply_edits(edition_id, batch),
            lambda report: self._batch_done(batch, report),
            lambda exc: self._batch_failed(batch, exc),
            owner=self,
        )

    def flush_now(self) -> bool:
        """Write what is queued on this thread (the window closing, after draining the runner).

        Returns whether everything typed is on disk; on failure the edits stay queued and
        ``last_error`` says why, so the window can offer to retry or export.
        """
        self._timer.stop()
        if self._in_flight:  # the caller did not drain: nothing can be said yet
            return False
        if not self._edits:  # all written (an item refused for good was said, and stays on screen)
            self.last_error = ""
            return True
        batch = self._edits.take()
        try:
            report = self.ws.apply_edits(self.edition.id, batch)
        except Exception as exc:
            self._edits.put_back(batch)
            self._timer.start(RETRY_DELAY_MS)  # the window may stay open: keep retrying by itself
            self.last_error = _reason(exc)
            return False
        self._report(report)
        self._committed()
        return not report.failed

    def _queue(self, edit: Edit) -> None:
        self._edits.add(edit)
        self._timer.start(self._edits.delay_ms())

    def _committed(self) -> None:
        self.last_saved = self.clock()
        self.saved.emit(self.last_saved)

    def _batch_done(self, batch: list[Edit], report: EditReport) -> None:
        self._forget(batch)
        self._report(report)
        if not report.failed:
            self.last_error = ""
        self._committed()

    def _report(self, report: EditReport) -> None:
        """Items that could not be written: retried when the cause may pass, else said and dropped."""
        retry = [f.edit for f in report.failed if f.retry]
        if retry:
            self._edits.put_back(retry)
            self._timer.start(RETRY_DELAY_MS)
        for failure in (f for f in report.failed if not f.retry):
            if isinstance(failure.edit, ActionCreate):  # nothing else of that action can be written
                self._edits.drop_action(failure.edit.uuid)
            what = describe(failure.edit, self._dossier)
            self.last_error = (
                f"La modification de {what} n'a pas pu être enregistrée\u00a0: {failure.message} "
                "Elle reste affichée\u00a0: exportez le dossier (Fichier\u00a0› Exporter) pour la garder."
            )
            self.save_failed.emit(self.last_error)

    def _batch_failed(self, batch: list[Edit], exc: BaseException) -> None:
        # Keep every edit (newer ones win) so that nothing typed is dropped, and try again soon.
        self._forget(batch)
        self._edits.put_back(batch)
        self._timer.start(RETRY_DELAY_MS)
        self._failed(exc)

    def _forget(self, batch: list[Edit]) -> None:
        self._in_flight = [b for b in self._in_flight if b is not batch]

    def report_store_failure(self, exc: BaseException) -> None:
        """The store could not be opened after the window showed the dossier (``app.first_read``): said in
        the status bar; the next store work (an autosave, its retries) tries again."""
        self.save_failed.emit(f"{_reason(exc)} {KEPT}")
        if not isinstance(exc, ArobaseError | StoreError):
            raise exc

    def _failed(self, exc: BaseException) -> None:
        self.last_error = _reason(exc)
        self.save_failed.emit(f"{self.last_error} {KEPT}")
        if not isinstance(exc, ArobaseError | StoreError):
            raise exc


def _reason(exc: BaseException) -> str:
    """The French sentence to show for a failed write."""
    if isinstance(exc, ArobaseError):
        return exc.message
    if isinstance(exc, StoreError):
        return str(exc)
    return "Enregistrement impossible\u00a0: une erreur inattendue s'est produite."
