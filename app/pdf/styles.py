"""Page geometry, colours and paragraph styles of the printed dossier (imports reportlab: load lazily)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm

from app.pdf.fonts import FontSet

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = MARGIN_RIGHT = 2.0 * cm
MARGIN_TOP = 2.0 * cm
MARGIN_BOTTOM = 2.3 * cm
FRAME_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

INK = HexColor("#1A1A1A")
MUTED = HexColor("#5B6470")
ACCENT = HexColor("#1F3A5F")
ACCENT_SOFT = HexColor("#E9EEF4")
RULE = HexColor("#C9D1DB")
DRAFT = HexColor("#B42318")
DRAFT_WATERMARK = HexColor("#F3D6D3")
WHITE = HexColor("#FFFFFF")

BODY_SIZE = 9.5
BODY_LEADING = BODY_SIZE * 1.38
STATE_INDENT = 2.7 * cm  # where a service's wording starts, after its state
META_INDENT = 2.6 * cm  # where the values of a fiche's metadata start, after their label


@dataclass(frozen=True, slots=True)
class Styles:
    cover_kicker: ParagraphStyle
    cover_label: ParagraphStyle
    cover_edition: ParagraphStyle
    cover_name: ParagraphStyle
    cover_detail: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    fiche: ParagraphStyle
    question: ParagraphStyle
    body: ParagraphStyle
    field: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    meta: ParagraphStyle
    lines: ParagraphStyle
    service: ParagraphStyle
    service_actions: ParagraphStyle
    bullet: ParagraphStyle
    toc_1: ParagraphStyle
    toc_2: ParagraphStyle
    center: ParagraphStyle
    hash: ParagraphStyle


def make_styles(fonts: FontSet) -> Styles:
    regular, bold, italic = fonts.regular, fonts.bold, fonts.italic
    body = ParagraphStyle(
        "body",
        fontName=regular,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.38,
        textColor=INK,
        spaceAfter=4,
        alignment=TA_LEFT,
        splitLongWords=1,
        allowWidows=0,
        allowOrphans=0,
    )

    def style(name: str, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, **kw)

    return Styles(
        cover_kicker=style("cover_kicker", fontName=bold, fontSize=10, leading=14, textColor=MUTED, spaceAfter=2),
        cover_label=style("cover_label", fontName=bold, fontSize=24, leading=29, textColor=ACCENT, spaceAfter=6),
        cover_edition=style("cover_edition", fontSize=13, leading=18, textColor=INK, spaceAfter=0),
        cover_name=style("cover_name", fontName=bold, fontSize=26, leading=31, textColor=INK, spaceAfter=6),
        cover_detail=style("cover_detail", fontSize=11, leading=15, textColor=INK, spaceAfter=2),
        h1=style("h1", fontName=bold, fontSize=17, leading=21, textColor=ACCENT, spaceBefore=0, spaceAfter=10),
        h2=style("h2", fontName=bold, fontSize=12.5, leading=16, textColor=ACCENT, spaceBefore=12, spaceAfter=3),
        h3=style("h3", fontName=bold, fontSize=10, leading=13, textColor=INK, spaceBefore=6, spaceAfter=2),
        fiche=style("fiche", fontName=bold, fontSize=13, leading=17, textColor=ACCENT, spaceBefore=14, spaceAfter=5),
        question=style("question", fontName=italic, textColor=MUTED, spaceAfter=6),
        body=body,
        field=style("field", spaceBefore=5),
        small=style("small", fontSize=8, leading=10.5, textColor=INK, spaceAfter=2),
        muted=style("muted", fontName=italic, textColor=MUTED),
        label=style(
            "label",
            fontName=bold,
            fontSize=7.5,
            leading=10,
            textColor=MUTED,
            spaceBefore=5,
            spaceAfter=1,
            keepWithNext=1,
        ),
        cell=style("cell", spaceAfter=0, leading=BODY_SIZE * 1.3),
        cell_bold=style("cell_bold", fontName=bold, spaceAfter=0, leading=BODY_SIZE * 1.3),
        cell_right=style("cell_right", spaceAfter=0, alignment=TA_RIGHT, leading=BODY_SIZE * 1.3),
        meta=style(
            "meta",
            leftIndent=2.6 * cm,
            bulletIndent=0,
            bulletFontName=bold,
            bulletFontSize=8,
            bulletColor=MUTED,
            spaceAfter=1,
        ),
        lines=style("lines", spaceAfter=2),
        service=style(
            "service",
            leftIndent=STATE_INDENT,
            bulletIndent=10,
            bulletFontName=bold,
            bulletFontSize=7.5,
            bulletColor=INK,
            spaceAfter=1,
        ),
        service_actions=style(
            "service_actions", leftIndent=STATE_INDENT, fontSize=8, leading=10.5, textColor=MUTED, spaceAfter=4
        ),
        bullet=style("bullet", leftIndent=12, bulletIndent=2, spaceAfter=2),
        toc_1=style("toc_1", fontName=bold, spaceBefore=5, spaceAfter=0, leading=BODY_SIZE * 1.3),
        toc_2=style("toc_2", leftIndent=14, spaceAfter=0, leading=BODY_SIZE * 1.3),
        center=style("center", alignment=TA_CENTER),
        hash=style("hash", fontSize=8.5, leading=11, textColor=INK),
    )
