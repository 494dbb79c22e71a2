"""User text to reportlab paragraph markup: escaped, never interpreted, and never printed as an empty box.

Everything typed by a user (and the questionnaire's own wording) goes through a :class:`TextFilter`
before it reaches a ``Paragraph``: ``&``, ``<`` and ``>`` are escaped so that ``<b>``, ``<para>``,
``&amp;`` or an unclosed tag print as the characters typed; line breaks become ``<br/>``; and every
character the chosen face has no glyph for (an emoji, a Chinese ideogram, a control character) is
replaced by a visible marker ``[U+1F44D]``, counted, and listed in a note at the end of the document.
Nothing is dropped silently. Right-to-left scripts (Hebrew, Arabic) are covered by DejaVu Sans and kept
in logical order: reportlab does no bidirectional reordering or Arabic shaping.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping

MARKER_COLOR = "#9A3412"
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x85]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_NEWLINE = frozenset("\n")


def marker(ch: str) -> str:
    """The visible stand-in of a character no embedded font can print."""
    return f"[U+{ord(ch):04X}]"


def describe(ch: str) -> str:
    """``U+1F44D THUMBS UP SIGN``, for the note that lists replaced characters."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}".strip()


def escape(text: str) -> str:
    """Characters reportlab's paragraph parser would read as markup, as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class TextFilter:
    """Turns text into safe markup for one font set and remembers every character it had to replace."""

    def __init__(self, coverage: Mapping[str, frozenset[str]], default_font: str) -> None:
        self._coverage = coverage
        self._default = default_font
        self.replaced: Counter[str] = Counter()

    def covered(self, font: str | None = None) -> frozenset[str]:
        return self._coverage[font or self._default]

    def plain(self, text: str, font: str | None = None) -> str:
        """Text with unprintable characters replaced by their marker (for strings drawn on the canvas)."""
        chars = self._coverage[font or self._default]
        if set(text) <= chars:
            return text
        out = []
        for ch in text:
            if ch in chars:
                out.append(ch)
            else:
                self.replaced[ch] += 1
                out.append(marker(ch))
        return "".join(out)

    def markup(self, text: str, font: str | None = None, *, multiline: bool = True) -> str:
        """Paragraph markup for ``text``: escaped, line breaks kept, unprintable characters as markers."""
        chars = self._coverage[font or self._default]
        text = _LINE_BREAKS.sub("\n", text) if multiline else _LINE_BREAKS.sub(" ", text)
        text = text.replace("\t", " ")
        if not (set(text) - chars - _NEWLINE):
            body = escape(text)
        else:
            out = []
            for ch in text:
                if ch in chars:
                    out.append(escape(ch) if ch in '&<>"' else ch)
                elif ch == "\n":
                    out.append(ch)
                else:
                    self.replaced[ch] += 1
                    out.append(f'<font color="{MARKER_COLOR}">{marker(ch)}</font>')
            body = "".join(out)
        return body.replace("\n", "<br/>") if multiline else body

    def paragraphs_plain(self, text: str) -> list[str]:
        """A long text's blocks (separated by blank lines), line breaks normalised to ``\\n``; not filtered."""
        text = _LINE_BREAKS.sub("\n", text).replace("\t", " ").strip()
        return _PARAGRAPH_BREAK.split(text) if text else []

    def paragraphs(self, text: str, font: str | None = None) -> list[str]:
        """A long text as a list of paragraph markups, one per block separated by a blank line."""
        text = _LINE_BREAKS.sub("\n", text).strip()
        if not text:
            return []
        return [self.markup(block, font) for block in _PARAGRAPH_BREAK.split(text)]
