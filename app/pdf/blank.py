"""The blank questionnaire of an edition, to print and fill in by hand (no collectivity, no dossier needed).

The official participation scenario starts with printing the dossier "pour le présenter à mes
collègues et élus": this is that paper. A cover with fields to fill in, a table of contents, a short
"comment remplir" page, then every theme and sub-theme with its question and every service with a box
to tick (☐) and ruled lines to note the action and tick its level, and the intercommunal criteria with
oui / non boxes and lines. Same fonts, styles, plumbing and page decoration as the dossier; black
ink and greys only, so that it prints on any office printer.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from reportlab.lib.colors import HexColor
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, NextPageTemplate, PageBreak, Spacer, Table

from app.edition import Edition, SubTheme
from app.pdf import LABEL_NAME, BlankSource, Cancelled, PdfReport, Progress
from app.pdf import styles as S
from app.pdf.decoration import PageDecoration
from app.pdf.flow import Metadata, Para, Registry, begin, replace_style, text_width, write_story
from app.pdf.fonts import FontSet, register_fonts
from app.pdf.formats import long_date, short_date
from app.pdf.lines import Line, Lines
from app.pdf.story import StoryBuilder
from app.pdf.text import escape

BOX = "\u2610"  # ☐ BALLOT BOX, in DejaVu Sans
WRITE_RULE = HexColor("#8A929C")  # dark enough to see on a grey-scale print, light enough to write over
WRITE_SPACING = 0.78 * cm  # room for one line of handwriting
BOX_SIZE = 13.0  # the box of a service, in the margin
TICK_BOX_SIZE, TICK_SIZE, TICK_GAP = 11.0, 8.0, 9.0  # the level boxes at the end of the last ruled line
SERVICE_INDENT = 0.75 * cm  # where a service's wording starts, after its box
SERVICE_LINES = 2  # ruled lines under each service
CRITERION_LINES = 3


def plural(n: int, word: str) -> str:
    """``1 service``, ``2 services`` (the questionnaire's own words take an s)."""
    return f"{n} {word}{'s' if n > 1 else ''}"


class WriteIn(Flowable):
    """Ruled lines to write on, from ``x`` to the right margin.

    The first line may start with a small label (``Action :``); the last may end with tick boxes
    (``☐ En projet  ☐ En cours  ☐ Réalisé``), the rule stopping before them. Never split: it is short.
    """

    def __init__(
        self, fonts: FontSet, count: int, *, x: float = 0.0, label: str = "", boxes: tuple[str, ...] = ()
    ) -> None:
        super().__init__()
        self.fonts = fonts
        self.count = count
        self.x = x
        self.label = label
        self.boxes = boxes
        self.height = count * WRITE_SPACING + 3

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []

    def _boxes(self) -> tuple[float, list[tuple[float, float, str]]]:
        """The width of the tick boxes at the end of the last line, and where each box and word goes."""
        f, x, placed = self.fonts, 0.0, []
        for word in self.boxes:
            x += TICK_GAP
            placed.append((x, x + text_width(BOX, f.regular, TICK_BOX_SIZE) + 2, word))
            x = placed[-1][1] + text_width(word, f.regular, TICK_SIZE)
        return x, placed

    def draw(self) -> None:
        canv = self.canv
        f = self.fonts
        canv.saveState()
        canv.setStrokeColor(WRITE_RULE)
        canv.setLineWidth(0.5)
        for i in range(self.count):
            y = self.height - (i + 1) * WRITE_SPACING
            start, end = self.x, self.width
            if i == 0 and self.label:
                canv.setFont(f.bold, 7.3)
                canv.setFillColor(S.MUTED)
                canv.drawString(self.x, y + 2.5, self.label)
                start = self.x + text_width(self.label, f.bold, 7.3) + 4
            if i == self.count - 1 and self.boxes:
                width, placed = self._boxes()
                end = self.width - width - 4
                canv.setFillColor(S.INK)
                for box_x, word_x, word in placed:
                    canv.setFont(f.regular, TICK_BOX_SIZE)
                    canv.drawString(end + box_x, y + 1, BOX)
                    canv.setFont(f.regular, TICK_SIZE)
                    canv.drawString(end + word_x, y + 2.5, word)
            canv.line(start, y, end, y)
        canv.restoreState()


class _BlankBuilder(StoryBuilder):
    """Turns an edition into the story of its blank questionnaire."""

    def __init__(self, source: BlankSource, fonts: FontSet, registry: Registry) -> None:
        super().__init__(fonts, registry)
        self.src = source
        self.edition: Edition = source.edition
        self.levels = tuple(lv.label for lv in sorted(self.edition.levels, key=lambda lv: lv.rank))

    def counts(self) -> str:
        e = self.edition
        n = len(e.epci_criteria)
        criteria = f"{n} critère{'s intercommunaux' if n > 1 else ' intercommunal'}"
        return (
            f"{plural(len(e.themes), 'thème')}, {plural(len(e.subthemes), 'sous-thème')}, "
            f"{plural(len(e.services), 'service')}, {criteria}"
        )

    # -- parts -------------------------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        st, e = self.st, self.edition
        out = self.cover_head(f"Questionnaire de participation — édition {e.id}")
        out.append(Para(escape("Questionnaire vierge"), st.cover_name))
        out.append(
            Para(
                escape(
                    "À imprimer pour le présenter aux collègues et aux élus, le remplir à la main, "
                    "puis reporter les réponses dans Arobase."
                ),
                st.cover_detail,
            )
        )
        themes = " • ".join(th.title for th in e.themes)
        out.append(Spacer(1, 0.3 * cm))
        out.append(Para(self.tb(themes), replace_style(st.cover_detail, textColor=S.MUTED)))
        out.append(Spacer(1, 0.8 * cm))
        kinds = f"{BOX} Commune&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;{BOX} Intercommunalité (EPCI)"
        fields = ("Collectivité", "Code INSEE ou SIREN", "Rempli par", "Fonction", "Le")
        out.append(self.fill_in([("Type", kinds), *((label, "") for label in fields)]))
        out.append(Spacer(1, 0.9 * cm))
        out.append(self.info_box())
        return out

    def fill_in(self, rows: list[tuple[str, str]]) -> Table:
        """Labels, each followed by its markup or, when empty, a line to write on."""
        label = self.st.cover_detail
        data = [[Para(escape(text), label), Para(value, label) if value else ""] for text, value in rows]
        commands: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        commands += [("LINEBELOW", (1, i), (1, i), 0.5, WRITE_RULE) for i, (_t, value) in enumerate(rows) if not value]
        table = Table(data, colWidths=[4.8 * cm, S.FRAME_WIDTH - 4.8 * cm], rowHeights=[WRITE_SPACING + 4] * len(rows))
        table.setStyle(self.table_style(commands))
        return table

    def info_box(self) -> Table:
        e = self.edition
        lines = [f"<b>Édition {escape(e.id)}</b> — {escape(self.counts())}."]
        if e.closes is not None:
            lines.append(escape(f"Date de clôture des participations\u00a0: {long_date(e.closes)}."))
        lines.append(escape(f"Document établi le {long_date(self.src.today)} par Arobase."))
        style = replace_style(self.st.body, spaceAfter=2)
        return self.framed(lines, style, [("BOX", (0, 0), (-1, -1), 1.2, S.ACCENT)])

    def how_to(self) -> list[Flowable]:
        st, f = self.st, self.fonts
        levels = " / ".join(lv.lower() for lv in self.levels)
        out: list[Flowable] = [self.heading("Comment remplir ce questionnaire", st.h1, "comment", "Comment remplir", 0)]
        steps = (
            "Lisez la question de chaque sous-thème\u00a0: elle dit ce que le jury cherche.",
            f"Cochez la case {BOX} de chaque service pour lequel la collectivité a mené une action, seule ou "
            "avec d'autres (délégataire, association, école…).",
            "Sur les lignes, notez l'action en quelques mots\u00a0: son nom, qui la réalise, depuis quand. "
            f"Cochez son niveau de réalisation\u00a0: {levels}. Une même action peut servir à plusieurs services.",
            "Une action compte si elle est en cours, ou terminée depuis moins de deux ans.",
            "Pour une intercommunalité (EPCI), répondez aussi aux critères intercommunaux, en fin de "
            f"questionnaire\u00a0: cochez {BOX} oui ou {BOX} non et précisez sur les lignes.",
            "Reportez ensuite les réponses dans Arobase\u00a0: une fiche action par action, liée aux services "
            "cochés. Arobase vérifie le dossier, le met en forme pour la signature et l'envoie.",
        )
        block: list[Line] = []
        for i, step in enumerate(steps, start=1):
            block += self.lines(
                step, x=0.8 * cm, leading=14, gap=7, prefix=f"{i}.", prefix_font=f.bold, prefix_x=0.15 * cm
            )
        out.append(Lines(block, frame_height=S.FRAME_HEIGHT, space_after=10))
        out.append(Para(escape("Exemple"), st.h3))
        example = "Un service du questionnaire, coché\u00a0: la collectivité y a une action."
        out.append(self.service_block(example, ticked=True))
        out.append(PageBreak())
        return out

    def themes(self) -> list[Flowable]:
        st = self.st
        out: list[Flowable] = []
        for th in self.edition.themes:
            n = sum(len(sub.services) for sub in th.subthemes)
            out.append(self.heading(self.tb(th.title), st.h1, f"theme-{th.id}", th.title, 0, reserve=160))
            out.append(Para(escape(f"{plural(len(th.subthemes), 'sous-thème')}, {plural(n, 'service')}."), st.muted))
            for sub in th.subthemes:
                out += self.subtheme(sub)
            out.append(PageBreak())
        return out

    def subtheme(self, sub: SubTheme) -> list[Flowable]:
        st = self.st
        out: list[Flowable] = [self.heading(self.tb(sub.title), st.h2, f"sub-{sub.id}", sub.title, 1, reserve=150)]
        out.append(Para(self.tf.markup(sub.question, self.fonts.italic), st.question))
        out += [self.service_block(sv.label) for sv in sub.services]
        return out

    def service_block(self, label: str, ticked: bool = False) -> Flowable:
        """A box, the service's wording, and ruled lines to note the action and tick its level."""
        f = self.fonts
        head = self.lines(label, x=SERVICE_INDENT, leading=12.5, gap=11)
        head[0] = _with_box(head[0], f.regular, ticked)
        return KeepTogether(
            [Lines(head), WriteIn(f, SERVICE_LINES, x=SERVICE_INDENT, label="Action\u00a0:", boxes=self.levels)]
        )

    def epci(self) -> list[Flowable]:
        st, f = self.st, self.fonts
        title = "Critères intercommunaux"
        out: list[Flowable] = [self.heading(title, st.h1, "epci", title, 0)]
        out.append(
            Para(
                escape(
                    "À remplir par une intercommunalité (EPCI, syndicat…)\u00a0: pour chaque critère, cochez oui ou "
                    "non, et précisez."
                ),
                st.muted,
            )
        )
        for i, crit in enumerate(self.edition.epci_criteria, start=1):
            head = self.lines(f"{i}. {crit.label}", font=f.bold, leading=13, gap=8)
            head.append(
                Line(
                    f"{BOX} non",
                    f.regular,
                    10.5,
                    S.INK,
                    x=2.3 * cm,
                    leading=16,
                    gap=2,
                    prefix=f"{BOX} oui",
                    prefix_font=f.regular,
                    prefix_size=10.5,
                    prefix_x=0.5 * cm,
                )
            )
            out.append(KeepTogether([Lines(head), WriteIn(f, CRITERION_LINES, x=0.5 * cm, label="Précisions\u00a0:")]))
        return out


def _with_box(line: Line, font: str, ticked: bool) -> Line:
    """The first line of a service, with its tick box in the margin (✗ in the box of the example)."""
    from dataclasses import replace

    return replace(line, prefix="\u2612" if ticked else BOX, prefix_font=font, prefix_size=BOX_SIZE, prefix_color=S.INK)


def render_blank(
    source: BlankSource,
    out: BinaryIO,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PdfReport:
    """Lay out and write the blank questionnaire to ``out``."""
    begin(progress, cancelled)
    fonts = register_fonts()
    registry = Registry()
    b = _BlankBuilder(source, fonts, registry)
    e = source.edition
    story: list[Any] = []
    story += b.cover()
    story += [NextPageTemplate("body"), PageBreak()]
    toc_at = len(story)
    story += b.how_to()
    story += b.themes()
    story += b.epci()
    if b.tf.replaced:
        story += b.characters_note()
    story[toc_at:toc_at] = b.contents()
    decoration = PageDecoration(
        fonts=fonts,
        header=f"Label {LABEL_NAME} — questionnaire vierge, édition {e.id}",
        who="Questionnaire vierge",
        what=f" · édition {e.id} · à remplir à la main",
        ident=f"Édition {e.id}\u00a0: {b.counts()}",
        printed=f"Imprimé le {short_date(source.today)}",
        running=registry,
    )
    metadata = Metadata(
        title=f"Questionnaire vierge — édition {e.id}",
        author="Arobase",
        subject=f"Label {LABEL_NAME}, questionnaire de l'édition {e.id}, à remplir à la main",
        keywords=("Villes Internet", f"édition {e.id}", "questionnaire vierge"),
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
    )
    return b.report(out, revision=0, sha256=None)
