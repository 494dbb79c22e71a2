"""The mosaïque des enjeux page: the picture, the same figures as a table, the evolution, the exports.

The layout is recomputed from the controller's in-memory dossier when coverage or an action changes
(several signals in one event-loop turn give one recomputation), never read from the database on a
paint. The dossier of the previous edition, if the store has one, is loaded once through the runner.
Exports write off the GUI thread: SVG entirely, PNG after a fast render on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.edition import Edition
from app.errors import ArobaseError
from app.model import DossierData
from app.mosaic_layout import compute_layout
from app.mosaic_shapes import MosaicLayout
from ui.dossier_controller import DossierController
from ui.models.mosaic_table_model import ID_ROLE, KIND_ROLE, MosaicTableModel
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QImage,
    QLabel,
    QModelIndex,
    QPushButton,
    QStandardPaths,
    Qt,
    QTableView,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import TaskRunner
from ui.widgets.mosaic_widget import MosaicWidget, render_image

PNG_WIDTH = 2000  # pixels: sharp enough for a printed bulletin
NO_PREVIOUS = "Évolution depuis l'édition précédente (aucun dossier d'une édition antérieure)"
Previous = tuple[DossierData, Edition | None]

if TYPE_CHECKING:
    from app.workspace import Workspace


def _find_previous(ws: Workspace, edition_id: str) -> Previous | None:
    """The latest dossier of an edition older than ``edition_id``, and that edition if still known."""
    earlier = [s.edition for s in ws.dossier_summaries() if s.edition < edition_id]
    if not earlier:
        return None
    prev_id = max(earlier)
    try:
        prev_edition: Edition | None = ws.edition(prev_id)
    except ArobaseError:
        prev_edition = None  # the edition file is gone: services are matched by id only
    return ws.load(prev_id), prev_edition


def write_png_image(image: QImage, path: Path) -> None:
    """Write atomically: a temporary name, then renamed over the target."""
    tmp = path.with_name(f".{path.name}.tmp")
    if not image.save(str(tmp), "PNG"):
        tmp.unlink(missing_ok=True)
        raise ArobaseError(f"Impossible d'écrire l'image {path}.")
    tmp.replace(path)


class MosaicPage(QWidget):
    navigate_requested = Signal(str)
    layout_updated = Signal()  # the picture and the table show the dossier as it is now
    exported = Signal(str)  # path written
    export_failed = Signal(str)  # French sentence

    def __init__(self, controller: DossierController, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self.previous: Previous | None = None
        self._previous_for: str | None = None  # edition id the previous dossier was looked up for
        self._layout: MosaicLayout | None = None
        self.setAccessibleName("Mosaïque des enjeux")

        self.title_label = QLabel("Mosaïque des enjeux", self)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setAccessibleName("Mosaïque des enjeux")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.summary_label = QLabel(self)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setAccessibleName("Services couverts")

        self.evolution_box = QCheckBox(NO_PREVIOUS, self)
        self.evolution_box.setObjectName("mosaicEvolution")
        self.evolution_box.setAccessibleName("Montrer l'évolution depuis l'édition précédente")
        self.evolution_box.setEnabled(False)
        self.evolution_box.toggled.connect(self._recompute)
        self.png_button = QPushButton("Exporter en &PNG…", self)
        self.png_button.setAccessibleName("Exporter la mosaïque en image PNG")
        self.png_button.clicked.connect(self._ask_png)
        self.svg_button = QPushButton("Exporter en S&VG…", self)
        self.svg_button.setAccessibleName("Exporter la mosaïque en image SVG")
        self.svg_button.clicked.connect(self._ask_svg)
        self.status_label = QLabel(self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("État de l'export")

        self.mosaic = MosaicWidget(self)
        self.mosaic.service_activated.connect(self._activated)
        self.table_model = MosaicTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("mosaicTable")
        self.table.setModel(self.table_model)
        self.table.setAccessibleName("Chiffres de la mosaïque par thème et sous-thème")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._table_activated)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Présentation de la mosaïque")
        self.tabs.addTab(self.mosaic, "&Mosaïque")
        self.tabs.addTab(self.table, "&Tableau des chiffres")

        tools = QHBoxLayout()
        tools.addWidget(self.evolution_box)
        tools.addStretch(1)
        tools.addWidget(self.png_button)
        tools.addWidget(self.svg_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        layout.addLayout(tools)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_label)
        self.setTabOrder(self.evolution_box, self.png_button)
        self.setTabOrder(self.png_button, self.svg_button)
        self.setTabOrder(self.svg_button, self.tabs)

        self._timer = QTimer(self)  # coalesces the signals of one edit into one recomputation
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._recompute)
        for signal in controller.content_signals():
            signal.connect(self._schedule)
        controller.loaded.connect(self.refresh)

    # ------------------------------------------------------------------ page protocol

    def refresh(self) -> None:
        self._recompute()
        if self._previous_for != self.controller.edition.id:
            self._look_for_previous()

    def focus_field(self, field: str) -> bool:
        return False

    @property
    def mosaic_layout(self) -> MosaicLayout:
        if self._layout is None:
            self._recompute()
        assert self._layout is not None
        return self._layout

    # ------------------------------------------------------------------ layout

    def _schedule(self, *_args: object) -> None:
        self._timer.start()

    def _recompute(self, *_args: object) -> None:
        self._timer.stop()
        ctl = self.controller
        prev = self.previous if self.evolution_box.isChecked() else None
        layout = compute_layout(ctl.edition, ctl.dossier, *(prev or (None, None)))
        self._layout = layout
        self.mosaic.set_mosaic(layout)
        self.table_model.set_mosaic(layout)
        text = f"{layout.covered} service{'s' if layout.covered > 1 else ''} couvert{'s' if layout.covered > 1 else ''}"
        text += f" sur {layout.total}, édition {layout.edition_id}."
        if layout.previous_edition_id:
            n = layout.new_count
            text += f" {n} nouveau{'x' if n > 1 else ''} depuis l'édition {layout.previous_edition_id}."
        self.summary_label.setText(text)
        self.layout_updated.emit()

    def _look_for_previous(self) -> None:
        edition_id = self.controller.edition.id
        ws = self.controller.ws
        self._previous_for = edition_id

        def found(result: Previous | None) -> None:
            if edition_id != self.controller.edition.id:
                return
            self.previous = result
            if result is None:
                self.evolution_box.setChecked(False)
                self.evolution_box.setEnabled(False)
                self.evolution_box.setText(NO_PREVIOUS)
                return
            prev_id = result[1].id if result[1] else result[0].edition
            self.evolution_box.setText(f"&Évolution depuis l'édition {prev_id}")
            self.evolution_box.setAccessibleName(f"Montrer l'évolution depuis l'édition {prev_id}")
            self.evolution_box.setEnabled(True)
            if self.evolution_box.isChecked():
                self._recompute()

        def failed(exc: BaseException) -> None:
            self._previous_for = None
            self.status_label.setText(
                exc.message if isinstance(exc, ArobaseError) else "Le dossier précédent n'a pas pu être lu."
            )

        self.runner.run(lambda: _find_previous(ws, edition_id), found, failed, owner=self)

    # ------------------------------------------------------------------ navigation

    def _activated(self, service_id: str) -> None:
        self.navigate_requested.emit(f"subtheme:{self.mosaic_layout.cell(service_id).subtheme_id}")

    def _table_activated(self, index: QModelIndex) -> None:
        kind = index.data(KIND_ROLE)
        ident = index.data(ID_ROLE)
        if kind in ("theme", "subtheme"):
            self.navigate_requested.emit(f"{kind}:{ident}")

    # ------------------------------------------------------------------ exports

    def _default_path(self, suffix: str) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation) or str(Path.home())
        return str(Path(folder) / f"mosaique-{self.controller.edition.id}.{suffix}")

    def _ask_png(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Exporter la mosaïque en PNG", self._default_path("png"), "Image PNG (*.png)"
        )
        if name:
            self.export_png(Path(name) if name.lower().endswith(".png") else Path(name + ".png"))

    def _ask_svg(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Exporter la mosaïque en SVG", self._default_path("svg"), "Image SVG (*.svg)"
        )
        if name:
            self.export_svg(Path(name) if name.lower().endswith(".svg") else Path(name + ".svg"))

    def export_png(self, path: Path, width_px: int = PNG_WIDTH) -> None:
        """Render now (a few tens of ms), encode and write on the worker thread."""
        image = render_image(self.mosaic_layout, width_px, self.font())
        self._start_export(lambda: write_png_image(image, path), path)

    def export_svg(self, path: Path, width_px: int | None = None) -> None:
        layout = self.mosaic_layout  # immutable: safe to hand to the worker
        from app.mosaic_svg import write_svg  # only when exporting: not on the start-up path

        self._start_export(lambda: write_svg(layout, path, width_px), path)

    def _start_export(self, job: Callable[[], object], path: Path) -> None:
        self.status_label.setText(f"Export en cours : {path.name}…")
        self.png_button.setEnabled(False)
        self.svg_button.setEnabled(False)

        def done(_result: object) -> None:
            self._export_finished(f"Mosaïque enregistrée dans {path}.")
            self.exported.emit(str(path))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ArobaseError):
                message = exc.message
            elif isinstance(exc, OSError):
                message = f"Impossible d'écrire {path} : {exc.strerror or exc}."
            else:
                message = f"L'export de {path.name} a échoué."
            self._export_finished(message)
            self.export_failed.emit(message)

        self.runner.run(job, done, failed, owner=self)

    def _export_finished(self, message: str) -> None:
        self.status_label.setText(message)
        self.png_button.setEnabled(True)
        self.svg_button.setEnabled(True)
