"""The printed participation dossier: a PDF the mayor can sign, built from plain data.

``build_pdf(source, out)`` lays out the whole dossier with reportlab (cover, summary and mosaïque, table
of contents, themes, action fiches, EPCI criteria, validation block, annexes) in a single pass. Every
page carries the collectivity, the edition, "page N / M", the revision and, once validated, the first
12 hex digits of the snapshot's SHA-256, so that a paper copy can be matched to the revision sent.

``build_blank_pdf(blank_source(edition, now), out)`` prints the edition's blank questionnaire, to fill in
by hand: no collectivity, no dossier, no store needed (``app.pdf.blank``).

``build_receipt_pdf(receipt_source(ws, edition, keys=account.public_keys()), out)`` prints the
association's receipt of the latest received revision on one page (``app.pdf.receipt``); the dossier
of a received revision carries the same receipt on its last page and its number in the footer. The
signature is verified when the PDF is built, against the keys passed in (never a stored flag).

Dates and times are printed in local time (Europe/Paris unless a time zone is passed in).

``source_from_workspace(ws, edition_id)`` gathers that data from a store. A validated (sent, received)
dossier is printed from its frozen snapshot, after checking the snapshot's hash: what is printed is
byte for byte what was validated.

reportlab is imported only when a PDF is built (never when ``app`` is imported): the window must open
fast. Cancelling (``cancelled()`` returning True) raises :class:`PdfCancelled` and leaves no file.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from app.errors import ArobaseError, os_reason

if TYPE_CHECKING:
    from app.checks import Problem
    from app.edition import Edition
    from app.model import DossierData, SnapshotInfo
    from app.workspace import Workspace

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
AttachmentPath = Callable[[str], "Path | None"]

T = TypeVar("T")

LABEL_NAME = "Territoires, Villes & Villages Internet"
PROGRESS_TOTAL = 1000  # progress is reported as (done, PROGRESS_TOTAL)


class PdfError(ArobaseError):
    """The PDF could not be produced (unwritable file, damaged snapshot…); the message says what to do."""


class PdfCancelled(ArobaseError):
    """The user cancelled the generation; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Génération du PDF annulée : aucun fichier n'a été écrit.")


@dataclass(frozen=True, slots=True)
class ReceiptSource:
    """A receipt to print, and what its signature is checked against when the PDF is built.

    ``keys``: the server keys pinned at sign-in (``Account.public_keys()``; None when not signed in).
    ``payload_sha256``: the frozen revision's hash, when this computer has it. ``today`` is the local
    date printed; times are printed in ``tz`` (None: Europe/Paris).
    """

    receipt: Mapping[str, Any]
    keys: Mapping[str, bytes] | None
    today: date
    payload_sha256: str | None = None
    tz: tzinfo | None = None


@dataclass(frozen=True, slots=True)
class PdfSource:
    """Everything the printed dossier shows, as plain data.

    ``today`` is the local date printed. ``snapshot`` is the frozen revision (validated, sent or received
    dossiers): its hash is printed on every page, its times (UTC) in local time, in ``tz`` (None:
    Europe/Paris). ``problems`` (drafts) are listed in an annex. ``attachment_path`` gives the file of an
    attachment from its SHA-256 (None: not on this computer). ``departement_name`` is printed beside the
    code when known.
    """

    edition: Edition
    dossier: DossierData
    today: date
    snapshot: SnapshotInfo | None = None
    problems: Sequence[Problem] = ()
    attachment_path: AttachmentPath | None = None
    departement_name: str | None = None
    tz: tzinfo | None = None
    receipt: ReceiptSource | None = None  # a received revision: printed on the last page


@dataclass(frozen=True, slots=True)
class BlankSource:
    """What the blank questionnaire shows: an edition, and the day it is printed."""

    edition: Edition
    today: date


