"""What the print preview builds: the dossier's PDF or the edition's blank questionnaire.

A job is plain data handed to ``PrintPreviewDialog``: what to do first on the GUI thread (save the
pending edits of the dossier), what to read (on the store lane of the window's TaskRunner, queued after
those edits, so the PDF shows every one of them), the function that builds the PDF from what was read
(on the background lane, polling the cancel flag: an autosave never waits behind a PDF), and the words
the dialog uses for it. The blank questionnaire reads only the edition, never the store: it works on an
empty file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.formats import plural, short_fingerprint
from app.pdf import (
    Cancelled,
    PdfReport,
    Progress,
    blank_filename,
    blank_source,
    build_blank_pdf,
    build_pdf,
    build_receipt_pdf,
    receipt_filename,
    receipt_source,
    source_from_workspace,
    suggested_filename,
)
from ui.dossier_controller import DossierController
from ui.file_dialogs import documents_folder

Read = Callable[[], Any]  # the document's source, read on the store lane
Build = Callable[[Any, Path, Progress, Cancelled], tuple[str, PdfReport]]  # (suggested file name, report)
Keys = Callable[[], Mapping[str, bytes] | None]  # the server keys pinned at sign-in, read when the PDF is made


def not_signed_in() -> Mapping[str, bytes] | None:
    return None


@dataclass(frozen=True)
class PreviewJob:
    """A PDF to preview, print and save, and how the dialog speaks of it."""

    read: Read
    build: Build
    describe: Callable[[PdfReport], str]  # the line under the pages
    folder: Path  # where "Enregistrer en PDF…" proposes to save
    suggested_name: str  # before the first build
    before: Callable[[], None]  # on the GUI thread, before each build
    title: str
    preparing: str
    what: str  # "le dossier", "le questionnaire vierge": in the buttons' accessible names and dialog titles


def dossier_job(controller: DossierController, keys: Keys = not_signed_in) -> PreviewJob:
    """The dossier's PDF, with every edit made so far (the pending ones are queued first).

    ``keys``: a received revision's receipt (its last page, its footer) is checked against them when
    the PDF is made; without them it prints « signature non vérifiée ».
    """
    ws, edition_id = controller.ws, controller.edition.id

    def read() -> Any:
        return source_from_workspace(ws, edition_id, keys=keys())

    def build(source: Any, target: Path, progress: Progress, cancelled: Cancelled) -> tuple[str, PdfReport]:
        return suggested_filename(source), build_pdf(source, target, progress=progress, cancelled=cancelled)

    def describe(report: PdfReport) -> str:
        state = "brouillon" if report.draft else f"code de la version {short_fingerprint(report.sha256 or '')}"
        return f"{plural(report.pages, 'page')} · révision {report.revision} · {state}"

    return PreviewJob(
        read=read,
        build=build,
        describe=describe,
        folder=documents_folder(),
        suggested_name=f"dossier-{edition_id}.pdf",
        before=controller.save_pending,
        title="Aperçu avant impression",
        preparing="Préparation du dossier à imprimer…",
        what="le dossier",
    )


def blank_job(controller: DossierController) -> PreviewJob:
    """The blank questionnaire of the edition on screen: no collectivity, no dossier, no store read."""
    edition, clock = controller.edition, controller.ws.clock
    name = blank_filename(edition)

    def build(source: Any, target: Path, progress: Progress, cancelled: Cancelled) -> tuple[str, PdfReport]:
        return name, build_blank_pdf(source, target, progress=progress, cancelled=cancelled)

    def describe(report: PdfReport) -> str:
        return f"{report.pages} pages · questionnaire vierge de l'édition {edition.id}, à remplir à la main"

    return PreviewJob(
        read=lambda: blank_source(edition, clock()),
        build=build,
        describe=describe,
        folder=documents_folder(),
        suggested_name=name,
        before=lambda: None,
        title="Questionnaire vierge\u00a0: aperçu avant impression",
        preparing="Préparation du questionnaire vierge…",
        what="le questionnaire vierge",
    )


def receipt_job(controller: DossierController, edition_id: str, keys: Keys) -> PreviewJob:
    """« Imprimer l'accusé de réception »: the one-page receipt of the edition's latest received revision."""
    ws = controller.ws

    def build(source: Any, target: Path, progress: Progress, cancelled: Cancelled) -> tuple[str, PdfReport]:
        return receipt_filename(source), build_receipt_pdf(source, target, progress=progress, cancelled=cancelled)

    def describe(report: PdfReport) -> str:
        return f"Accusé de réception de l'édition {edition_id}, révision {report.revision}"

    return PreviewJob(
        read=lambda: receipt_source(ws, edition_id, keys=keys()),
        build=build,
        describe=describe,
        folder=documents_folder(),
        suggested_name=f"accuse-{edition_id}.pdf",
        before=lambda: None,
        title="Accusé de réception : aperçu avant impression",
        preparing="Préparation de l'accusé de réception…",
        what="l'accusé de réception",
    )
