"""Short structured text (fiche headers, lists of services, addresses, problems) drawn as plain lines.

Platypus paragraphs parse markup and lay out each paragraph as its own object; for the many short,
bounded items of the dossier (a service's wording, an address, a date) that costs more than the text
itself. A :class:`Lines` block is wrapped once when it is built (the frame width is known), draws all its
lines in a single PDF text object, and splits between lines. Its text is plain: nothing in it is ever
read as markup, so it needs no escaping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.platypus import Flowable

_ASCII_SPACE = " \t\n\r\f\v"
_BREAKABLE = re.compile(r"[ \t\n\r\f\v]+")  # not str.split(): it would break at U+00A0 and U+202F too


@dataclass(frozen=True, slots=True)
class Line:
    """One line: its text, face, size and colour, its left offset, and the space it takes (leading)."""

    text: str
    font: str
    size: float
    color: Color
    x: float = 0.0
    leading: float = 0.0  # 0: 1.35 × size
    gap: float = 0.0  # extra space above this line (between items)
    square: Color | None = None  # a small square drawn at x=0 (the mosaïque's colour of a state)
    empty_square: bool = False
    url: str = ""  # the line is a link to this address
    prefix: str = ""  # drawn at ``prefix_x`` on the same baseline (a label, a bullet, a state)
    prefix_font: str = ""
    prefix_size: float = 0.0
    prefix_color: Color | None = None
    prefix_x: float = 0.0
    keep_with_next: bool = False  # never the last line of a page (a label stays with its text)

    @property
    def height(self) -> float:
        return self.gap + (self.leading or self.size * 1.35)


class Measure:
    """Widths of words in a face and size, remembered (a dossier repeats the same words thousands of times)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, float], dict[str, float]] = {}

    def width(self, text: str, font: str, size: float) -> float:
        cache = self._cache.get((font, size))
        if cache is None:
            cache = self._cache[(font, size)] = {}
        w = cache.get(text)
        if w is None:
            w = cache[text] = stringWidth(text, font, size)
        return w

    def wrap(self, text: str, font: str, size: float, width: float) -> list[str]:
        """Greedy line breaking at spaces; a word wider than the line is cut between characters.

        Only ASCII white space breaks a line: a no-break space (before « : » or inside « ») holds.
        """
        words = [w for w in _BREAKABLE.split(text.strip(_ASCII_SPACE)) if w]
        if not words:
            return [""]
        space = self.width(" ", font, size)
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word in words:
            w = self.width(word, font, size) if len(word) < 64 else stringWidth(word, font, size)
            if w > width:
                if current:
                    lines.append(" ".join(current))
                    current, used = [], 0.0
                pieces = self._cut(word, font, size, width)
                lines += pieces[:-1]
                current, used = [pieces[-1]], stringWidth(pieces[-1], font, size)
                continue
            extra = w + (space if current else 0.0)
            if current and used + extra > width:
                lines.append(" ".join(current))
                current, used = [word], w
            else:
                current.append(word)
                used += extra
        if current:
            lines.append(" ".join(current))
        return lines

    def _cut(self, word: str, font: str, size: float, width: float) -> list[str]:
        pieces: list[str] = []
        start, used = 0, 0.0
        for i, ch in enumerate(word):
            w = self.width(ch, font, size)
            if used + w > width and i > start:
                pieces.append(word[start:i])
                start, used = i, 0.0
            used += w
        pieces.append(word[start:])
        return pieces


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking at spaces (see :meth:`Measure.wrap`), without a shared cache."""
    return Measure().wrap(text, font, size, width)


class Lines(Flowable):
    """Pre-wrapped lines drawn in one text object; it splits between lines.

    ``reserve``: the block never ends a page with less than this many points under its first lines
    (a heading keeps company with what follows). ``keep_first``: how many lines must stay together at
    the top (a heading's own lines). ``on_draw(canvas, top)`` runs when the first part is drawn (an
    anchor records its page there); ``rule`` draws a thin line above the block.
    """

    def __init__(
        self,
        lines: Sequence[Line],
        *,
        space_before: float = 0.0,
        space_after: float = 0.0,
        reserve: float = 0.0,
        keep_first: int = 1,
        on_draw: Any = None,
        rule: Color | None = None,
        frame_height: float = 1e9,
    ) -> None:
        super().__init__()
        self.lines = list(lines)
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.reserve = reserve
        self.keep_first = max(1, min(keep_first, len(self.lines)))
        self.on_draw = on_draw
        self.rule = rule
        self.frame_height = frame_height
        self.height = sum(line.height for line in self.lines)
        self._forced = False

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        head = sum(line.height for line in self.lines[: self.keep_first])
        need = min(self.height, head + self.reserve) if self.reserve else 0.0
        self._forced = availHeight < need and availHeight < self.frame_height - 1
        return (availWidth, availHeight + 1) if self._forced else (availWidth, self.height)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self._forced:
            return []
        used, n = 0.0, 0
        for line in self.lines:
            if used + line.height > availHeight + 1e-6:
                break
            used += line.height
            n += 1
        while n > self.keep_first and self.lines[n - 1].keep_with_next:
            n -= 1
        if n < self.keep_first or n >= len(self.lines):
            return []
        first = Lines(
            self.lines[:n],
            space_before=self.spaceBefore,
            keep_first=self.keep_first,
            on_draw=self.on_draw,
            rule=self.rule,
        )
        rest = [line if i else _without_gap(line) for i, line in enumerate(self.lines[n:])]
        second = Lines(rest, space_after=self.spaceAfter, frame_height=self.frame_height)
        return [first, second]

    def draw(self) -> None:
        canv = self.canv
        top = self.height
        if self.rule is not None:
            canv.setStrokeColor(self.rule)
            canv.setLineWidth(0.6)
            y = top + self.spaceBefore * 0.55
            canv.line(0, y, self.width, y)
        if self.on_draw is not None:
            self.on_draw(canv, top)
        text = canv.beginText()
        font: tuple[str, float] | None = None
        color: Color | None = None
        y = top
        squares: list[tuple[float, float, Color | None]] = []
        links: list[tuple[str, tuple[float, float, float, float]]] = []
        ascents: dict[tuple[str, float], float] = {}
        # Runs of lines in the same size, offset and leading are drawn with T* (next line), not positioned
        # one by one: smaller page streams, fewer numbers to format.
        flowing: tuple[float, float, float] | None = None  # (x, size, leading) the cursor is ready for
        for line in self.lines:
            leading = line.leading or line.size * 1.35
            y -= line.gap
            key = (line.font, line.size)
            ascent = ascents.get(key)
            if ascent is None:
                ascent = ascents[key] = getAscentDescent(line.font, line.size)[0]
            baseline = y - ascent - (leading - line.size * 1.2) / 2
            if line.prefix:
                text.setFont(line.prefix_font, line.prefix_size)
                text.setFillColor(line.prefix_color or line.color)
                text.setTextOrigin(line.prefix_x, baseline)
                text.textOut(line.prefix)
                font, color, flowing = (line.prefix_font, line.prefix_size), line.prefix_color or line.color, None
            if key != font:
                font = key
                text.setFont(line.font, line.size, leading)
                flowing = None
            if line.color is not color:
                color = line.color
                text.setFillColor(line.color)
            if line.gap or flowing != (line.x, line.size, leading):
                text.setTextOrigin(line.x, baseline)
                text.setLeading(leading)
                flowing = (line.x, line.size, leading)
            text.textLine(line.text)
            if line.square is not None or line.empty_square:
                squares.append((line.size * 0.78, baseline, line.square))
            if line.url:
                w = stringWidth(line.text, line.font, line.size)
                links.append((line.url, (line.x, baseline - 2, line.x + w, baseline + line.size)))
            y -= leading
        canv.drawText(text)
        for side, baseline, fill in squares:
            canv.setLineWidth(0.6)
            canv.setStrokeColor(Color(0.36, 0.39, 0.44))
            if fill is not None:
                canv.setFillColor(fill)
            canv.rect(0, baseline - 0.3, side, side, stroke=1, fill=fill is not None)
        for url, rect in links:
            canv.linkURL(url, rect, relative=1)


def _without_gap(line: Line) -> Line:
    from dataclasses import replace

    return replace(line, gap=0.0) if line.gap else line
