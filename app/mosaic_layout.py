"""The mosaïque des enjeux as a picture: geometry, colours, marks and texts, computed once as plain data.

Three painters draw this same data: the Qt widget (``ui/widgets/mosaic_widget.py``), the SVG writer
(``app/mosaic_svg.py``) and reportlab for the PDF and the command line's PNG (``app/mosaic_reportlab.py``).
A painter only places what it is given, so a colour or a layout rule changed here changes them all.

Units are abstract: the canvas is ``CANVAS_WIDTH`` (1000) wide and as high as its content; y grows
downwards and a text's ``y`` is its baseline. Painters scale the whole picture to their width.

The palette (and why these colours) and the text metrics are in ``app.mosaic_style``; the picture's plain
data (cells, blocks, quadrants, legend, marks) in ``app.mosaic_shapes``; here, the rules that place them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.edition import Edition, Level, fold
from app.model import DossierData
from app.mosaic import ServiceCoverage, coverage
from app.mosaic_shapes import Block, Cell, LegendEntry, Mark, MosaicLayout, Quadrant, Rect, TextItem
from app.mosaic_style import (
    BLOCK_SIZE,
    CANVAS_WIDTH,
    CELL,
    CELL_GAP,
    EMPTY_FILL,
    GUTTER,
    LEGEND_SIZE,
    LINE,
    MARGIN,
    MUTED_TEXT,
    PAD,
    SLACK,
    STATE_EMPTY,
    STATE_UNKNOWN,
    SUBTITLE_SIZE,
    THEME_SIZE,
    TITLE_SIZE,
    UNKNOWN_FILL,
    VIRIDIS_STEPS,
    ink_for,
    text_width,
    wrap,
)


def level_colors(levels: Iterable[Level]) -> dict[str, str]:
    """One viridis step per level, light (lowest rank) to dark (top level), spread over the ramp."""
    ordered = sorted(levels, key=lambda lv: lv.rank)
    n = len(ordered)
    steps = VIRIDIS_STEPS
    if n == 1:
        return {ordered[0].id: steps[-2]}
    # The darkest step is kept for a sixth level: five levels or fewer stay clear of near-black.
    span = len(steps) - 2 if n < len(steps) else len(steps) - 1
    return {lv.id: steps[min(span, round(i * span / (n - 1)))] for i, lv in enumerate(ordered)}


def level_marks(levels: Iterable[Level]) -> dict[str, Mark]:
    """Pips counting the rank's position, and a check for the top level."""
    ordered = sorted(levels, key=lambda lv: lv.rank)
    marks = {lv.id: Mark("pips", i + 1) for i, lv in enumerate(ordered)}
    if ordered:
        marks[ordered[-1].id] = Mark("check")
    return marks


@dataclass(frozen=True, slots=True)
class _Style:
    key: str
    label: str
    fill: str
    mark: Mark


def _styles(edition: Edition) -> list[_Style]:
    """Legend order: the top level first, then lower levels, then "sans niveau", then "aucune action"."""
    colors = level_colors(edition.levels)
    marks = level_marks(edition.levels)
    styles = [_Style(lv.id, lv.label, colors[lv.id], marks[lv.id]) for lv in reversed(edition.levels)]
    styles.append(_Style(STATE_UNKNOWN, "Niveau non indiqué", UNKNOWN_FILL, Mark("unknown")))
    styles.append(_Style(STATE_EMPTY, "Aucune action", EMPTY_FILL, Mark("none")))
    return styles


def _previously_covered(
    edition: Edition, previous: DossierData | None, previous_edition: Edition | None
) -> set[str] | None:
    """Ids (in ``edition``) of the services the previous dossier covered; a service whose id changed is
    matched by its wording, as the carry-over does."""
    if previous is None:
        return None
    old_ids = {sid for a in previous.actions for sid in a.services}
    found = {sid for sid in old_ids if edition.has_service(sid)}
    if previous_edition is not None:
        old_labels = {
            fold(" ".join(previous_edition.service(s).label.split()))
            for s in old_ids
            if previous_edition.has_service(s)
        }
        found |= {sv.id for sv in edition.services if fold(" ".join(sv.label.split())) in old_labels}
    return found


