"""« Envoyer »: every pending outbox entry to the association's server, exactly once, receipt verified.

Order for one entry: preflight (once per send), then its attachments through tus (resumed at the
server's offset), then the submission with Idempotency-Key = its uuid. A retry after any fault first
asks ``GET /submissions/{uuid}``: a 201 whose answer was lost (or a crash before the local commit) is
recognised and its receipt stored, never posted twice. Retryable faults back off with jitter; others
put the entry in « à vérifier » with the server's French explanation, and no automatic retry. Each
entry fails on its own; a later revision of the same dossier waits for the earlier one.

The window calls ``send_pending`` on its background lane with a progress callback and a ``CancelFlag``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app import outbox
from app.account import Account
from app.network import SyncSettings, api_for
from app.secrets import SecretStore

if TYPE_CHECKING:
    import requests

    from app.workspace import Workspace
    from sync.client import Api

FORGED = (
    "L'accusé de réception reçu ne porte pas la signature du serveur de l'association enregistrée à la "
    "connexion\u00a0: il n'a pas été gardé. Prévenez l'association avant de renvoyer."
)
OTHER_COLLECTIVITY = (
    "Ce dossier est celui de la collectivité {theirs}, mais cet ordinateur est connecté pour {mine}\u00a0: "
    "rien n'a été envoyé. Connectez-vous avec le code d'activation de la bonne collectivité."
)
WAITING_PREVIOUS = "La révision précédente de ce dossier doit d'abord être reçue par l'association."


class CancelFlag:
    """Set from the GUI thread, read by the sending thread between chunks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True)
class Progress:
    """Bytes of attachments the server holds for this send, out of ``total``; ``entry`` being sent."""

    sent: int
    total: int
    entry: str
    edition: str
    revision: int


@dataclass(frozen=True)
class Outcome:
    submission_uuid: str
    edition: str
    revision: int
    state: str
    message: str = ""
    receipt_number: str | None = None


@dataclass
class SendReport:
    outcomes: list[Outcome] = field(default_factory=list)
    problem: str | None = None  # a fault before any entry (preflight, sign-in): nothing was sent
    wire_bytes: int = 0  # attachment bytes put on the wire (cuts make some travel twice)
    cancelled: bool = False

    @property
    def all_sent(self) -> bool:
        return self.problem is None and all(o.state == "envoye" for o in self.outcomes)


def _code(text: str) -> str:
    return "".join(text.split())


def _parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Run:
    ws: Workspace
    api: Api
    account: Account
    settings: SyncSettings
    progress: Callable[[Progress], None]
    cancelled: Callable[[], bool]
    sleep: Callable[[float], None]
    rng: Callable[[], float]
    total: int
    done: int = 0
    wire: int = 0

    def backoff(self, attempt: int, retry_after: float | None) -> None:
        delay = min(self.settings.backoff_cap, self.settings.backoff_base * 2**attempt)
        delay = delay * (0.5 + self.rng())  # jitter: town halls cut off together do not come back together
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.settings.backoff_cap))
        end = time.monotonic() + delay
        while not self.cancelled():
            left = end - time.monotonic()
            if left <= 0:
                return
            self.sleep(min(left, 0.1))

    def finish(self, entry: outbox.Entry, receipt: dict[str, Any]) -> Outcome:
        from sync.errors import NeedsAttention
        from sync.receipt import verify

        if not (
            verify(receipt, self.account.public_keys())
            and receipt.get("submission_uuid") == entry.submission_uuid
            and receipt.get("payload_sha256") == entry.payload_sha256
        ):
            raise NeedsAttention(FORGED)
        outbox.record_receipt(self.ws, entry.id, receipt, _parse_stamp(receipt["received_at"]))
        return Outcome(entry.submission_uuid, entry.edition, entry.revision, "envoye", "", receipt["receipt_number"])

    def upload_all(self, entry: outbox.Entry) -> None:
        from sync.tus import Transfer, upload

        urls = outbox.uploads_of(self.ws, entry.id)
        base = self.done
        for f in entry.attachments:
            t = Transfer(f["sha256"], int(f["size"]), self.ws.store.files.path_of(f["sha256"]), f["name"],
                         urls.get(f["sha256"]))  # fmt: skip

            def report(offset: int, _sent: int, start: int = base) -> None:
                self.progress(Progress(start + offset, self.total, entry.submission_uuid, entry.edition,
                                       entry.revision))  # fmt: skip

            def wire(n: int) -> None:
                self.wire += n

            upload(self.api, t, on_url=lambda url, sha=t.sha256: outbox.remember_upload(self.ws, entry.id, sha, url),
                   on_progress=report, on_wire=wire, cancelled=self.cancelled,
                   chunk_bytes=self.settings.chunk_bytes)  # fmt: skip
            base += t.size

    def body(self, entry: outbox.Entry, replaces: str | None) -> dict[str, Any]:
        doc = outbox.snapshot_document(self.ws, entry.id)
        return {
            "submission_uuid": entry.submission_uuid, "edition": entry.edition, "revision": entry.revision,
            "replaces": replaces, "payload_sha256": entry.payload_sha256, "dossier": doc,
        }  # fmt: skip

    def send(self, entry: outbox.Entry, replaces: str | None) -> Outcome:
        from sync.errors import AuthRequired, Cancelled, NeedsAttention, Retryable

        reconcile = outbox.started(self.ws, entry.id) > 0
        last = ""
        for attempt in range(self.settings.max_attempts):
            try:
                if reconcile:
                    found = self.api.receipt(entry.submission_uuid)
                    if found is not None:
                        return self.finish(entry, found)
                self.upload_all(entry)
                body = self.body(entry, replaces)
                outbox.update(self.ws, entry.id, posted=True)
                reconcile = True
                return self.finish(entry, self.api.submit(body))
            except Cancelled as exc:
                outbox.update(self.ws, entry.id, state="en_attente", last_error=exc.message)
                raise
            except AuthRequired as exc:
                outbox.update(self.ws, entry.id, state="en_attente", last_error=exc.message)
                raise
            except NeedsAttention as exc:
                outbox.update(self.ws, entry.id, state="a_verifier", last_error=exc.message)
                return Outcome(entry.submission_uuid, entry.edition, entry.revision, "a_verifier", exc.message)
            except Retryable as exc:
                last = exc.message
                reconcile = True
                outbox.update(self.ws, entry.id, last_error=exc.message)
                if attempt + 1 < self.settings.max_attempts:
                    self.backoff(attempt, exc.retry_after)
                    if self.cancelled():  # « Annuler » cut the line: the entry waits, it is not « en cours »
                        stop = Cancelled()
                        outbox.update(self.ws, entry.id, state="en_attente", last_error=stop.message)
                        raise stop from None
        outbox.update(self.ws, entry.id, state="en_attente", last_error=last)
        return Outcome(entry.submission_uuid, entry.edition, entry.revision, "en_attente", last)


