"""What every printed document's content builder shares: text helpers, headings, lines, a table of contents.

User text never goes through reportlab's paragraph parser as markup: short items and long fields are
plain-text ``Lines`` blocks (``app.pdf.lines``), and the few paragraphs that hold user or edition text
get it escaped by ``app.pdf.text.TextFilter``, which also replaces, visibly, every character the fonts
cannot print (listed by :meth:`StoryBuilder.characters_note`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, HRFlowable, PageBreak, Spacer, Table, TableStyle

from app.pdf import LABEL_NAME, PdfReport
from app.pdf import styles as S
from app.pdf.flow import Heading, PageRef, Para, Registry, replace_style, text_width
from app.pdf.fonts import FontSet
from app.pdf.lines import Line, Lines, Measure
from app.pdf.text import TextFilter, describe, escape

MAX_NOTED_CHARACTERS = 200


class StoryBuilder:
    """The helpers of a document's builder: it turns plain data into a story of flowables."""

    def __init__(self, fonts: FontSet, registry: Registry) -> None:
        self.fonts = fonts
        self.st = S.make_styles(fonts)
        self.reg = registry
        self.tf = TextFilter(fonts.coverage, fonts.regular)
        self.measure = Measure()
        self.toc: list[tuple[int, str, str]] = []  # (level, markup, key)

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

    # -- blocks the documents share ----------------------------------------------------------------------

    def cover_head(self, what: str) -> list[Flowable]:
        """The top of a cover page: the label's name, what this document is (``what``), the rule under them."""
        st = self.st
        return [
            Spacer(1, 2.2 * cm),
            self.heading("LABEL NATIONAL", st.cover_kicker, "couverture", "Page de garde", 0, toc=False),
            Para(escape(LABEL_NAME), st.cover_label),
            Para(escape(what), st.cover_edition),
            Spacer(1, 0.5 * cm),
            HRFlowable(width="100%", thickness=2, color=S.ACCENT, spaceBefore=0, spaceAfter=0.9 * cm),
        ]

    def framed(self, lines: list[str], style: Any, frame: list[tuple[Any, ...]]) -> Table:
        """Lines of markup in a box as wide as the text (a dossier's state, an edition, a signature).

        ``frame`` holds the box's own commands (its ``BOX``, a ``BACKGROUND``); the padding is the same
        in every document.
        """
        table = Table([[Para(line, style)] for line in lines], colWidths=[S.FRAME_WIDTH])
        table.setStyle(
            self.table_style(
                [
                    *frame,
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                    ("TOPPADDING", (0, 0), (0, 0), 8),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                ]
            )
        )
        return table

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
                    x=text_width(text, self.fonts.bold, 7.3) + 4,
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

    def report(self, out: BinaryIO, *, revision: int, sha256: str | None, draft: bool = False) -> PdfReport:
        """What was written to ``out``: pages, size, outline, every character printed as a marker."""
        return PdfReport(
            pages=self.reg.page_count,
            size=out.tell() if out.seekable() else 0,
            revision=revision,
            sha256=sha256,
            draft=draft,
            outline=tuple(self.reg.outline),
            replaced=tuple(describe(ch) for ch in sorted(self.tf.replaced, key=ord)),
        )

    # -- shared parts -----------------------------------------------------------------------------------

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
