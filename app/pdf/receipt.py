"""« L'accusé de réception » on paper: one page of its own, or the last section of the received dossier.

Every field comes from the receipt the server signed; its text (the collectivity's name…) is data,
escaped by the story's text filter, never markup. The signature is checked here, when the PDF is
built (``app.receipts.check``), against the keys the source carries: a stored flag is never trusted.
Black ink, greys and a thick frame only, so that the page reads the same on a black-and-white printer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, BinaryIO

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from app.formats import file_size, plural, short_fingerprint, thousands
from app.pdf import LABEL_NAME, Cancelled, PdfReport, Progress, ReceiptSource
from app.pdf import styles as S
from app.pdf.decoration import PageDecoration
from app.pdf.flow import Metadata, Para, Registry, begin, replace_style, write_story
from app.pdf.fonts import register_fonts
from app.pdf.formats import local_datetime, long_date, short_date
from app.pdf.story import StoryBuilder
from app.pdf.text import escape
from app.receipts import SignatureStatus, check

TITLE = "Accusé de réception"
WARNING_SIGN, CHECK_SIGN = "\u26a0", "\u2713"  # ⚠ and ✓, in DejaVu Sans


def _text(receipt: Mapping[str, Any], key: str) -> str:
    value = receipt.get(key)
    return "" if value is None else str(value)


def _part(receipt: Mapping[str, Any], group: str, key: str) -> Any:
    value = receipt.get(group)
    return value.get(key) if isinstance(value, Mapping) else None


def received_at(receipt: Mapping[str, Any], source: ReceiptSource) -> str:
    """``1er décembre 2026 à 17:30 (heure de Paris)``: the server's UTC stamp in local time."""
    raw = _text(receipt, "received_at")
    try:
        moment = datetime.fromisoformat(raw.removesuffix("Z"))
    except ValueError:
        return raw or "(date absente)"
    local = local_datetime(moment, source.tz)
    zone = getattr(local.tzinfo, "key", None)
    where = "heure de Paris" if zone == "Europe/Paris" else f"heure {local.tzname() or 'locale'}"
    return f"{long_date(local.date())} à {local:%H:%M} ({where})"


def collectivity(receipt: Mapping[str, Any]) -> tuple[str, str]:
    """The collectivity's name and its code with its kind (``code INSEE 29999``, ``SIREN 200000172``)."""
    name = " ".join(str(_part(receipt, "collectivity", "name") or "").split())
    code = str(_part(receipt, "collectivity", "code") or "").strip()
    what = "SIREN" if len(code) == 9 and code.isdigit() else "code INSEE"
    return name or "(nom absent)", f"{what} {code}" if code else "(code absent)"


def attachments(receipt: Mapping[str, Any]) -> str:
    count, size = _part(receipt, "attachments", "count"), _part(receipt, "attachments", "bytes")
    if not isinstance(count, int) or not isinstance(size, int):
        return "(non indiquées)"
    if count == 0:
        return "aucune pièce jointe"
    return f"{plural(count, 'pièce jointe', 'pièces jointes')}, {file_size(size)} ({thousands(size)} octets)"


