"""The layout of the printed dossier with reportlab platypus, in one pass.

Page numbers that are only known at the end ("page N / M", the page of each entry of the table of
contents) are PDF form XObjects referenced on the page and defined when the canvas is saved, so the
whole document is laid out once, not twice as a ``multiBuild`` would. Headings carry their own anchor:
when one is drawn it records its page, bookmarks its position and adds its PDF outline entry.

User text never goes through reportlab's paragraph parser as markup: short items and the long fields of
the fiches are plain-text ``Lines`` blocks (``app.pdf.lines``), and the few paragraphs that hold user
text get it escaped by ``app.pdf.text.TextFilter``, which also replaces, visibly, every character the
fonts cannot print.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, BinaryIO

from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib.colors import HexColor
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from app.edition import Edition
from app.formats import plural, thousands
from app.model import DELIVERER_LABELS, KIND_LABELS, STATE_LABELS, ActionData, AttachmentRef
from app.mosaic import Coverage, ServiceCoverage, coverage
from app.pdf import PROGRESS_TOTAL, Cancelled, PdfCancelled, PdfReport, PdfSource, Progress
from app.pdf import styles as S
from app.pdf.fonts import FontSet, register_fonts
from app.pdf.lines import Line, Lines, Measure
from app.pdf.text import TextFilter, describe, escape

LABEL_NAME = "Territoires, Villes & Villages Internet"
CREATOR = "Arobase 0.1.0"
THUMB_MAX_PX = 640  # photos are embedded as thumbnails of at most this many pixels a side
THUMB_WIDTH, THUMB_HEIGHT = 5.2 * cm, 3.9 * cm
PREP_SHARE = 150  # share of the progress bar for preparing the story (photos), the rest for the layout
MAX_NOTED_CHARACTERS = 200

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def long_date(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def file_size(n: int) -> str:
    if n < 1024:
        return f"{n} octets"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} ko"
    return f"{n / (1024 * 1024):.1f} Mo".replace(".", ",")


# ---------------------------------------------------------------------------------------------- pages


@dataclass
class _Registry:
    """Page numbers learnt while laying out, turned into form XObjects when the canvas is saved."""

    pages: dict[str, int] = field(default_factory=dict)  # anchor key -> page number
    refs: set[str] = field(default_factory=set)  # anchor keys whose page number is printed somewhere
    outline: list[tuple[int, str]] = field(default_factory=list)
    page_count: int = 0
    forms: dict[str, Callable[[Canvas], None]] = field(default_factory=dict)  # drawn once, at the end


def _page_form(key: str) -> str:
    return f"pg-{key}"


TOTAL_FORM = "pg-total"
PAGE_REF_BOX = 40.0  # width of the box of a page-number form


class _Canvas(Canvas):
    """Counts pages and, on save, defines the forms that print the page numbers known only at the end."""

    def __init__(self, *args: Any, registry: _Registry, fonts: FontSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._registry = registry
        self._fonts = fonts

    def showPage(self) -> None:
        self._registry.page_count += 1
        super().showPage()

    def save(self) -> None:
        reg = self._registry
        self.beginForm(TOTAL_FORM, lowerx=0, lowery=-4, upperx=60, uppery=20)
        self.setFont(self._fonts.regular, 7.5)
        self.setFillColor(S.MUTED)
        self.drawString(0, 0, str(reg.page_count))
        self.endForm()
        for name, paint in reg.forms.items():
            self.beginForm(name)
            paint(self)
            self.endForm()
        for key in sorted(reg.refs):
            # Forms clip to their box: the number is right-aligned inside it, not left of its origin.
            self.beginForm(_page_form(key), lowerx=0, lowery=-4, upperx=PAGE_REF_BOX, uppery=20)
            self.setFont(self._fonts.regular, S.BODY_SIZE)
            self.setFillColor(S.INK)
            self.drawRightString(PAGE_REF_BOX, 0, str(reg.pages.get(key, "–")))
            self.endForm()
        super().save()


class _Doc(BaseDocTemplate):
    """Polls for cancellation and reports progress between flowables."""

    def __init__(
        self,
        out: BinaryIO,
        *,
        registry: _Registry,
        progress: Progress | None,
        cancelled: Cancelled | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(out, **kwargs)
        self.registry = registry
        self._progress = progress
        self._cancelled = cancelled
        self._story_len = 1
        self._last = -1

    def build_story(self, story: list[Flowable], canvasmaker: Callable[..., Canvas]) -> None:
        self._story_len = max(1, len(story))
        self.build(story, canvasmaker=canvasmaker)

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        if self._cancelled is not None and self._cancelled():
            raise PdfCancelled()
        super().handle_flowable(flowables)
        if self._progress is not None:
            done = PREP_SHARE + (PROGRESS_TOTAL - PREP_SHARE - 10) * (self._story_len - len(flowables)) // (
                self._story_len
            )
            if done > self._last:
                self._last = done
                self._progress(done, PROGRESS_TOTAL)


class Para(Paragraph):
    """A paragraph that remembers its line breaking: re-wrapping at the same width costs nothing.

    Keep-with-next groups and tables wrap their content once to measure it and again to place it; line
    breaking is most of the cost of a paragraph, and it depends only on the width.
    """

    _wrapped_at: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._wrapped_at == availWidth and hasattr(self, "blPara"):
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return size


class Heading(Para):
    """A heading that, when drawn, records its page, bookmarks its place and adds its outline entry.

    It never ends a page: if less than ``reserve`` points would remain under it, it moves to the next
    page (a cheap keep-with-next: reportlab's own wraps the whole group, long texts included, twice).
    """

    anchor: tuple[str, str, int] | None = None  # (key, outline title, outline level)
    registry: _Registry | None = None
    reserve: float = 40.0
    _forced = False

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        w, h = super().wrap(availWidth, availHeight)
        self._forced = availHeight < h + self.reserve and availHeight < S.FRAME_HEIGHT - 1
        return (w, availHeight + 1) if self._forced else (w, h)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self._forced:
            return []
        parts = super().split(availWidth, availHeight)
        if parts and parts[0] is not self:
            parts[0].anchor, parts[0].registry = self.anchor, self.registry
            for part in parts[1:]:
                part.anchor = None
        return parts

    def draw(self) -> None:
        canv = self.canv
        if self.anchor is not None and self.registry is not None:
            key, title, level = self.anchor
            canv.bookmarkHorizontal(key, 0, self.height + 6)
            canv.addOutlineEntry(title, key, level=level, closed=level > 0)
            self.registry.pages[key] = canv.getPageNumber()
            self.registry.outline.append((level, title))
        super().draw()


class PageRef(Flowable):
    """The page number of an anchor, right-aligned, printed through a form defined at the end."""

    def __init__(self, key: str, registry: _Registry, width: float = 1.2 * cm) -> None:
        super().__init__()
        self.key = key
        self.width = width
        self.height = S.BODY_SIZE * 1.3
        registry.refs.add(key)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.translate(self.width - PAGE_REF_BOX, 3)
        self.canv.doForm(_page_form(self.key))
        self.canv.restoreState()


class ScaledDrawing(Flowable):
    """A vector drawing shrunk, if needed, to fit the space left on the page (never enlarged)."""

    def __init__(self, drawing: Drawing, max_height: float) -> None:
        super().__init__()
        self.drawing = drawing
        self.max_height = max_height
        self.scale = 1.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        d = self.drawing
        self.scale = min(1.0, availWidth / d.width, min(self.max_height, availHeight) / d.height)
        if self.scale <= 0:
            self.scale = 1.0
        return d.width * self.scale, d.height * self.scale

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.scale(self.scale, self.scale)
        self.drawing.drawOn(self.canv, 0, 0)
        self.canv.restoreState()


def _bar(fraction: float, font: str, width: float = 3.2 * cm, height: float = 5.5) -> Drawing:
    d = Drawing(width, height, initialFontName=font)
    d.add(Rect(0, 0, width, height, fillColor=S.ACCENT_SOFT, strokeColor=S.RULE, strokeWidth=0.4))
    if fraction > 0:
        d.add(Rect(0, 0, width * min(1.0, fraction), height, fillColor=S.ACCENT, strokeColor=None))
    return d


# ---------------------------------------------------------------------------------------------- builder


class _Builder:
    """Turns a PdfSource into a story of flowables."""

    def __init__(self, source: PdfSource, fonts: FontSet, registry: _Registry) -> None:
        self.src = source
        self.edition: Edition = source.edition
        self.dossier = source.dossier
        self.profile = source.dossier.profile
        self.fonts = fonts
        self.st = S.make_styles(fonts)
        self.reg = registry
        self.tf = TextFilter(fonts.coverage, fonts.regular)
        self.measure = Measure()
        self.cov: Coverage = coverage(self.edition, self.dossier)
        self.draft = self.dossier.state == "brouillon"
        self.numbers = {a.uuid: i for i, a in enumerate(self.dossier.actions, start=1)}
        self.toc: list[tuple[int, str, str]] = []  # (level, markup, key)
        from app.mosaic_layout import level_colors

        self.level_colors = level_colors(self.edition.levels)

    # -- text helpers ------------------------------------------------------------------------------------

    def t(self, text: str) -> str:
        """One-line user or edition text as markup (regular face)."""
        return self.tf.markup(text, multiline=False)

    def tb(self, text: str) -> str:
        """One-line text in the bold face."""
        return self.tf.markup(text, self.fonts.bold, multiline=False)

    def table_style(self, commands: list[tuple[Any, ...]]) -> TableStyle:
        """A table style whose default face is ours (reportlab's default, Helvetica, is never embedded)."""
        return TableStyle([("FONT", (0, 0), (-1, -1), self.fonts.regular, S.BODY_SIZE), *commands])

    def heading(
        self, markup: str, style: Any, key: str, title: str, level: int, toc: bool = True, reserve: float = 40.0
    ) -> Heading:
        h = Heading(markup, style)
        h.reserve = reserve
        h.anchor = (key, " ".join(title.split()) or "(sans titre)", level)
        h.registry = self.reg
        if toc:
            self.toc.append((level, markup, key))
        return h

    def field(self, label: str, text: str, empty: str = "non renseigné") -> list[Line]:
        """A label and its text; an empty field is one line ("PARTENAIRES  non renseigné")."""
        body = self.text_lines(text)
        if not body:
            return self.label_line(label.upper(), empty)
        return self.label_line(label.upper()) + body

    def text_lines(self, text: str, x: float = 0.0) -> list[Line]:
        """A long text as lines: its line breaks kept, a little space between its paragraphs."""
        blocks = self.tf.paragraphs_plain(text)
        out: list[Line] = []
        for i, block in enumerate(blocks):
            for j, raw in enumerate(block.split("\n")):
                out += self.lines(raw, x=x, leading=S.BODY_LEADING, gap=4.0 if i and not j else 0.0)
        return out

    def lines(
        self,
        text: str,
        *,
        font: str | None = None,
        size: float = S.BODY_SIZE,
        color: Any = S.INK,
        x: float = 0.0,
        leading: float = 0.0,
        gap: float = 0.0,
        prefix: str = "",
        prefix_font: str | None = None,
        prefix_size: float = 0.0,
        prefix_color: Any = None,
        prefix_x: float = 0.0,
        square: Any = None,
        empty_square: bool = False,
        url: str = "",
    ) -> list[Line]:
        """Plain text (filtered: unprintable characters as markers) wrapped to the frame from ``x``."""
        font = font or self.fonts.regular
        wrapped = self.measure.wrap(self.tf.plain(text, font), font, size, S.FRAME_WIDTH - x)
        out = []
        for i, part in enumerate(wrapped):
            first = i == 0
            out.append(
                Line(
                    part,
                    font,
                    size,
                    color,
                    x=x,
                    leading=leading,
                    gap=gap if first else 0.0,
                    square=square if first else None,
                    empty_square=empty_square and first,
                    url=url,
                    prefix=prefix if first else "",
                    prefix_font=prefix_font or self.fonts.bold,
                    prefix_size=prefix_size or size,
                    prefix_color=prefix_color,
                    prefix_x=prefix_x,
                )
            )
        return out

    def label_line(self, text: str, note: str = "", gap: float = 5.0) -> list[Line]:
        """A small label ("SERVICES DU QUESTIONNAIRE"), optionally with a note ("aucun")."""
        if note:
            return [
                Line(
                    note,
                    self.fonts.italic,
                    8.3,
                    S.MUTED,
                    x=_width(text, self.fonts.bold, 7.3) + 4,
                    gap=gap,
                    leading=10,
                    prefix=text,
                    prefix_font=self.fonts.bold,
                    prefix_size=7.3,
                    prefix_color=S.MUTED,
                )
            ]
        return [Line(text, self.fonts.bold, 7.3, S.MUTED, gap=gap, leading=10, keep_with_next=True)]

    def anchor(self, key: str, title: str, level: int) -> Any:
        """What a Lines block calls when drawn: bookmark, outline entry, page number of ``key``."""
        title = " ".join(title.split()) or "(sans titre)"
        reg = self.reg

        def on_draw(canv: Canvas, top: float) -> None:
            canv.bookmarkHorizontal(key, 0, top + 6)
            canv.addOutlineEntry(title, key, level=level, closed=level > 0)
            reg.pages[key] = canv.getPageNumber()
            reg.outline.append((level, title))

        return on_draw

    # -- parts -------------------------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        st, p, prof = self.st, self.profile, self.profile
        out: list[Flowable] = [Spacer(1, 2.2 * cm)]
        out.append(self.heading("LABEL NATIONAL", st.cover_kicker, "couverture", "Page de garde", 0, toc=False))
        out.append(Para(escape(LABEL_NAME), st.cover_label))
        out.append(Para(escape(f"Dossier de participation — édition {self.edition.id}"), st.cover_edition))
        out.append(Spacer(1, 0.5 * cm))
        out.append(HRFlowable(width="100%", thickness=2, color=S.ACCENT, spaceBefore=0, spaceAfter=0.9 * cm))
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

    def key_values(self, rows: Iterable[tuple[str, str]], key_width: float, style: Any) -> Table:
        label_style = replace_style(style, fontName=self.fonts.bold, textColor=S.MUTED)
        data = [[Para(escape(k), label_style), Para(v, style)] for k, v in rows]
        table = Table(data, colWidths=[key_width, S.FRAME_WIDTH - key_width], hAlign="LEFT")
        table.setStyle(
            self.table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

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
            lines.append(f"Validé le {escape(_iso_date(snap.validated_at))}")
        if snap.sent_at:
            lines.append(f"Envoyé à l'association le {escape(_iso_date(snap.sent_at))}")
        if snap.received_at:
            receipt = f" (accusé de réception n° {self.t(snap.receipt_id)})" if snap.receipt_id else ""
            lines.append(f"Reçu par l'association le {escape(_iso_date(snap.received_at))}{receipt}")
        lines.append(f"Empreinte SHA-256 de la version validée : {snap.sha256}")
        return lines

    def state_box(self) -> Table:
        style = replace_style(self.st.body, spaceAfter=2)
        data = [[Para(line, style)] for line in self.state_lines()]
        table = Table(data, colWidths=[S.FRAME_WIDTH])
        color = S.DRAFT if self.draft else S.ACCENT
        table.setStyle(
            self.table_style(
                [
                    ("BOX", (0, 0), (-1, -1), 1.2, color),
                    ("BACKGROUND", (0, 0), (-1, -1), S.ACCENT_SOFT if not self.draft else HexColor("#FCEDEC")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                    ("TOPPADDING", (0, 0), (0, 0), 8),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                ]
            )
        )
        return table

    def contents(self) -> list[Flowable]:
        st = self.st
        out: list[Flowable] = [self.heading("Sommaire", st.h1, "sommaire", "Sommaire", 0, toc=False)]
        rows = []
        for level, markup, key in self.toc:
            style = st.toc_1 if level == 0 else st.toc_2
            rows.append([Para(f'<a href="#{key}">{markup}</a>', style), PageRef(key, self.reg)])
        table = Table(rows, colWidths=[S.FRAME_WIDTH - 1.6 * cm, 1.6 * cm])
        commands = [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, S.RULE),
        ]
        table.setStyle(self.table_style(commands))
        out.append(table)
        out.append(PageBreak())
        return out

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

    def actions(self, tick: Callable[[], None]) -> list[Flowable]:
        st = self.st
        n = len(self.dossier.actions)
        out: list[Flowable] = [self.heading("Fiches actions", st.h1, "actions", "Fiches actions", 0)]
        if not n:
            out.append(Para(escape("Le dossier ne contient aucune action."), st.muted))
        else:
            out.append(Para(escape(f"{n} fiche{'s' if n > 1 else ''} action, dans l'ordre du dossier."), st.muted))
        for i, a in enumerate(self.dossier.actions, start=1):
            out += self.fiche(i, a)
            tick()
        out.append(PageBreak())
        return out

    def fiche(self, n: int, a: ActionData) -> list[Flowable]:
        f, st = self.fonts, self.st
        title = " ".join(a.title.split())
        head = self.lines(
            f"Fiche n° {n} — {title or '(action sans titre)'}", font=f.bold, size=13, color=S.ACCENT, leading=17
        )
        keep = len(head)
        if a.level and self.edition.has_level(a.level):
            level = self.edition.level(a.level).label
        else:
            level = a.level or "non indiqué"
        meta = [
            ("Niveau", level, ""),
            ("Réalisée par", DELIVERER_LABELS.get(a.delivered_by or "", "non indiqué"), ""),
            ("Dates", _period(a.start_date, a.end_date), ""),
        ]
        link = a.web_link.strip()
        if link:
            url = link if link.lower().startswith(("http://", "https://")) and link.isprintable() else ""
            meta.append(("Lien web", link, url))
        for i, (label, value, url) in enumerate(meta):
            rows = self.lines(
                value,
                x=S.META_INDENT,
                leading=12.5,
                gap=5 if i == 0 else 0,
                prefix=label,
                prefix_size=8,
                prefix_color=S.MUTED,
                url=url,
                color=S.ACCENT if url else S.INK,
            )
            head += rows
            keep += len(rows)
        if a.services:
            head += self.label_line("SERVICES DU QUESTIONNAIRE")
            for sid in a.services:
                if self.edition.has_service(sid):
                    sv = self.edition.service(sid)
                    text = f"{sv.label} ({self.edition.subtheme(sv.subtheme_id).title})"
                else:
                    text = f"{sid} (service inconnu de l'édition {self.edition.id})"
                head += self.lines(text, x=10, leading=12.5, prefix="•", prefix_font=f.regular, prefix_x=2)
        else:
            head += self.label_line("SERVICES DU QUESTIONNAIRE", "aucun service lié")
        for label, text in (
            ("Synthèse", a.synthesis),
            ("Résultats", a.results),
            ("Outils", a.tools),
            ("Partenaires", a.partners),
        ):
            head += self.field(label, text)
        if a.addresses:
            head += self.label_line("ADRESSES")
            for ad in a.addresses:
                place = ", ".join(
                    x
                    for x in (ad.street.strip(), " ".join(y for y in (ad.postal_code.strip(), ad.city.strip()) if y))
                    if x
                )
                text = (f"{ad.label.strip()} — " if ad.label.strip() else "") + place
                head += self.lines(text, x=10, leading=12.5, prefix="•", prefix_font=f.regular, prefix_x=2)
        else:
            head += self.label_line("ADRESSES", "aucune")
        files, thumbs = self.attachments(a.attachments)
        head += files
        # One block per fiche: it splits between lines, never after a label, never inside its heading.
        out: list[Flowable] = [
            Lines(
                head,
                space_before=16 if n > 1 else 10,
                reserve=3 * cm,
                keep_first=keep,
                on_draw=self.anchor(f"action-{n}", f"{n}. {title or '(action sans titre)'}", 1),
                rule=S.RULE if n > 1 else None,
                frame_height=S.FRAME_HEIGHT,
            )
        ]
        if thumbs is not None:
            out.append(thumbs)
        del st
        return out

    def attachments(self, refs: tuple[AttachmentRef, ...]) -> tuple[list[Line], Table | None]:
        """The lines that list attachments, and a table of photo thumbnails (None without photos)."""
        st, f = self.st, self.fonts
        if not refs:
            return self.label_line("PIÈCES JOINTES", "aucune"), None
        files = self.label_line("PIÈCES JOINTES")
        thumbs: list[Any] = []
        for ref in refs:
            path = self.src.attachment_path(ref.sha256) if self.src.attachment_path else None
            image = _thumbnail(path) if path is not None and ref.media_type.startswith("image/") else None
            if image is not None:
                caption = f'{self.t(ref.name)} <font color="#5B6470">— {escape(file_size(ref.size))}</font>'
                thumbs.append([image, Para(caption, st.small)])
                continue
            note = ""
            if path is None:
                note = " — fichier absent de cet ordinateur"
            elif ref.media_type.startswith("image/"):
                note = " — aperçu impossible"
            files += self.lines(
                f"{ref.name} — {file_size(ref.size)}{note}",
                x=10,
                leading=12.5,
                prefix="•",
                prefix_font=f.regular,
                prefix_x=2,
            )
        table = None
        if thumbs:
            per_row = 3
            grid = [thumbs[i : i + per_row] for i in range(0, len(thumbs), per_row)]
            cells = [[*row, *[""] * (per_row - len(row))] for row in grid]
            table = Table(cells, colWidths=[S.FRAME_WIDTH / per_row] * per_row, hAlign="LEFT")
            table.setStyle(
                self.table_style(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                        ("TOPPADDING", (0, 0), (-1, -1), 4),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ]
                )
            )
        return files, table

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
                Para(escape(f"Version validée le {_iso_date(snap.validated_at)}, empreinte SHA-256 :"), st.body)
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

    def characters_note(self) -> list[Flowable]:
        st = self.st
        replaced = self.tf.replaced
        out: list[Flowable] = [
            self.heading("Note sur les caractères", st.h2, "caracteres", "Note sur les caractères", 0)
        ]
        out.append(
            Para(
                escape(
                    "Certains caractères saisis ne figurent pas dans les polices de ce document (émoticônes, "
                    "écritures non latines…). Ils ne sont pas omis : chacun est imprimé sous la forme de son "
                    "code Unicode entre crochets, par exemple [U+1F44D]."
                ),
                st.body,
            )
        )
        items = sorted(replaced.items(), key=lambda kv: ord(kv[0]))
        block: list[Line] = []
        for ch, count in items[:MAX_NOTED_CHARACTERS]:
            times = f" ({count} fois)" if count > 1 else ""
            block += self.lines(
                describe(ch) + times, x=10, leading=12.5, prefix="•", prefix_font=self.fonts.regular, prefix_x=2
            )
        if len(items) > MAX_NOTED_CHARACTERS:
            block += self.lines(f"… et {len(items) - MAX_NOTED_CHARACTERS} autres.", color=S.MUTED)
        out.append(Lines(block, frame_height=S.FRAME_HEIGHT))
        return out


def replace_style(style: Any, **changes: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{style.name}+", parent=style, **changes)


def _iso_date(value: str) -> str:
    """``2026-11-23T10:30:00Z`` as ``23/11/2026 à 10:30 (UTC)``."""
    try:
        day, time = value.rstrip("Z").split("T", 1)
        d = date.fromisoformat(day)
        return f"{short_date(d)} à {time[:5]} (UTC)"
    except ValueError:
        return value


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"du {short_date(start)} au {short_date(end)}"
    if start:
        return f"depuis le {short_date(start)}"
    if end:
        return f"jusqu'au {short_date(end)}"
    return "non indiquées"


def _thumbnail(path: Any) -> Image | None:
    """A photo as a small JPEG (EXIF rotation applied), or None if it cannot be read as an image."""
    try:
        from PIL import Image as PILImage
        from PIL import ImageOps

        with PILImage.open(path) as im:
            im.draft("RGB", (THUMB_MAX_PX, THUMB_MAX_PX))
            im = ImageOps.exif_transpose(im)
            im.thumbnail((THUMB_MAX_PX, THUMB_MAX_PX))
            if im.mode not in ("RGB", "L"):
                im = im.convert("RGBA")
                background = PILImage.new("RGB", im.size, (255, 255, 255))
                background.paste(im, mask=im.getchannel("A"))
                im = background
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=82)
            w, h = im.size
    except Exception:  # any unreadable, truncated or exotic image: listed by name instead
        return None
    if not w or not h:
        return None
    scale = min(THUMB_WIDTH / w, THUMB_HEIGHT / h)
    buf.seek(0)
    return Image(buf, width=w * scale, height=h * scale, hAlign="LEFT")


# ---------------------------------------------------------------------------------------------- render


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
    registry = _Registry()
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
    # Footer texts pass through the filter too, before the note that lists what it replaced.
    name = " ".join(source.dossier.profile.name.split()) or "Collectivité sans nom"
    footer_name = b.tf.plain(name)
    if b.tf.replaced:
        story += b.characters_note()
    story[toc_at:toc_at] = b.contents()
    check()

    d, snap = source.dossier, source.snapshot
    sha = snap.sha256 if snap is not None and not b.draft else None
    page_deco = _PageDecoration(
        fonts=fonts,
        collectivity=footer_name,
        edition=source.edition.id,
        revision=d.revision,
        sha12=sha[:12] if sha else None,
        draft=b.draft,
        printed=short_date(source.today),
    )
    registry.forms.update(page_deco.forms())
    title = f"Dossier de participation {source.edition.id} — {name}"
    subject = f"Label {LABEL_NAME}, édition {source.edition.id} — révision {d.revision}" + (
        f" — SHA-256 {sha}" if sha else " — brouillon"
    )
    doc = _Doc(
        out,
        registry=registry,
        progress=progress,
        cancelled=cancelled,
        pagesize=(S.PAGE_WIDTH, S.PAGE_HEIGHT),
        leftMargin=S.MARGIN_LEFT,
        rightMargin=S.MARGIN_RIGHT,
        topMargin=S.MARGIN_TOP,
        bottomMargin=S.MARGIN_BOTTOM,
        title=title,
        author=name,
        subject=subject,
        creator=CREATOR,
        keywords=["Villes Internet", f"édition {source.edition.id}", f"révision {d.revision}"],
        lang="fr-FR",
        initialFontName=fonts.regular,
        initialFontSize=S.BODY_SIZE,
    )
    frame = Frame(
        S.MARGIN_LEFT,
        S.MARGIN_BOTTOM,
        S.FRAME_WIDTH,
        S.FRAME_HEIGHT,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates(
        [
            PageTemplate("cover", [frame], onPage=page_deco.cover),
            PageTemplate("body", [frame], onPage=page_deco.body),
        ]
    )

    def canvasmaker(*args: Any, **kwargs: Any) -> Canvas:
        return _Canvas(*args, registry=registry, fonts=fonts, **kwargs)

    doc.build_story(story, canvasmaker)
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    size = out.tell() if out.seekable() else 0
    return PdfReport(
        pages=registry.page_count,
        size=size,
        revision=d.revision,
        sha256=sha,
        draft=b.draft,
        outline=tuple(registry.outline),
        replaced=tuple(describe(ch) for ch in sorted(b.tf.replaced, key=ord)),
    )


@dataclass(frozen=True, slots=True)
class _PageDecoration:
    """What every page carries: watermark and header of a draft, and the footer that identifies the copy."""

    fonts: FontSet
    collectivity: str
    edition: str
    revision: int
    sha12: str | None
    draft: bool
    printed: str

    def cover(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        self._page(canv, "deco-cover")

    def body(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        self._page(canv, "deco-body")

    def forms(self) -> dict[str, Callable[[Canvas], None]]:
        """The parts that are the same on every page, drawn once as forms (defined when the canvas is saved)."""
        return {
            "deco-cover": lambda canv: self.paint(canv, header=False),
            "deco-body": lambda canv: self.paint(canv, header=True),
        }

    def _page(self, canv: Canvas, form: str) -> None:
        canv.doForm(form)
        canv.saveState()
        canv.setFillColor(S.MUTED)
        canv.setFont(self.fonts.regular, 7.5)
        canv.drawRightString(self.page_x, self.y1, f"Page {canv.getPageNumber()} /")
        canv.translate(self.page_x + 2.2, self.y1)
        canv.doForm(TOTAL_FORM)
        canv.restoreState()

    @property
    def page_x(self) -> float:
        return S.PAGE_WIDTH - S.MARGIN_RIGHT - 1.3 * cm

    @property
    def y1(self) -> float:
        return S.MARGIN_BOTTOM - 0.95 * cm

    def paint(self, canv: Canvas, *, header: bool) -> None:
        f = self.fonts
        left, right = S.MARGIN_LEFT, S.PAGE_WIDTH - S.MARGIN_RIGHT
        canv.saveState()
        if self.draft:
            canv.saveState()
            canv.setFillColor(S.DRAFT_WATERMARK)
            canv.setFont(f.bold, 96)
            canv.translate(S.PAGE_WIDTH / 2, S.PAGE_HEIGHT / 2)
            canv.rotate(52)
            canv.drawCentredString(0, -34, "BROUILLON")
            canv.restoreState()
        top = S.PAGE_HEIGHT - S.MARGIN_TOP + 0.75 * cm
        if header:
            canv.setFont(f.regular, 7.5)
            canv.setFillColor(S.MUTED)
            canv.drawString(left, top, f"Label {LABEL_NAME} — dossier de participation, édition {self.edition}")
            canv.setStrokeColor(S.RULE)
            canv.setLineWidth(0.4)
            canv.line(left, top - 4, right, top - 4)
        if self.draft:
            canv.setFont(f.bold, 8.5)
            canv.setFillColor(S.DRAFT)
            canv.drawRightString(right, top, "BROUILLON — non validé")
        # Footer: who, which edition, which revision and its hash (the page number is drawn on each page).
        y1 = self.y1
        y2 = y1 - 10
        canv.setStrokeColor(S.RULE)
        canv.setLineWidth(0.4)
        canv.line(left, y1 + 10, right, y1 + 10)
        canv.setFillColor(S.MUTED)
        who = _fit(self.collectivity, f.bold, 7.5, self.page_x - left - 3.2 * cm)
        canv.setFont(f.bold, 7.5)
        canv.drawString(left, y1, who)
        canv.setFont(f.regular, 7.5)
        canv.drawString(left + _width(who, f.bold, 7.5), y1, f" · édition {self.edition}")
        if self.sha12:
            ident = f"Révision {self.revision} · empreinte SHA-256 {self.sha12}"
        elif self.draft:
            ident = f"Révision {self.revision} · brouillon non validé, sans empreinte"
        else:
            ident = f"Révision {self.revision} · empreinte non fournie"
        canv.drawString(left, y2, ident)
        canv.drawRightString(right, y2, f"Imprimé le {self.printed}")
        canv.restoreState()


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` points."""
    if _width(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _width(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"
