"""The mosaïque page offscreen: pixels match the layout, clicks and keys navigate, edits show at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog, builtin_directory
from app.interchange import to_document
from app.mosaic_shapes import MosaicLayout
from app.mosaic_style import NEW_MARK
from app.workspace import Workspace
from tests.factories import action, complete_dossier, fixed_clock
from tests.test_mosaic_export import png_size
from tests.test_mosaic_layout import known_dossier
from tests.ui.helpers import wait_idle
from ui.dossier_controller import DossierController
from ui.pages.mosaic_page import MosaicPage
from ui.qt import QApplication, QColor, QEvent, QHelpEvent, QImage, QPointF, Qt, QToolTip, QWidget
from ui.tasks import TaskRunner
from ui.widgets.mosaic_widget import tooltip_html


def make_page(qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition_id: str | None = None) -> MosaicPage:
    ctl = DossierController(ws, runner, edition_id)
    ctl.load_now()
    page = MosaicPage(ctl, runner)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()
    wait_idle(qtbot, runner)
    return page


@pytest.fixture
def page(qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition) -> MosaicPage:
    ws.import_document(to_document(known_dossier(edition)))
    return make_page(qtbot, ws, runner)


def grab(page: MosaicPage) -> QImage:
    return page.mosaic.grab().toImage()


def pixel(image: QImage, point: QPointF) -> str:
    return QColor(image.pixel(int(point.x()), int(point.y()))).name().upper()


def cell_pos(page: MosaicPage, service_id: str) -> QPointF:
    return page.mosaic.to_widget(*page.mosaic_layout.cell(service_id).rect.center)


def test_every_cell_is_painted_with_the_layout_colour(page: MosaicPage) -> None:
    layout = page.mosaic_layout
    image = grab(page)
    assert image.width() == page.mosaic.width()
    colours = {c.service_id: pixel(image, page.mosaic.to_widget(*c.swatch_point)) for c in layout.cells}
    assert colours == {c.service_id: c.fill for c in layout.cells}
    assert {c.fill for c in layout.cells} == {"#414487", "#22A884", "#FDE725", "#D9D9D9", "#FFFFFF"}
    # The picture keeps its aspect ratio and fills the width or the height of the widget.
    top_left, bottom_right = page.mosaic.to_widget(0, 0), page.mosaic.to_widget(layout.width, layout.height)
    w, h = bottom_right.x() - top_left.x(), bottom_right.y() - top_left.y()
    assert h / w == pytest.approx(layout.aspect, rel=1e-6)
    assert w == pytest.approx(page.mosaic.width()) or h == pytest.approx(page.mosaic.height())


def test_the_picture_scales_with_the_window(qtbot: QtBot, page: MosaicPage) -> None:
    before = page.mosaic.to_widget(*page.mosaic_layout.cell("identite-01").rect.center)
    page.resize(700, 560)
    qtbot.waitUntil(lambda: page.mosaic.to_widget(*page.mosaic_layout.cell("identite-01").rect.center) != before)
    image = grab(page)
    for sid in ("identite-01", "culture-01", "emploi-03", "solidarite-01"):
        cell = page.mosaic_layout.cell(sid)
        assert pixel(image, page.mosaic.to_widget(*cell.swatch_point)) == cell.fill


def test_click_on_a_cell_opens_its_subtheme(qtbot: QtBot, page: MosaicPage) -> None:
    for sid, subtheme in (("emploi-03", "emploi"), ("identite-02", "identite"), ("solidarite-04", "solidarite")):
        with qtbot.waitSignal(page.navigate_requested) as blocker:
            qtbot.mouseClick(page.mosaic, Qt.MouseButton.LeftButton, pos=cell_pos(page, sid).toPoint())
        assert blocker.args == [f"subtheme:{subtheme}"]
        assert page.mosaic.current_service() == sid
    with qtbot.assertNotEmitted(page.navigate_requested):
        qtbot.mouseClick(page.mosaic, Qt.MouseButton.LeftButton, pos=page.mosaic.to_widget(3, 3).toPoint())


def test_arrow_keys_move_the_current_cell_and_enter_opens_it(qtbot: QtBot, page: MosaicPage) -> None:
    widget = page.mosaic
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    assert widget.current_service() == "identite-01"
    qtbot.keyClick(widget, Qt.Key.Key_Right)
    qtbot.keyClick(widget, Qt.Key.Key_Right)
    assert widget.current_service() == "identite-03"
    qtbot.keyClick(widget, Qt.Key.Key_Down)
    assert widget.current_service() == "vie-associative-03"
    qtbot.keyClick(widget, Qt.Key.Key_Left)
    assert widget.current_service() == "vie-associative-02"
    assert "vie-associative" not in widget.accessibleName() and "Aucune action" in widget.accessibleName()
    with qtbot.waitSignal(page.navigate_requested) as blocker:
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert blocker.args == ["subtheme:vie-associative"]
    qtbot.keyClick(widget, Qt.Key.Key_End)
    assert widget.current_service() == page.mosaic_layout.cells[-1].service_id
    # The focus ring is around the cell, never over its colour.
    cell = page.mosaic_layout.cells[-1]
    assert pixel(grab(page), widget.to_widget(*cell.swatch_point)) == cell.fill


def test_linking_a_service_updates_the_picture_and_the_table_at_once(
    qtbot: QtBot, page: MosaicPage, ws: Workspace
) -> None:
    ctl = page.controller
    uuid = next(a.uuid for a in ctl.dossier.actions if a.title == "Plateforme emploi")
    assert not page.mosaic_layout.cell("solidarite-02").covered
    with qtbot.waitSignal(page.layout_updated):
        assert ctl.set_action_field(uuid, "services", ("emploi-03", "solidarite-02"))
    cell = page.mosaic_layout.cell("solidarite-02")
    assert cell.covered and cell.state == "projet" and cell.action_titles == ("Plateforme emploi",)
    assert pixel(grab(page), page.mosaic.to_widget(*cell.swatch_point)) == "#FDE725"
    row = next(
        r
        for r in range(page.table_model.rowCount())
        if page.table_model.index(r, 1).data() == "Action sociale et solidarité"
    )
    assert page.table_model.index(row, 2).data() == "1" and page.table_model.index(row, 3).data() == "8"
    assert "7 services couverts sur 138" in page.summary_label.text()
    with qtbot.waitSignal(page.layout_updated):
        assert ctl.set_action_field(uuid, "level", "realise")
    assert pixel(grab(page), page.mosaic.to_widget(*cell.swatch_point)) == "#414487"


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform cannot raise the tooltip window
def test_a_tooltip_names_the_service_and_its_actions_as_plain_text(qtbot: QtBot, page: MosaicPage) -> None:
    pos = cell_pos(page, "identite-02").toPoint()
    QApplication.sendEvent(page.mosaic, QHelpEvent(QEvent.Type.ToolTip, pos, page.mosaic.mapToGlobal(pos)))
    qtbot.waitUntil(QToolTip.isVisible)
    text = QToolTip.text()
    assert "Meilleur niveau : Réalisé" in text and "• Site de la mairie" in text
    assert "&lt;b&gt;Ateliers&lt;/b&gt; &amp; cafés" in text  # shown as typed, never as markup
    assert tooltip_html("a\n<i>b</i>") == "<p style='white-space:pre-wrap'>a<br/>&lt;i&gt;b&lt;/i&gt;</p>"
    QToolTip.hideText()


def test_the_table_gives_the_same_figures_as_the_picture(page: MosaicPage) -> None:
    model, layout = page.table_model, page.mosaic_layout
    assert model.rowCount() == 4 + 16 + 1
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Services couverts"
    figures = {
        model.index(r, 1).data(): f"{model.index(r, 2).data()} / {model.index(r, 3).data()}"
        for r in range(model.rowCount())
    }
    for b in layout.blocks:
        assert figures[b.title] == b.figure
    last = model.rowCount() - 1
    assert model.index(last, 0).data() == "Total" and model.index(last, 2).data() == "6"
    assert model.index(last, 2).data(Qt.ItemDataRole.AccessibleTextRole) == "Services couverts : 6"


def test_controls_are_named_and_evolution_is_off_without_an_earlier_dossier(page: MosaicPage) -> None:
    controls: list[QWidget] = [page.evolution_box, page.png_button, page.svg_button, page.tabs, page.table]
    for control in [*controls, page.mosaic]:
        assert control.accessibleName(), control.objectName()
    assert all(c.focusPolicy() & Qt.FocusPolicy.TabFocus for c in [*controls[:3], page.mosaic])
    assert not page.evolution_box.isEnabled() and page.focus_field("profile.name") is False


def test_png_and_svg_exports_are_written_off_the_gui_thread(
    qtbot: QtBot, page: MosaicPage, tmp_path: Path, runner: TaskRunner, edition: Edition
) -> None:
    png = tmp_path / "mosaique.png"
    with qtbot.waitSignal(page.exported) as blocker:
        page.export_png(png, 640)
    assert blocker.args == [str(png)]
    width, height = png_size(png)
    assert width == 640 and abs(height - 640 * page.mosaic_layout.aspect) <= 1
    svg = tmp_path / "mosaique.svg"
    with qtbot.waitSignal(page.exported):
        page.export_svg(svg)
    text = svg.read_text(encoding="utf-8")
    assert all(f'id="service-{s.id}"' in text for s in edition.services)
    with qtbot.waitSignal(page.export_failed) as failed:
        page.export_svg(tmp_path / "absent" / "mosaique.svg")
    assert "Impossible d'écrire" in failed.args[0] and page.status_label.text() == failed.args[0]
    assert page.png_button.isEnabled()


@pytest.fixture
def ws_2020(tmp_path: Path) -> Iterator[Workspace]:
    """A store with a 2019 dossier and a 2020 one, the 2020 questionnaire being a copy of 2019's."""
    data = json.loads((builtin_directory() / "2019.json").read_text(encoding="utf-8"))
    data["edition"] = "2020"
    (tmp_path / "editions").mkdir()
    (tmp_path / "editions" / "2020.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    catalog = EditionCatalog([tmp_path / "editions", builtin_directory()])
    workspace = Workspace.open(tmp_path / "deux.sqlite", catalog, clock=fixed_clock)
    old, new = catalog.get("2019"), catalog.get("2020")
    workspace.import_document(
        to_document(complete_dossier(old, 0, actions=(action(old, 0, services=("identite-01", "emploi-03")),)))
    )
    workspace.import_document(to_document(known_dossier(new)))
    yield workspace
    workspace.close()


def test_evolution_marks_the_services_newly_covered(qtbot: QtBot, ws_2020: Workspace, runner: TaskRunner) -> None:
    page = make_page(qtbot, ws_2020, runner, "2020")
    box = page.evolution_box
    assert box.isEnabled() and "2019" in box.text() and not box.isChecked()
    assert not any(c.is_new for c in page.mosaic_layout.cells)
    with qtbot.waitSignal(page.layout_updated):
        box.setChecked(True)
    layout: MosaicLayout = page.mosaic_layout
    assert {c.service_id for c in layout.cells if c.is_new} == {
        "identite-02",
        "mediation-05",
        "culture-01",
        "attractivite-07",
    }
    assert "4 nouveaux depuis l'édition 2019" in page.summary_label.text()
    assert page.table_model.headerData(page.table_model.columnCount() - 1, Qt.Orientation.Horizontal) == (
        "Nouveaux depuis 2019"
    )
    # The corner mark is drawn; the plain fill is still where the layout says.
    cell = layout.cell("culture-01")
    image = grab(page)
    a, b, c = cell.new_triangle
    inside = page.mosaic.to_widget((a[0] + b[0] + c[0]) / 3, (a[1] + b[1] + c[1]) / 3)
    assert pixel(image, inside) == NEW_MARK
    assert pixel(image, page.mosaic.to_widget(*cell.swatch_point)) == cell.fill
    with qtbot.waitSignal(page.layout_updated):
        box.setChecked(False)
    assert page.mosaic_layout.new_count == 0