def _tooltip(sv_label: str, subtheme_title: str, words: str, titles: tuple[str, ...], new_since: str | None) -> str:
    lines = [sv_label, f"Sous-thème : {subtheme_title}", f"Meilleur niveau : {words}"]
    if titles:
        lines.append(f"Action{'s' if len(titles) > 1 else ''} liée{'s' if len(titles) > 1 else ''} :")
        lines += [f"• {t}" for t in titles]
    else:
        lines.append("Aucune action liée.")
    if new_since:
        lines.append(f"Nouveau depuis l'édition {new_since}.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- layout


def compute_layout(
    edition: Edition,
    dossier: DossierData,
    previous: DossierData | None = None,
    previous_edition: Edition | None = None,
) -> MosaicLayout:
    """The picture of ``dossier``; with ``previous`` (a dossier of an earlier edition), services covered
    now but not then are flagged new. Pure and fast: the widget recomputes it on every edit."""
    cov = coverage(edition, dossier)
    styles = {s.key: s for s in _styles(edition)}
    titles = {a.uuid: (a.title.strip() or "(action sans titre)") for a in dossier.actions}
    before = _previously_covered(edition, previous, previous_edition)
    prev_id = (previous_edition.id if previous_edition else previous.edition) if previous is not None else None

    def state_of(sc: ServiceCoverage) -> str:
        if not sc.covered:
            return STATE_EMPTY
        return sc.best_level.id if sc.best_level is not None else STATE_UNKNOWN

    texts: list[TextItem] = []
    y = MARGIN + TITLE_SIZE
    name = " ".join(dossier.profile.name.split())
    title = f"Mosaïque des enjeux — {name}" if name else "Mosaïque des enjeux"
    inner = CANVAS_WIDTH - 2 * MARGIN
    texts.append(TextItem(MARGIN, y, title, TITLE_SIZE, bold=True, max_width=inner))
    y += SUBTITLE_SIZE * LINE + 4
    subtitle = f"Label Territoires, Villes & Villages Internet — édition {edition.id}"
    texts.append(TextItem(MARGIN, y, subtitle, SUBTITLE_SIZE, color=MUTED_TEXT, max_width=inner))
    y += SUBTITLE_SIZE * LINE
    new_total = 0
    if before is not None:
        new_total = sum(
            1 for t in cov.themes for st in t.subthemes for s in st.services if s.covered and s.service_id not in before
        )
    summary = (
        f"{cov.covered} service{'s' if cov.covered > 1 else ''} couvert{'s' if cov.covered > 1 else ''} sur {cov.total}"
    )
    if before is not None:
        summary += f" — {new_total} nouveau{'x' if new_total > 1 else ''} depuis l'édition {prev_id}"
    texts.append(TextItem(MARGIN, y, summary, SUBTITLE_SIZE, bold=True, max_width=inner))
    y += 14

    columns = 2 if len(cov.themes) > 1 else 1
    col_w = (inner - GUTTER * (columns - 1)) / columns
    content_w = col_w - 2 * PAD
    per_row = max(1, int((content_w + CELL_GAP) // (CELL + CELL_GAP)))
    figure_w = text_width("000 / 000", BLOCK_SIZE, True) + 8

    cells: list[Cell] = []
    blocks: list[Block] = []
    quadrants: list[Quadrant] = []
    index = 0
    top = y
    theme_rows = [cov.themes[i : i + columns] for i in range(0, len(cov.themes), columns)]
    for row_themes in theme_rows:
        # Lay out each quadrant of the row from the top, then give the row its tallest height.
        built: list[tuple[int, float, list[TextItem], list[Block], int]] = []
        for col, tc in enumerate(row_themes):
            x0 = MARGIN + col * (col_w + GUTTER)
            cx = x0 + PAD
            qy = top + PAD
            q_texts: list[TextItem] = []
            t_lines = wrap(tc.title, THEME_SIZE, content_w - figure_w * 1.3, bold=True)
            for line in t_lines:
                qy += THEME_SIZE
                q_texts.append(TextItem(cx, qy, line, THEME_SIZE, bold=True, max_width=content_w - figure_w * 1.3))
                qy += THEME_SIZE * (LINE - 1)
            q_texts.append(
                TextItem(cx + content_w, top + PAD + THEME_SIZE, f"{tc.covered} / {tc.total}", THEME_SIZE, True, "end")
            )
            qy += 8
            theme_new = 0
            q_blocks: list[Block] = []
            for stc in tc.subthemes:
                st = edition.subtheme(stc.subtheme_id)
                by = qy
                b_texts: list[TextItem] = []
                ty = by + 6
                for line in wrap(st.title, BLOCK_SIZE, content_w - 12 - figure_w):
                    ty += BLOCK_SIZE
                    b_texts.append(TextItem(cx + 6, ty, line, BLOCK_SIZE, max_width=content_w - 12 - figure_w))
                    ty += BLOCK_SIZE * (LINE - 1)
                b_texts.append(
                    TextItem(
                        cx + content_w - 6, by + 6 + BLOCK_SIZE, f"{stc.covered} / {stc.total}", BLOCK_SIZE, True, "end"
                    )
                )
                gy = ty + 6
                block_new = 0
                counts: dict[str, int] = dict.fromkeys(styles, 0)
                for i, sc in enumerate(stc.services):
                    r, c = divmod(i, per_row)
                    rect = Rect(cx + 6 + c * (CELL + CELL_GAP), gy + r * (CELL + CELL_GAP), CELL, CELL)
                    key = state_of(sc)
                    counts[key] += 1
                    style = styles[key]
                    is_new = before is not None and sc.covered and sc.service_id not in before
                    block_new += is_new
                    action_titles = tuple(titles[u] for u in sc.action_uuids if u in titles)
                    cells.append(
                        Cell(
                            service_id=sc.service_id,
                            subtheme_id=stc.subtheme_id,
                            theme_id=tc.theme_id,
                            rect=rect,
                            state=sc.best_level.id if sc.best_level is not None else None,
                            covered=sc.covered,
                            state_key=key,
                            state_label=style.label,
                            fill=style.fill,
                            ink=ink_for(style.fill),
                            mark=style.mark,
                            label=sc.label,
                            action_titles=action_titles,
                            is_new=is_new,
                            tooltip=_tooltip(
                                sc.label, st.title, style.label, action_titles, prev_id if is_new else None
                            ),
                            index=index,
                        )
                    )
                    index += 1
                rows = max(1, -(-len(stc.services) // per_row))
                bh = gy + rows * (CELL + CELL_GAP) - CELL_GAP + 6 - by
                theme_new += block_new
                q_blocks.append(
                    Block(
                        subtheme_id=stc.subtheme_id,
                        theme_id=tc.theme_id,
                        title=st.title,
                        rect=Rect(cx, by, content_w, bh),
                        covered=stc.covered,
                        total=stc.total,
                        new=block_new,
                        level_counts=tuple((s.key, s.label, counts[s.key]) for s in styles.values()),
                        texts=tuple(b_texts),
                    )
                )
                qy = by + bh + 8
            built.append((col, qy - 8 + PAD, q_texts, q_blocks, theme_new))
        row_bottom = max(b[1] for b in built)
        for (col, _bottom, q_texts, q_blocks, theme_new), tc in zip(built, row_themes, strict=True):
            x0 = MARGIN + col * (col_w + GUTTER)
            quadrants.append(
                Quadrant(
                    theme_id=tc.theme_id,
                    title=tc.title,
                    rect=Rect(x0, top, col_w, row_bottom - top),
                    covered=tc.covered,
                    total=tc.total,
                    new=theme_new,
                    column=col,
                    texts=tuple(q_texts),
                )
            )
            blocks.extend(q_blocks)
        top = row_bottom + GUTTER

    # Legend: swatches with their marks and words, wrapped over as many lines as needed.
    legend: list[LegendEntry] = []
    ly = top
    legend_title_w = text_width("Légende :", LEGEND_SIZE, True) * SLACK
    texts.append(TextItem(MARGIN, ly + LEGEND_SIZE, "Légende :", LEGEND_SIZE, bold=True, max_width=legend_title_w))
    lx = MARGIN + legend_title_w + 10
    start_x = lx
    entries = [(s.key, s.label, s.fill, s.mark, False) for s in styles.values()]
    if before is not None:
        entries.append(("nouveau", f"Nouveau depuis l'édition {prev_id}", EMPTY_FILL, Mark("none"), True))
    sw = 20.0
    for key, label, fill, mark, is_new in entries:
        label_w = text_width(label, LEGEND_SIZE) * SLACK
        w = sw + 6 + label_w + 16
        if lx + w > CANVAS_WIDTH - MARGIN and lx > start_x:
            lx = start_x
            ly += sw + 8
        swatch = Rect(lx, ly - 3, sw, sw)
        legend.append(
            LegendEntry(
                key=key,
                label=label,
                swatch=swatch,
                fill=fill,
                ink=ink_for(fill),
                mark=mark,
                is_new=is_new,
                text=TextItem(lx + sw + 6, ly + LEGEND_SIZE, label, LEGEND_SIZE, max_width=label_w),
            )
        )
        lx += w
    ly += sw + 10
    note = (
        "Chaque case est un service du questionnaire ; sa couleur et sa marque disent le meilleur niveau "
        "de réalisation des actions qui lui sont liées. Les chiffres « couverts / total » comptent les services "
        "ayant au moins une action."
    )
    for line in wrap(note, LEGEND_SIZE - 1, inner):
        ly += LEGEND_SIZE - 1
        texts.append(TextItem(MARGIN, ly, line, LEGEND_SIZE - 1, color=MUTED_TEXT, max_width=inner))
        ly += (LEGEND_SIZE - 1) * (LINE - 1)
    height = ly + MARGIN

    return MosaicLayout(
        width=CANVAS_WIDTH,
        height=height,
        edition_id=edition.id,
        title=title,
        covered=cov.covered,
        total=cov.total,
        cells=tuple(cells),
        blocks=tuple(blocks),
        quadrants=tuple(quadrants),
        legend=tuple(legend),
        texts=tuple(texts),
        previous_edition_id=prev_id,
        new_count=new_total,
    )
