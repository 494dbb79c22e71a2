"""The printed participation dossier: its content, built from a PdfSource, laid out in one pass.

The reportlab plumbing (page-number forms, headings that anchor themselves, the document template) is
``app.pdf.flow``; what every page carries is ``app.pdf.decoration``; the helpers shared with the blank
questionnaire (text, headings, lines, table of contents) are ``app.pdf.story``; the action fiches are
``app.pdf.fiches``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, BinaryIO

from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib.colors import HexColor
from reportlab.lib.units import cm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Spacer,
    Table,
)

from app.edition import Edition
from app.formats import plural, thousands
from app.model import KIND_LABELS, STATE_LABELS
from app.mosaic import Coverage, ServiceCoverage, coverage
from app.pdf import LABEL_NAME, PROGRESS_TOTAL, Cancelled, PdfCancelled, PdfReport, PdfSource, Progress
from app.pdf import styles as S
from app.pdf.decoration import PageDecoration
from app.pdf.fiches import FicheParts
from app.pdf.flow import Metadata, Para, Registry, ScaledDrawing, replace_style, write_story
from app.pdf.fonts import FontSet, register_fonts
from app.pdf.formats import iso_date, long_date, short_date
from app.pdf.lines import Line, Lines
from app.pdf.text import escape

PREP_SHARE = 150  # share of the progress bar for preparing the story (photos), the rest for the layout


def _bar(fraction: float, font: str, width: float = 3.2 * cm, height: float = 5.5) -> Drawing:
    d = Drawing(width, height, initialFontName=font)
    d.add(Rect(0, 0, width, height, fillColor=S.ACCENT_SOFT, strokeColor=S.RULE, strokeWidth=0.4))
    if fraction > 0:
        d.add(Rect(0, 0, width * min(1.0, fraction), height, fillColor=S.ACCENT, strokeColor=None))
    return d


# ---------------------------------------------------------------------------------------------- builder


class _Builder(FicheParts):
    """Turns a PdfSource into a story of flowables."""

    def __init__(self, source: PdfSource, fonts: FontSet, registry: Registry) -> None:
        super().__init__(fonts, registry)
        self.src = source
        self.edition: Edition = source.edition
        self.dossier = source.dossier
        self.profile = source.dossier.profile
        self.cov: Coverage = coverage(self.edition, self.dossier)
        self.draft = self.dossier.state == "brouillon"
        self.numbers = {a.uuid: i for i, a in enumerate(self.dossier.actions, start=1)}
        from app.mosaic_layout import level_colors

        self.level_colors = level_colors(self.edition.levels)

    # -- parts -------------------------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        st, p, prof = self.st, self.profile, self.profile
        out = self.cover_head(f"Dossier de participation — édition {self.edition.id}")
        name = prof.name.strip()
        out.append(Para(self.tb(name) if name else escape("(nom de la collectivité non renseigné)"), st.cover_name))
        details: list[str] = [escape(KIND_LABELS.get(p.kind, p.kind))]
        if p.code.strip():
            what = "SIREN" if p.kind == "epci" else "code INSEE"
            details[0] += f" — {what} {self.t(p.code)}"
        out += [Para(d, st.cover_detail) for d in details]
        rows: list[tuple[str, str]] = []
        rows.append(
            ("Population", f"{thousands(p.population)} habitants" if p.population is not None else "non renseignée")
        )
        if p.departement.strip():
            dep = self.t(p.departement)
            if self.src.departement_name:
                dep = f"{self.t(self.src.departement_name)} ({dep})"
            rows.append(("Département", dep))
        else:
            rows.append(("Département", "non renseigné"))
        if p.epci_name.strip() or p.epci_code.strip():
            epci = self.t(p.epci_name.strip() or p.epci_code)
            if p.epci_name.strip() and p.epci_code.strip():
                epci += f" (SIREN {self.t(p.epci_code)})"
            rows.append(("Intercommunalité", epci))
        address = ", ".join(
            x for x in (p.street.strip(), " ".join(y for y in (p.postal_code.strip(), p.city.strip()) if y)) if x
        )
        if address:
            rows.append(("Adresse", self.t(address)))
        referent = ", ".join(x for x in (p.referent_name.strip(), p.referent_role.strip()) if x)
        rows.append(("Référent", self.t(referent) if referent else "non renseigné"))
        contact = " — ".join(x for x in (p.referent_email.strip(), p.referent_phone.strip()) if x)
        if contact:
            rows.append(("Contact", self.t(contact)))
        rows.append(("Document établi le", long_date(self.src.today)))
        out.append(Spacer(1, 0.5 * cm))
        out.append(self.key_values(rows, 4.8 * cm, st.cover_detail))
        out.append(Spacer(1, 0.9 * cm))
        out.append(self.state_box())
        return out

    def state_lines(self) -> list[str]:
        d, snap = self.dossier, self.src.snapshot
        if snap is None and not self.draft:
            return [
                f"<b>État du dossier : {escape(STATE_LABELS.get(d.state, d.state))}</b> — révision {d.revision}",
                escape("L'empreinte de la version validée n'a pas été fournie à ce document."),
            ]
        if self.draft or snap is None:
            return [
                f"<b>État du dossier : brouillon</b> — révision {d.revision}",
                escape(
                    "Document de travail : ce n'est pas la version validée du dossier. Validez le dossier dans "
                    "Arobase avant de l'imprimer pour signature."
                ),
            ]
        lines = [f"<b>État du dossier : {escape(STATE_LABELS.get(d.state, d.state))}</b> — révision {d.revision}"]
        if snap.validated_at:
            lines.append(f"Validé le {escape(iso_date(snap.validated_at, self.src.tz))}")
        if snap.sent_at:
            lines.append(f"Envoyé à l'association le {escape(iso_date(snap.sent_at, self.src.tz))}")
        if snap.received_at:
            receipt = f" (accusé de réception n° {self.t(snap.receipt_id)})" if snap.receipt_id else ""
            lines.append(f"Reçu par l'association le {escape(iso_date(snap.received_at, self.src.tz))}{receipt}")
        lines.append(f"Empreinte SHA-256 de la version validée : {snap.sha256}")
        return lines

    def state_box(self) -> Table:
        style = replace_style(self.st.body, spaceAfter=2)
        color = S.DRAFT if self.draft else S.ACCENT
        frame = [
            ("BOX", (0, 0), (-1, -1), 1.2, color),
            ("BACKGROUND", (0, 0), (-1, -1), S.ACCENT_SOFT if not self.draft else HexColor("#FCEDEC")),
        ]
        return self.framed(self.state_lines(), style, frame)

    def summary(self) -> list[Flowable]:
        st, cov = self.st, self.cov
        out: list[Flowable] = [self.heading("Synthèse : la mosaïque des enjeux", st.h1, "synthese", "Synthèse", 0)]
        levels = {lv.id: 0 for lv in self.edition.levels}
        no_level = 0
        for a in self.dossier.actions:
            if a.level in levels:
                levels[a.level] += 1
            else:
                no_level += 1
        n = len(self.dossier.actions)
        by_level = ", ".join(f"{levels[lv.id]} {lv.label.lower()}" for lv in reversed(self.edition.levels))
        if no_level:
            by_level += f", {no_level} sans niveau"
        pct = round(100 * cov.covered / cov.total) if cov.total else 0
        out.append(
            Para(
                escape(
                    f"{n} action{'s' if n > 1 else ''} décrite{'s' if n > 1 else ''} ({by_level}) ; "
                    f"{cov.covered} service{'s' if cov.covered > 1 else ''} du questionnaire couvert"
                    f"{'s' if cov.covered > 1 else ''} sur {cov.total} ({pct} %)."
                ),
                st.body,
            )
        )
        out.append(Spacer(1, 4))
        out.append(self.mosaic())
        out.append(PageBreak())
        out.append(Para(escape("Couverture par thème et sous-thème"), st.h2))
        out.append(self.coverage_table())
        out.append(PageBreak())
        return out

    def mosaic(self) -> Flowable:
        from app.mosaic_layout import compute_layout
        from app.mosaic_reportlab import build_drawing

        # The mosaïque prints the collectivity's name: give it the name as the fonts can print it.
        name = self.tf.plain(self.profile.name, self.fonts.bold)
        printable = replace(self.dossier, profile=self.profile.updated(name=name))
        layout = compute_layout(self.edition, printable)
        drawing = build_drawing(layout, S.FRAME_WIDTH, font_name=self.fonts.regular, bold_font_name=self.fonts.bold)
        drawing.initialFontName = self.fonts.regular  # else the renderer first selects Helvetica (not embedded)
        return ScaledDrawing(drawing, S.FRAME_HEIGHT - 2 * cm)

    def coverage_table(self) -> Table:
        st = self.st
        header = [
            Para("<b>Thème et sous-thème</b>", st.cell),
            Para("<b>Services couverts</b>", st.cell_right),
            Para("<b>Part</b>", st.cell_right),
            "",
        ]
        rows: list[list[Any]] = [header]
        commands: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, S.ACCENT),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        for th in self.cov.themes:
            commands.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), S.ACCENT_SOFT))
            rows.append(self.coverage_row(self.tb(th.title), th.covered, th.total, st.cell_bold))
            for sub in th.subthemes:
                rows.append(
                    self.coverage_row("&nbsp;&nbsp;&nbsp;" + self.t(sub.title), sub.covered, sub.total, st.cell)
                )
            commands.append(("LINEBELOW", (0, len(rows) - 1), (-1, len(rows) - 1), 0.3, S.RULE))
        commands.append(("LINEABOVE", (0, len(rows)), (-1, len(rows)), 0.8, S.ACCENT))
        rows.append(self.coverage_row("<b>Ensemble du questionnaire</b>", self.cov.covered, self.cov.total, st.cell))
        table = Table(rows, colWidths=[S.FRAME_WIDTH - 7.4 * cm, 2.6 * cm, 1.3 * cm, 3.5 * cm], repeatRows=1)
        table.setStyle(self.table_style(commands))
        return table

    def coverage_row(self, markup: str, covered: int, total: int, style: Any) -> list[Any]:
        pct = round(100 * covered / total) if total else 0
        right = replace_style(style, alignment=2)
        return [
            Para(markup, style),
            Para(f"{covered} / {total}", right),
            Para(f"{pct}\u202f%", right),
            _bar(covered / total if total else 0, self.fonts.regular),
        ]

    def themes(self) -> list[Flowable]:
        st = self.st
        out: list[Flowable] = []
        for th, thc in zip(self.edition.themes, self.cov.themes, strict=True):
            out.append(self.heading(self.tb(th.title), st.h1, f"theme-{th.id}", th.title, 0, reserve=140))
            out.append(
                Para(
                    escape(
                        f"{thc.covered} service{'s' if thc.covered > 1 else ''} couvert"
                        f"{'s' if thc.covered > 1 else ''} sur {thc.total}."
                    ),
                    st.muted,
                )
            )
            for sub, subc in zip(th.subthemes, thc.subthemes, strict=True):
                out.append(self.heading(self.tb(sub.title), st.h2, f"sub-{sub.id}", sub.title, 1, reserve=100))
                out.append(Para(self.tf.markup(sub.question, self.fonts.italic), st.question))
                block = self.label_line(f"{subc.covered} / {subc.total} SERVICES COUVERTS", gap=0)
                for sc in subc.services:
                    block += self.service(sc)
                out.append(Lines(block, keep_first=3, frame_height=S.FRAME_HEIGHT, space_after=6))
            out.append(PageBreak())
        return out

    def service(self, sc: ServiceCoverage) -> list[Line]:
        """A service: its state in words (and the mosaïque's colour), its wording, the fiches that cover it."""
        if not sc.covered:
            state, square = "Non couvert", None
        elif sc.best_level is None:
            state, square = "Sans niveau", HexColor("#D9D9D9")
        else:
            state, square = sc.best_level.label, HexColor(self.level_colors.get(sc.best_level.id, "#1F3A5F"))
        out = self.lines(
            sc.label,
            x=S.STATE_INDENT,
            leading=12.5,
            gap=3,
            prefix=state,
            prefix_size=7.5,
            prefix_x=11,
            square=square,
            empty_square=square is None,
        )
        refs = []
        for uuid in sc.action_uuids:
            n = self.numbers.get(uuid)
            a = self.dossier.action(uuid) if n is not None else None
            if a is not None:
                refs.append(f"fiche n° {n} « {' '.join(a.title.split()) or '(action sans titre)'} »")
        if refs:
            label = "Action" if len(refs) == 1 else "Actions"
            out += self.lines(f"{label} : " + " · ".join(refs), x=S.STATE_INDENT, size=8, color=S.MUTED, leading=10.5)
        return out

    def epci(self) -> list[Flowable]:
        st = self.st
        out: list[Flowable] = [self.heading("Critères intercommunaux", st.h1, "epci", "Critères intercommunaux", 0)]
        answers = {a.criterion: a for a in self.dossier.epci_answers}
        for i, crit in enumerate(self.edition.epci_criteria, start=1):
            ans = answers.get(crit.id)
            value = None if ans is None else ans.answer
            word = {True: "Oui", False: "Non", None: "Sans réponse"}[value]
            block = self.lines(f"{i}. {crit.label}", font=self.fonts.bold, leading=13, gap=6)
            block += self.lines(
                word, x=S.META_INDENT, leading=13, prefix="Réponse", prefix_size=8, prefix_color=S.MUTED
            )
            keep = len(block)
            if ans is not None and ans.details.strip():
                block += self.text_lines(ans.details)
            out.append(Lines(block, keep_first=keep, frame_height=S.FRAME_HEIGHT, space_after=2))
        out.append(PageBreak())
        return out

    def validation(self) -> list[Flowable]:
        st, d, snap = self.st, self.dossier, self.src.snapshot
        out: list[Flowable] = [self.heading("Validation du dossier", st.h1, "validation", "Validation du dossier", 0)]
        name = self.profile.name.strip() or "la collectivité"
        intro = (
            f"Je soussigné(e) certifie l'exactitude des informations de ce dossier de participation de "
            f"{self.t(name)} au label {escape(LABEL_NAME)}, édition {escape(self.edition.id)}, "
            f"révision {d.revision}."
        )
        block: list[Flowable] = [Para(intro, st.body)]
        if snap is not None and not self.draft:
            block.append(
                Para(
                    escape(f"Version validée le {iso_date(snap.validated_at, self.src.tz)}, empreinte SHA-256 :"),
                    st.body,
                )
            )
            block.append(Para(snap.sha256, st.hash))
        else:
            block.append(
                Para(
                    "<b>Brouillon :</b> "
                    + escape(
                        "ce document n'est pas la version validée. Validez le dossier dans Arobase puis "
                        "imprimez-le de nouveau pour le faire signer."
                    ),
                    st.body,
                )
            )
        block.append(Spacer(1, 8))
        label = replace_style(st.body, fontName=self.fonts.bold, textColor=S.MUTED, spaceAfter=0)
        city = self.profile.city.strip()
        rows = [
            [Para("Nom et prénom", label), ""],
            [Para("Qualité", label), ""],
            [Para("Fait à", label), Para(self.t(city), st.body) if city else ""],
            [Para("Le", label), ""],
            [Para("Signature et cachet", label), ""],
        ]
        table = Table(
            rows, colWidths=[4.2 * cm, S.FRAME_WIDTH - 4.2 * cm], rowHeights=[None, None, None, None, 4.2 * cm]
        )
        table.setStyle(
            self.table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (1, 0), (1, 3), 0.5, S.MUTED),
                    ("BOX", (1, 4), (1, 4), 0.8, S.MUTED),
                    ("TOPPADDING", (0, 0), (-1, -1), 10),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                ]
            )
        )
        block.append(table)
        out.append(KeepTogether(block))
        return out

    def annex(self) -> list[Flowable]:
        st = self.st
        problems = list(self.src.problems)
        out: list[Flowable] = [PageBreak()]
        out.append(
            self.heading("Annexe : points à régler avant la validation", st.h1, "annexe", "Annexe : points à régler", 0)
        )
        n_block = sum(1 for p in problems if p.blocking)
        out.append(
            Para(
                escape(
                    f"Contrôle de complétude du {short_date(self.src.today)} : {plural(n_block, 'point bloquant')}, "
                    f"{plural(len(problems) - n_block, 'conseil')}."
                ),
                st.muted,
            )
        )
        block: list[Line] = []
        for prob in problems:
            block += self.lines(
                prob.message,
                x=2.2 * cm,
                leading=13,
                gap=3,
                prefix="Bloquant" if prob.blocking else "Conseil",
                prefix_color=S.DRAFT if prob.blocking else S.MUTED,
            )
        if block:
            out.append(Lines(block, frame_height=S.FRAME_HEIGHT))
        return out