@dataclass(frozen=True, slots=True)
class PdfReport:
    """What was written (the blank questionnaire has no revision: 0, no hash, not a draft)."""

    pages: int
    size: int  # bytes
    revision: int
    sha256: str | None  # the snapshot's full hash, None for a draft
    draft: bool
    outline: tuple[tuple[int, str], ...]  # (level, title) of every bookmark, in order
    replaced: tuple[str, ...] = field(default=())  # "U+1F44D THUMBS UP SIGN" for each character printed as a marker
    path: Path | None = None


def build_pdf(
    source: PdfSource,
    out: Path | BinaryIO,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PdfReport:
    """Write the dossier's PDF to ``out`` (a path, written atomically, or a binary stream).

    ``progress(done, total)`` is called from the building thread; ``cancelled()`` is polled between
    flowables and raises :class:`PdfCancelled` when it returns True. On any failure no file is left
    behind (and nothing is written to a stream).
    """
    from app.pdf.document import render

    return _write(lambda fh: render(source, fh, progress=progress, cancelled=cancelled), out)


def build_blank_pdf(
    source: BlankSource,
    out: Path | BinaryIO,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PdfReport:
    """Write the edition's blank questionnaire to ``out``, like :func:`build_pdf` (atomic, cancellable)."""
    from app.pdf.blank import render_blank

    return _write(lambda fh: render_blank(source, fh, progress=progress, cancelled=cancelled), out)


def build_receipt_pdf(
    source: ReceiptSource,
    out: Path | BinaryIO,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PdfReport:
    """Write the one-page receipt (« accusé de réception ») to ``out``, like :func:`build_pdf`."""
    from app.pdf.receipt import render_receipt

    return _write(lambda fh: render_receipt(source, fh, progress=progress, cancelled=cancelled), out)


def receipt_source(
    ws: Workspace, edition_id: str | None = None, *, keys: Mapping[str, bytes] | None, tz: tzinfo | None = None
) -> ReceiptSource:
    """The receipt of the latest received revision of an edition (``app.receipts.NoReceipt`` when none yet)."""
    from app import receipts
    from app.pdf.formats import local_datetime

    entry = receipts.latest(ws, edition_id or ws.default_edition())
    assert entry.receipt is not None
    return ReceiptSource(entry.receipt, keys, local_datetime(ws.clock(), tz).date(), entry.payload_sha256, tz)


def receipt_filename(source: ReceiptSource) -> str:
    """``accuse-VI-2019-000001.pdf``."""
    number = "".join(ch for ch in str(source.receipt.get("receipt_number", "")) if ch.isalnum() or ch == "-")
    return f"accuse-{number or 'reception'}.pdf"


def blank_source(edition: Edition, now: datetime, tz: tzinfo | None = None) -> BlankSource:
    """The blank questionnaire of ``edition`` printed at ``now`` (naive UTC, as the clocks give), dated in ``tz``."""
    from app.pdf.formats import local_datetime

    return BlankSource(edition=edition, today=local_datetime(now, tz).date())


def blank_filename(edition: Edition) -> str:
    """``questionnaire-vierge-2019.pdf``."""
    return f"questionnaire-vierge-{edition.id}.pdf"


def copy_pdf(source: Path, target: Path) -> None:
    """Copy a built PDF to ``target``, atomically: what was previewed is what is saved, or nothing is."""

    def fill(fh: BinaryIO) -> None:
        with source.open("rb") as src:
            shutil.copyfileobj(src, fh)

    _atomic(target, fill)


def _write(render: Callable[[BinaryIO], PdfReport], out: Path | BinaryIO) -> PdfReport:
    """Run ``render`` into a temporary file renamed over ``out`` once complete, or into a stream."""
    if isinstance(out, (str, os.PathLike)):
        target = Path(out)
        return _with_path(_atomic(target, render), target)
    buffer = io.BytesIO()
    report = render(buffer)
    out.write(buffer.getvalue())
    return report


def _atomic(target: Path, fill: Callable[[BinaryIO], T]) -> T:
    """``fill`` a temporary file beside ``target``, synced, then renamed over it; on any failure, no file."""
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise PdfError(f"Impossible d'écrire dans le dossier {folder} : {os_reason(exc)}.") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            result = fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        _unlink(tmp)
        raise PdfError(f"Impossible d'écrire le PDF {target} : {os_reason(exc)}.") from None
    except BaseException:
        _unlink(tmp)
        raise
    return result


def source_from_workspace(
    ws: Workspace,
    edition_id: str | None = None,
    *,
    tz: tzinfo | None = None,
    keys: Mapping[str, bytes] | None = None,
) -> PdfSource:
    """Read what the PDF of an edition's dossier shows; a frozen revision is read from its snapshot.

    Dates and times are printed in ``tz`` (None: Europe/Paris); the completeness check keeps the
    store's own day. A received revision's receipt is verified with ``keys`` (the server keys pinned
    at sign-in, ``Account.public_keys()``; None: printed as not verified).
    """
    from app import receipts
    from app.checks import check_dossier
    from app.interchange import from_document
    from app.pdf.formats import local_datetime, local_zone
    from sync import dossier_format

    edition = ws.edition(edition_id or ws.default_edition())
    if not ws.has_dossier(edition.id):
        raise PdfError(f"Ce fichier ne contient pas de dossier pour l'édition {edition.id}.")
    dossier = ws.load(edition.id)
    today = ws.today()
    snapshot = None
    receipt = None
    problems: tuple[Problem, ...] = ()
    if dossier.state == "brouillon":
        problems = tuple(check_dossier(edition, dossier, today, ws.has_file))
    else:
        snapshot = next((s for s in ws.snapshots(edition.id) if s.revision == dossier.revision), None)
        if snapshot is None:
            raise PdfError(
                f"La version validée de la révision {dossier.revision} est introuvable : choisissez "
                "« Modifier (nouvelle révision) » puis validez de nouveau le dossier."
            )
        body = ws.snapshot_document(edition.id, snapshot.revision)
        if dossier_format.sha256_hex(dossier_format.canonical_json(body)) != snapshot.sha256:
            raise PdfError(
                f"La version validée de la révision {snapshot.revision} ne correspond plus à son empreinte : "
                "le fichier a été abîmé. Rouvrez le dossier (nouvelle révision) et validez-le de nouveau."
            )
        frozen = from_document({**body, "state": dossier.state}, edition)
        dossier = frozen if frozen.revision == dossier.revision else dossier
        entry = receipts.of_revision(ws, edition.id, snapshot.revision)
        if entry is not None and entry.receipt is not None:
            today = local_datetime(ws.clock(), tz).date()
            receipt = ReceiptSource(entry.receipt, keys, today, snapshot.sha256, tz)

    def attachment_path(sha256: str) -> Path | None:
        path = ws.attachment_path(sha256)
        return path if path.is_file() else None

    return PdfSource(
        edition=edition,
        dossier=dossier,
        today=local_datetime(ws.clock(), tz).date(),
        snapshot=snapshot,
        problems=problems,
        attachment_path=attachment_path,
        departement_name=_departement_name(dossier.profile.departement),
        tz=local_zone(tz),
        receipt=receipt,
    )


def suggested_filename(source: PdfSource) -> str:
    """``dossier-2019-29999-rev2.pdf``: edition, collectivity code and revision."""
    code = "".join(ch for ch in source.dossier.profile.code if ch.isalnum()) or "collectivite"
    return f"dossier-{source.edition.id}-{code}-rev{source.dossier.revision}.pdf"


def _departement_name(code: str) -> str | None:
    code = code.strip()
    if not code:
        return None
    try:
        from app.communes import CommuneIndex

        return CommuneIndex.load().departement_name(code)
    except ArobaseError:
        return None


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _with_path(report: PdfReport, path: Path) -> PdfReport:
    from dataclasses import replace

    return replace(report, path=path)
