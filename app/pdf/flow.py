"""The reportlab plumbing shared by the printed documents (the dossier, the blank questionnaire).

Page numbers that are only known at the end ("page N / M", the page of each entry of a table of
contents) are PDF form XObjects referenced on the page and defined when the canvas is saved, so a
document is laid out once, not twice as a ``multiBuild`` would. Headings carry their own anchor: when
one is drawn it records its page, bookmarks its position and adds its PDF outline entry.
``write_story`` lays a story out on A4 pages with our margins, fonts, metadata and page decoration,
polling for cancellation and reporting progress between flowables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol

from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from app.pdf import PROGRESS_TOTAL, Cancelled, PdfCancelled, Progress
from app.pdf import styles as S
from app.pdf.fonts import FontSet

CREATOR = "Arobase 0.1.0"


@dataclass
class Registry:
    """Page numbers learnt while laying out, turned into form XObjects when the canvas is saved."""

    pages: dict[str, int] = field(default_factory=dict)  # anchor key -> page number
    refs: set[str] = field(default_factory=set)  # anchor keys whose page number is printed somewhere
    outline: list[tuple[int, str]] = field(default_factory=list)
    page_count: int = 0
    forms: dict[str, Callable[[Canvas], None]] = field(default_factory=dict)  # drawn once, at the end
    # The running head: the last level-1 heading drawn, what it was when each page began, and the
    # pages that begin with a heading (they need no "(suite)").
    running: str = ""
    running_at: dict[int, str] = field(default_factory=dict)
    fresh_pages: set[int] = field(default_factory=set)


def page_form(key: str) -> str:
    return f"pg-{key}"


TOTAL_FORM = "pg-total"
PAGE_REF_BOX = 40.0  # width of the box of a page-number form


class PdfCanvas(Canvas):
    """Counts pages and, on save, defines the forms that print the page numbers known only at the end."""

    def __init__(self, *args: Any, registry: Registry, fonts: FontSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._registry = registry
        self._fonts = fonts

    def showPage(self) -> None:
        self._registry.page_count += 1
        super().showPage()
        _binary_stream(self._doc.Pages.pages[-1])

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
            self.beginForm(page_form(key), lowerx=0, lowery=-4, upperx=PAGE_REF_BOX, uppery=20)
            self.setFont(self._fonts.regular, S.BODY_SIZE)
            self.setFillColor(S.INK)
            self.drawRightString(PAGE_REF_BOX, 0, str(reg.pages.get(key, "–")))
            self.endForm()
        super().save()


def _binary_stream(page: Any) -> None:
    """Compress the page's content stream without reportlab's default ASCII85 layer on top.

    ASCII85 only makes the file 25 % bigger so that it survives 7-bit channels; reportlab's pure-Python
    encoder (its C accelerator is a separate package) cost a fifth of the build. What the page shows is
    unchanged; what reportlab would do at save time (``PDFPage.check_format``) is done here, one filter less.
    """
    from reportlab.pdfbase.pdfdoc import PDFStream, PDFZCompress

    if page.Contents or not page.stream or not page.compression:
        return
    stream = PDFStream(content=page.stream, filters=[PDFZCompress])
    stream.__Comment__ = "page stream"
    page.Contents = stream


class PdfDoc(BaseDocTemplate):
    """Polls for cancellation and reports progress between flowables."""

    def __init__(
        self,
        out: BinaryIO,
        *,
        registry: Registry,
        progress: Progress | None,
        cancelled: Cancelled | None,
        prep_share: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(out, **kwargs)
        self.registry = registry
        self._progress = progress
        self._cancelled = cancelled
        self._prep_share = prep_share  # the part of the progress bar already used before the layout
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
            done = self._prep_share + (PROGRESS_TOTAL - self._prep_share - 10) * (self._story_len - len(flowables)) // (
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
    registry: Registry | None = None
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
            page = canv.getPageNumber()
            self.registry.pages[key] = page
            self.registry.outline.append((level, title))
            _x, top = canv.absolutePosition(0, self.height)
            if top >= S.MARGIN_BOTTOM + S.FRAME_HEIGHT - 1:
                self.registry.fresh_pages.add(page)
            if level == 0:
                self.registry.running = ""
            elif level == 1:
                self.registry.running = title
        super().draw()


class PageRef(Flowable):
    """The page number of an anchor, right-aligned, printed through a form defined at the end."""

    def __init__(self, key: str, registry: Registry, width: float = 1.2 * cm) -> None:
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
        self.canv.doForm(page_form(self.key))
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


def begin(progress: Progress | None, cancelled: Cancelled | None) -> None:
    """A short document's start: cancelled before anything is done, or progress at zero."""
    if cancelled is not None and cancelled():
        raise PdfCancelled()
    if progress is not None:
        progress(0, PROGRESS_TOTAL)


def replace_style(style: Any, **changes: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{style.name}+", parent=style, **changes)


def text_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` points."""
    if text_width(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


class Decoration(Protocol):
    """What a document draws on its pages: callbacks for the cover and body templates, and forms drawn once."""

    def cover(self, canv: Canvas, doc: BaseDocTemplate) -> None: ...

    def body(self, canv: Canvas, doc: BaseDocTemplate) -> None: ...

    def forms(self) -> dict[str, Callable[[Canvas], None]]: ...


@dataclass(frozen=True, slots=True)
class Metadata:
    """The PDF's document information (shown by viewers, searched by file managers)."""

    title: str
    author: str
    subject: str
    keywords: Sequence[str]


def write_story(
    out: BinaryIO,
    story: list[Flowable],
    *,
    fonts: FontSet,
    registry: Registry,
    decoration: Decoration,
    metadata: Metadata,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    prep_share: int = 0,
) -> None:
    """Lay ``story`` out on A4 pages (template "cover" first, then "body") and write the PDF to ``out``."""
    registry.forms.update(decoration.forms())
    doc = PdfDoc(
        out,
        registry=registry,
        progress=progress,
        cancelled=cancelled,
        prep_share=prep_share,
        pagesize=(S.PAGE_WIDTH, S.PAGE_HEIGHT),
        leftMargin=S.MARGIN_LEFT,
        rightMargin=S.MARGIN_RIGHT,
        topMargin=S.MARGIN_TOP,
        bottomMargin=S.MARGIN_BOTTOM,
        title=metadata.title,
        author=metadata.author,
        subject=metadata.subject,
        creator=CREATOR,
        keywords=list(metadata.keywords),
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
            PageTemplate("cover", [frame], onPage=decoration.cover),
            PageTemplate("body", [frame], onPage=decoration.body),
        ]
    )

    def canvasmaker(*args: Any, **kwargs: Any) -> Canvas:
        return PdfCanvas(*args, registry=registry, fonts=fonts, **kwargs)

    doc.build_story(story, canvasmaker)
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