class ReceiptParts:
    """The receipt as flowables, on a story builder (the dossier's, or the receipt page's own)."""

    def __init__(self, builder: StoryBuilder, source: ReceiptSource) -> None:
        self.b = builder
        self.src = source
        self.receipt = source.receipt
        self.status: SignatureStatus = check(source.receipt, source.keys, source.payload_sha256)

    def section(self, *, toc: bool) -> list[Flowable]:
        b, st, r = self.b, self.b.st, self.receipt
        number = _text(r, "receipt_number") or "(numéro absent)"
        out: list[Flowable] = [b.heading(escape(TITLE), st.h1, "accuse", TITLE, 0, toc=toc)]
        if self.status.verified:
            intro = (
                f"L'association Villes Internet atteste avoir reçu le dossier de participation au label "
                f"{escape(LABEL_NAME)} décrit ci-dessous. Cet accusé est signé électroniquement par son serveur."
            )
        else:
            intro = escape(
                "Ce document reproduit un accusé de réception dont la signature n'a pas pu être vérifiée : "
                "voir l'avertissement ci-dessous avant de vous en servir."
            )
        out.append(Para(intro, st.body))
        out.append(Spacer(1, 6))
        out.append(Para(b.tb(f"N° {number}"), replace_style(st.cover_name, fontSize=20, leading=25)))
        name, code = collectivity(r)
        sha = _text(r, "payload_sha256")
        rows = [
            ("Reçu le", escape(received_at(r, self.src))),
            ("Collectivité", f"{b.tb(name)}<br/>{b.t(code)}"),
            ("Édition", b.t(_text(r, "edition") or "(absente)")),
            ("Révision", b.t(_text(r, "revision") or "(absente)")),
            (
                "Empreinte du dossier",
                f'<font size="13"><b>{b.tb(short_fingerprint(sha))}</b></font>' if sha else "(absente)",
            ),
            ("SHA-256 complet", f'<font size="7.5">{b.t(sha)}</font>' if sha else "(absent)"),
            ("Pièces jointes", escape(attachments(r))),
            ("Identifiant de l'envoi", f'<font size="8">{b.t(_text(r, "submission_uuid"))}</font>'),
        ]
        out.append(b.key_values(rows, 5.2 * cm, replace_style(st.cover_detail, fontSize=10.5, leading=14.5)))
        out.append(Spacer(1, 0.6 * cm))
        out.append(self.signature_box())
        out.append(Spacer(1, 0.4 * cm))
        out.append(
            Para(
                escape(
                    "Pour rapprocher ce document du dossier imprimé, comparez l'empreinte ci-dessus avec celle "
                    "imprimée en pied de page de chaque page du dossier (ses 12 premiers caractères)."
                ),
                st.muted,
            )
        )
        return [KeepTogether(out)]

    def signature_box(self) -> Table:
        b, status = self.b, self.status
        style = replace_style(b.st.body, fontSize=10.5, leading=14.5, spaceAfter=2)
        if status.verified:
            head = f"<b>{CHECK_SIGN} Signature vérifiée</b>"
            lines = [head, escape(status.text), escape("Vérification faite au moment de l'impression de ce document.")]
            frame = [("BOX", (0, 0), (-1, -1), 1.2, S.INK)]
        else:
            head = f"<b>{WARNING_SIGN} ATTENTION\u00a0: SIGNATURE NON VÉRIFIÉE</b>"
            lines = [head, escape(status.text)]
            frame = [("BOX", (0, 0), (-1, -1), 3.0, S.INK), ("BACKGROUND", (0, 0), (-1, -1), S.ACCENT_SOFT)]
        return b.framed(lines, style, frame)


def render_receipt(
    source: ReceiptSource,
    out: BinaryIO,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PdfReport:
    """Lay out and write the one-page receipt to ``out``."""
    begin(progress, cancelled)
    fonts = register_fonts()
    registry = Registry()
    b = StoryBuilder(fonts, registry)
    parts = ReceiptParts(b, source)
    r = source.receipt
    story: list[Flowable] = [Spacer(1, 0.6 * cm), *parts.section(toc=False)]
    name, _code = collectivity(r)
    number, edition = _text(r, "receipt_number"), _text(r, "edition")
    who = b.tf.plain(name)
    if b.tf.replaced:
        story += b.characters_note()
    sha = _text(r, "payload_sha256")
    decoration = PageDecoration(
        fonts=fonts,
        header=f"Label {LABEL_NAME} — accusé de réception, édition {edition}",
        who=who,
        what=f" · édition {edition} · accusé de réception",
        ident=f"Accusé {number} · révision {_text(r, 'revision')} · empreinte SHA-256 {sha[:12]}",
        printed=f"Imprimé le {short_date(source.today)}",
    )
    metadata = Metadata(
        title=f"{TITLE} {number} — {name}",
        author="Association Villes Internet",
        subject=f"Label {LABEL_NAME}, édition {edition} — révision {_text(r, 'revision')} — SHA-256 {sha}",
        keywords=("Villes Internet", f"édition {edition}", "accusé de réception", number),
    )
    write_story(
        out, story, fonts=fonts, registry=registry, decoration=decoration, metadata=metadata,
        progress=progress, cancelled=cancelled,
    )  # fmt: skip
    try:
        revision = int(r.get("revision") or 0)
    except (TypeError, ValueError):
        revision = 0
    return b.report(out, revision=revision, sha256=sha or None)
