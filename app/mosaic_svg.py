"""The SVG painter of the mosaïque, in pure Python: a file for the commune's website or bulletin.

It draws the same ``MosaicLayout`` as the Qt widget and reportlab. Every text (service wordings and
action titles in the tooltips come from the questionnaire and the user) is escaped, and characters
that XML 1.0 cannot hold are dropped, so the file always parses. Each cell is a group
``id="service-<id>"`` with a ``<title>`` (shown as a tooltip by browsers, read by screen readers).
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from app.atomic import write_atomically
from app.mosaic_shapes import MosaicLayout, Rect, Shape, TextItem
from app.mosaic_style import BACKGROUND, BLOCK_BORDER, BLOCK_FILL, CELL_BORDER, QUADRANT_BORDER, QUADRANT_FILL

FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', sans-serif"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(value: str) -> str:
    return escape(_clean(value))


def _attr(value: str) -> str:
    return quoteattr(_clean(value))


def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _rect(r: Rect, fill: str, stroke: str, width: float, extra: str = "") -> str:
    return (
        f'<rect x="{_n(r.x)}" y="{_n(r.y)}" width="{_n(r.w)}" height="{_n(r.h)}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{_n(width)}"{extra}/>'
    )


def _shape(s: Shape) -> str:
    if s.kind == "circle":
        (x, y) = s.points[0]
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(s.radius)}" fill="{s.color}"/>'
    pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in s.points)
    if s.kind == "polyline":
        return (
            f'<polyline points="{pts}" fill="none" stroke="{s.color}" stroke-width="{_n(s.width)}" '
            'stroke-linecap="round" stroke-linejoin="round"/>'
        )
    if s.kind == "polygon":
        return f'<polygon points="{pts}" fill="{s.color}"/>'
    (x, y) = s.points[0]
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(s.size)}" font-weight="bold" text-anchor="middle" '
        f'fill="{s.color}" aria-hidden="true">{_text(s.text)}</text>'
    )


def _line(t: TextItem) -> str:
    weight = ' font-weight="bold"' if t.bold else ""
    anchor = f' text-anchor="{t.anchor}"' if t.anchor != "start" else ""
    return (
        f'<text x="{_n(t.x)}" y="{_n(t.y)}" font-size="{_n(t.size)}"{weight}{anchor} fill="{t.color}">'
        f"{_text(t.text)}</text>"
    )


def to_svg(layout: MosaicLayout, width_px: int | None = None) -> str:
    """The whole picture as an SVG document; ``width_px`` sets its displayed size (default: layout units)."""
    w = float(width_px) if width_px else layout.width
    h = w * layout.aspect
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_n(w)}" height="{_n(h)}" '
        f'viewBox="0 0 {_n(layout.width)} {_n(layout.height)}" role="img" aria-labelledby="mosaic-title" '
        f'font-family="{FONT_FAMILY}">',
        f'<title id="mosaic-title">{_text(layout.title)} — {layout.covered} services couverts sur '
        f"{layout.total}</title>",
        f'<rect x="0" y="0" width="{_n(layout.width)}" height="{_n(layout.height)}" fill="{BACKGROUND}"/>',
    ]
    for q in layout.quadrants:
        out.append(f'<g id="theme-{q.theme_id}" class="theme">')
        out.append(f"<title>{_text(q.title)} : {q.covered} services couverts sur {q.total}</title>")
        out.append(_rect(q.rect, QUADRANT_FILL, QUADRANT_BORDER, 1))
        out += [_line(t) for t in q.texts]
        for b in (b for b in layout.blocks if b.theme_id == q.theme_id):
            out.append(f'<g id="subtheme-{b.subtheme_id}" class="subtheme">')
            out.append(f"<title>{_text(b.title)} : {b.covered} services couverts sur {b.total}</title>")
            out.append(_rect(b.rect, BLOCK_FILL, BLOCK_BORDER, 0.8))
            out += [_line(t) for t in b.texts]
            for c in (c for c in layout.cells if c.subtheme_id == b.subtheme_id):
                state = c.state_key + (" nouveau" if c.is_new else "")
                out.append(f'<g id="service-{c.service_id}" class="service" data-state={_attr(state)}>')
                out.append(f"<title>{_text(c.tooltip)}</title>")
                out.append(_rect(c.rect, c.fill, CELL_BORDER, 1))
                out += [_shape(s) for s in c.shapes]
                out.append("</g>")
            out.append("</g>")
        out.append("</g>")
    out.append('<g id="legend" class="legend">')
    for e in layout.legend:
        out.append(_rect(e.swatch, e.fill, CELL_BORDER, 1))
        out += [_shape(s) for s in e.shapes]
        out.append(_line(e.text))
    out.append("</g>")
    out += [_line(t) for t in layout.texts]
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_svg(layout: MosaicLayout, path: Path, width_px: int | None = None) -> None:
    """Write atomically (a temporary file renamed over the target): never a half-written file."""
    write_atomically(Path(path), to_svg(layout, width_px).encode("utf-8"), prefix=".mosaique-", suffix=".svg")
