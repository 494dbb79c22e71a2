"""The action fiches of the printed dossier: each one complete, its photos as thumbnails.

A fiche is one ``Lines`` block (it splits between lines, never after a label, never inside its
heading) followed by a table of thumbnails; other attachments are listed by name and size.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Image, PageBreak, Table

from app.edition import Edition
from app.formats import file_size
from app.model import DELIVERER_LABELS, ActionData, AttachmentRef, DossierData
from app.pdf import PdfSource
from app.pdf import styles as S
from app.pdf.flow import Para
from app.pdf.formats import period
from app.pdf.lines import Line, Lines
from app.pdf.story import StoryBuilder
from app.pdf.text import escape

THUMB_MAX_PX = 640  # photos are embedded as thumbnails of at most this many pixels a side
THUMB_WIDTH, THUMB_HEIGHT = 5.2 * cm, 3.9 * cm


class FicheParts(StoryBuilder):
    """The dossier builder's part that writes the action fiches."""

    src: PdfSource
    edition: Edition
    dossier: DossierData

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
            ("Dates", period(a.start_date, a.end_date), ""),
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
