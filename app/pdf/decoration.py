"""What every printed page carries: the header, the footer that identifies the copy, a draft's watermark.

The parts that are the same on every page are drawn once, as forms defined when the canvas is saved;
only "Page N /" is drawn on each page, followed by the total page count's form (known at the end).
Each document says what its footer holds: the dossier its collectivity, revision and hash, the blank
questionnaire its edition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate

from app.pdf import styles as S
from app.pdf.flow import TOTAL_FORM, Registry, fit, text_width
from app.pdf.fonts import FontSet

FOOTER_SIZE = 7.5


@dataclass(frozen=True, slots=True)
class PageDecoration:
    """Header (body pages), two footer lines and, for a draft, the watermark and the red header note.

    First footer line: ``who`` in bold (shortened to fit), then ``what``; second line: ``ident`` on the
    left and ``printed`` on the right. With ``running``, a page that goes on with a section begun on
    an earlier page says so at the right of its header; the text is a form written at the end, once
    it is known whether the page begins with a new heading.
    """

    fonts: FontSet
    header: str
    who: str
    what: str
    ident: str
    printed: str
    draft: bool = False
    running: Registry | None = None  # print the running head ("Sous-thème (suite)") of this layout

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
        if self.running is not None and not self.draft:
            self._running_head(canv, self.running, canv.getPageNumber())
        canv.saveState()
        canv.setFillColor(S.MUTED)
        canv.setFont(self.fonts.regular, FOOTER_SIZE)
        canv.drawRightString(self.page_x, self.y1, f"Page {canv.getPageNumber()} /")
        canv.translate(self.page_x + 2.2, self.y1)
        canv.doForm(TOTAL_FORM)
        canv.restoreState()

    def _running_head(self, canv: Canvas, registry: Registry, page: int) -> None:
        registry.running_at[page] = registry.running
        name = f"run-{page}"

        def paint(c: Canvas) -> None:
            title = "" if page in registry.fresh_pages else registry.running_at.get(page, "")
            if title:
                c.setFont(self.fonts.italic, FOOTER_SIZE)
                c.setFillColor(S.MUTED)
                width = S.FRAME_WIDTH / 2
                c.drawRightString(
                    S.PAGE_WIDTH - S.MARGIN_RIGHT,
                    S.PAGE_HEIGHT - S.MARGIN_TOP + 0.75 * cm,
                    fit(f"{title} (suite)", self.fonts.italic, FOOTER_SIZE, width),
                )

        registry.forms[name] = paint
        canv.doForm(name)

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
            canv.setFont(f.regular, FOOTER_SIZE)
            canv.setFillColor(S.MUTED)
            canv.drawString(left, top, self.header)
            canv.setStrokeColor(S.RULE)
            canv.setLineWidth(0.4)
            canv.line(left, top - 4, right, top - 4)
        if self.draft:
            canv.setFont(f.bold, 8.5)
            canv.setFillColor(S.DRAFT)
            canv.drawRightString(right, top, "BROUILLON — non validé")
        # Footer (the page number is drawn on each page).
        y1 = self.y1
        y2 = y1 - 10
        canv.setStrokeColor(S.RULE)
        canv.setLineWidth(0.4)
        canv.line(left, y1 + 10, right, y1 + 10)
        canv.setFillColor(S.MUTED)
        who = fit(self.who, f.bold, FOOTER_SIZE, self.page_x - left - 3.2 * cm)
        canv.setFont(f.bold, FOOTER_SIZE)
        canv.drawString(left, y1, who)
        canv.setFont(f.regular, FOOTER_SIZE)
        canv.drawString(left + text_width(who, f.bold, FOOTER_SIZE), y1, self.what)
        canv.drawString(left, y2, self.ident)
        canv.drawRightString(right, y2, self.printed)
        canv.restoreState()