def replaces_for(ws: Workspace, entry: outbox.Entry) -> str | None:
    """The previous revision's uuid as frozen, unless that one never reached the server: then the latest received."""
    if entry.replaces is None:
        return None
    received = [
        e for e in outbox.entries(ws, ("envoye",)) if e.edition == entry.edition and e.revision < entry.revision
    ]
    if any(e.submission_uuid == entry.replaces for e in received):
        return entry.replaces
    return received[-1].submission_uuid if received else None


def send_pending(
    ws: Workspace,
    account: Account,
    settings: SyncSettings,
    session: requests.Session,
    secrets: SecretStore,
    *,
    progress: Callable[[Progress], None] = lambda p: None,
    cancelled: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> SendReport:
    """Send every pending entry; never raises a sync fault (each ends in the report, in French)."""
    from sync.errors import AuthRequired, Cancelled, Retryable, SyncError

    report = SendReport()
    pending = outbox.entries(ws, outbox.PENDING)
    if not pending:
        return report
    api = api_for(settings, session, secrets, account)
    run = _Run(ws, api, account, settings, progress, cancelled, sleep, rng, sum(e.bytes_total for e in pending))
    for attempt in range(settings.max_attempts):
        try:
            api.preflight()
            break
        except Retryable as exc:
            if attempt + 1 == settings.max_attempts:
                report.problem = exc.message
                return report
            run.backoff(attempt, exc.retry_after)
        except SyncError as exc:
            report.problem = exc.message
            return report
    waiting: set[str] = set()
    try:
        for entry in pending:
            if entry.edition in waiting:
                report.outcomes.append(Outcome(entry.submission_uuid, entry.edition, entry.revision, "en_attente",
                                               WAITING_PREVIOUS))  # fmt: skip
                continue
            theirs = _code(str(outbox.snapshot_document(ws, entry.id)["collectivity"].get("code", "")))
            if theirs != _code(account.code):
                message = OTHER_COLLECTIVITY.format(theirs=theirs or "(sans code)", mine=account.code)
                outbox.update(ws, entry.id, state="a_verifier", last_error=message)
                report.outcomes.append(Outcome(entry.submission_uuid, entry.edition, entry.revision, "a_verifier",
                                               message))  # fmt: skip
                waiting.add(entry.edition)
                continue
            outcome = run.send(entry, replaces_for(ws, entry))
            run.done += entry.bytes_total
            report.outcomes.append(outcome)
            if outcome.state != "envoye":
                waiting.add(entry.edition)
    except Cancelled as exc:
        report.cancelled, report.problem = True, exc.message
    except AuthRequired as exc:
        report.problem = exc.message
    report.wire_bytes = run.wire
    return report