def _receipt_number(source: PdfSource) -> str:
    """The receipt number of a received revision: from its receipt, or as the snapshot recorded it."""
    if source.receipt is not None and source.receipt.receipt.get("receipt_number"):
        return str(source.receipt.receipt["receipt_number"])
    snap = source.snapshot
    return snap.receipt_id or "" if snap is not None else ""


def render(
    source: PdfSource,
    out: BinaryIO,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PdfReport:
    """Lay out and write the whole PDF to ``out``."""

    def check() -> None:
        if cancelled is not None and cancelled():
            raise PdfCancelled()

    fonts = register_fonts()
    registry = Registry()
    b = _Builder(source, fonts, registry)
    if progress is not None:
        progress(0, PROGRESS_TOTAL)
    check()

    n_actions = max(1, len(source.dossier.actions))
    done = [0]

    def tick() -> None:
        done[0] += 1
        check()
        if progress is not None and done[0] % 10 == 0:
            progress(PREP_SHARE * done[0] // n_actions, PROGRESS_TOTAL)

    story: list[Flowable] = []
    story += b.cover()
    story += [NextPageTemplate("body"), PageBreak()]
    toc_at = len(story)
    story += b.summary()
    story += b.themes()
    story += b.actions(tick)
    if source.dossier.profile.kind == "epci":
        story += b.epci()
    story += b.validation()
    if b.draft and source.problems:
        story += b.annex()
    receipt: list[Flowable] = []
    if source.receipt is not None and not b.draft:
        from app.pdf.receipt import ReceiptParts

        receipt = [PageBreak(), *ReceiptParts(b, source.receipt).section(toc=True)]  # before the characters note
    # Footer texts pass through the filter too, before the note that lists what it replaced.
    name = " ".join(source.dossier.profile.name.split()) or "Collectivité sans nom"
    footer_name = b.tf.plain(name)
    if b.tf.replaced:
        story += b.characters_note()
    story += receipt  # the receipt is the last page
    story[toc_at:toc_at] = b.contents()
    check()

    d, snap = source.dossier, source.snapshot
    sha = snap.sha256 if snap is not None and not b.draft else None
    number = _receipt_number(source)
    if sha:
        ident = f"Révision {d.revision} · empreinte SHA-256 {sha[:12]}"
        if number:
            ident += f" · accusé {b.tf.plain(number)}"
    elif b.draft:
        ident = f"Révision {d.revision} · brouillon non validé, sans empreinte"
    else:
        ident = f"Révision {d.revision} · empreinte non fournie"
    decoration = PageDecoration(
        fonts=fonts,
        header=f"Label {LABEL_NAME} — dossier de participation, édition {source.edition.id}",
        who=footer_name,
        what=f" · édition {source.edition.id}",
        ident=ident,
        printed=f"Imprimé le {short_date(source.today)}",
        draft=b.draft,
    )
    metadata = Metadata(
        title=f"Dossier de participation {source.edition.id} — {name}",
        author=name,
        subject=f"Label {LABEL_NAME}, édition {source.edition.id} — révision {d.revision}"
        + (f" — SHA-256 {sha}" if sha else " — brouillon"),
        keywords=("Villes Internet", f"édition {source.edition.id}", f"révision {d.revision}"),
    )
    write_story(
        out,
        story,
        fonts=fonts,
        registry=registry,
        decoration=decoration,
        metadata=metadata,
        progress=progress,
        cancelled=cancelled,
        prep_share=PREP_SHARE,
    )
    return b.report(out, revision=d.revision, sha256=sha, draft=b.draft)
