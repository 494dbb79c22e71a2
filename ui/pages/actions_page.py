"""The actions of the dossier: a filterable, sortable table, and the fiche of the chosen action beside it.

Deleting asks nothing but shows an undo bar (and Ctrl+Z puts the action back); "Supprimer" needs a
chosen row, is never the default button, and its Suppr shortcut only works in the table, so that no
key typed in a field can delete an action.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from app.formats import plural, thousands
from ui.dossier_controller import DossierController
from ui.models.actions_model import (
    COL_ATTACHMENTS,
    COL_END,
    COL_LEVEL,
    COL_SERVICES,
    COL_START,
    COL_THEMES,
    COL_TITLE,
    ActionsFilterProxy,
    ActionsTableModel,
)
from ui.qt import (
    QAbstractItemView,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QItemSelectionModel,
    QKeyEvent,
    QKeySequence,
    QLabel,
    QModelIndex,
    QObject,
    QPushButton,
    QSplitter,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import TaskRunner
from ui.widgets.action_editor import ActionEditor
from ui.widgets.action_filters import ActionFilters
from ui.widgets.column_fitter import ColumnFitter
from ui.widgets.undo_bar import UndoBar

COLUMNS_BY_USE = (COL_THEMES, COL_START, COL_END, COL_ATTACHMENTS)  # shown as room allows, in this order


class ActionsPage(QWidget):
    """Page "Actions": filters on top, the table and the fiche side by side (``splitter``)."""

    navigate_requested = Signal(str)
    action_selected = Signal(str)  # uuid of the action the user chose (now shown in the fiche)

    def __init__(self, controller: DossierController, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self.setAccessibleName("Actions du dossier")
        self.model = ActionsTableModel(controller, self)
        self.proxy = ActionsFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self._build_filters()
        self.undo_bar = UndoBar(self)
        self.editor = ActionEditor(controller, self)
        # The splitter cannot squeeze the fiche below what its fields need: never a sideways scroll.
        self.editor.setMinimumWidth(self.editor.minimum_width())
        self._build_table()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("actions_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([400, 600])  # proportions: the fiche gets the larger part

        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.splitter, 1)
        self._build_actions()
        self._chain_tab_order()

        controller.loaded.connect(self._after_load)
        controller.state_changed.connect(self._update_buttons)
        controller.undo_available.connect(self._undo_available)
        controller.action_removed.connect(lambda _u: self._update_count())
        self.undo_bar.undo_requested.connect(self.undo_delete)
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._update_count)
        self.refresh()

    # ------------------------------------------------------------------ building

    def _build_filters(self) -> None:
        self.filters = ActionFilters(self.controller.edition, self)
        self.filters.changed.connect(self.apply_filters)
        # The page's own names for the filters (the tab chain, the tests, whoever focuses one).
        self.theme_combo = self.filters.theme_combo
        self.subtheme_combo = self.filters.subtheme_combo
        self.level_combo = self.filters.level_combo
        self.search_edit = self.filters.search_edit

    def _build_table(self) -> None:
        self.left = QWidget(self)
        self.new_button = QPushButton("Nouvelle action", self.left)
        self.new_button.setAccessibleName("Nouvelle action")
        self.new_button.setToolTip("Créer une action (Ctrl+N)")
        self.delete_button = QPushButton("Supprimer", self.left)
        self.delete_button.setAccessibleName("Supprimer l'action sélectionnée")
        self.delete_button.setToolTip("Supprimer l'action sélectionnée (Suppr dans la liste) ; Ctrl+Z la remet")
        for button in (self.new_button, self.delete_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.new_button.clicked.connect(self.new_action)
        self.delete_button.clicked.connect(self.delete_selected)

        self.table_label = QLabel("Liste des a&ctions :", self.left)
        self.count_label = QLabel(self.left)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setAccessibleName("Nombre d'actions affichées")
        self.table = QTableView(self.left)
        # Connected before the view's selection model exists, so that these run first: when a filter,
        # a sort or an edit removes or moves rows, the fiche keeps its action (see _resync_selection).
        self._syncing = 0
        for about in (
            self.proxy.rowsAboutToBeRemoved,
            self.proxy.layoutAboutToBeChanged,
            self.proxy.modelAboutToBeReset,
            self.proxy.rowsAboutToBeMoved,
        ):
            about.connect(self._begin_sync)
        for done in (self.proxy.rowsRemoved, self.proxy.layoutChanged, self.proxy.modelReset, self.proxy.rowsMoved):
            done.connect(self._end_sync)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Liste des actions")
        self.table.setAccessibleDescription(
            "Une ligne par action ; la fiche de l'action choisie s'affiche à droite. "
            "Cliquez un en-tête de colonne pour trier."
        )
        self.table_label.setBuddy(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = self.table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(False)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_SERVICES, QHeaderView.ResizeMode.Stretch)  # the title keeps its width
        metrics = self.fontMetrics()
        for column, sample in (
            (COL_TITLE, "Atelier numérique à la médiath"),
            (COL_LEVEL, "Réalisé__"),
            (COL_THEMES, "Démocratie & se"),
            (COL_START, "00/00/0000"),
            (COL_END, "00/00/0000"),
            (COL_ATTACHMENTS, "00"),
        ):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            header.resizeSection(column, max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title)) + 24)
        header.setMinimumSectionSize(metrics.horizontalAdvance("0000000") + 12)
        # Title, level and services always fit (the other columns make way): never a sideways scroll.
        self.column_fitter = ColumnFitter(self.table, (COL_TITLE, COL_LEVEL), COLUMNS_BY_USE)
        self.left.setMinimumWidth(self.column_fitter.minimum_width())
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # dossier order until a header is clicked
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        # A click moves the current row before it selects it: "Supprimer" follows the selection too,
        # or the first row clicked after a start would leave it disabled.
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self.left)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table_label)
        layout.addWidget(self.table, 1)

    def _build_actions(self) -> None:
        """Ctrl+N, Ctrl+Z (and Suppr in the table) belong to the page while the focus is in it.

        They are claimed through ``ShortcutOverride`` rather than as QAction shortcuts, so that the
        page works on its own and the window's Édition › Nouvelle action (Ctrl+N, the same meaning)
        and Ctrl+Z serve elsewhere without an ambiguous shortcut; text fields still get their own
        Ctrl+Z first (they claim it before the page). Ctrl+N never means "new file" (that is Ctrl+Maj+N).
        """
        self._page_keys = (
            (QKeySequence.StandardKey.New, self.new_action),
            (QKeySequence.StandardKey.Undo, self.undo_delete),
        )
        self.table.installEventFilter(self)

    def _page_key(self, event: QKeyEvent) -> Callable[[], object] | None:
        for key, slot in self._page_keys:
            if event.matches(key):
                return slot
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            slot = self._page_key(event)
            if slot is not None:
                event.accept()
                QTimer.singleShot(0, self, slot)  # after the key event, so focus moves cleanly
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._page_key(event) is not None:  # already handled on ShortcutOverride
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and isinstance(event, QKeyEvent) and event.matches(QKeySequence.StandardKey.Delete):
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.delete_selected()
                return True
        return super().eventFilter(watched, event)

    def _chain_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.theme_combo,
            self.subtheme_combo,
            self.level_combo,
            self.search_edit,
            self.undo_bar.undo_button,
            self.undo_bar.close_button,
            self.new_button,
            self.delete_button,
            self.table,
            *self.editor.tab_chain(),  # setTabOrder moves each widget after the previous one: chain them all
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ page protocol

    def refresh(self) -> None:
        """Re-read everything from the controller (the model follows ``loaded`` by itself)."""
        self._update_count()
        self._update_buttons()
        self.editor.refresh()

    def focus_field(self, field: str) -> bool:
        """``action:<uuid>.<name>``: choose that action and put the cursor in that field."""
        if not field.startswith("action:"):
            return False
        action_uuid, _, name = field[len("action:") :].partition(".")
        if not self.select_action(action_uuid):
            return False
        if not name:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return self.editor.focus_field(name)

    # ------------------------------------------------------------------ selection

    def current_uuid(self) -> str | None:
        return self.editor.action_uuid

    def selected_uuid(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if not rows or not index.isValid():
            return None
        return self.model.uuid_at(self.proxy.mapToSource(index).row())

    def select_action(self, action_uuid: str) -> bool:
        """Show this action in the table (clearing filters that hide it) and in the fiche."""
        row = self.model.row_of(action_uuid)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, COL_TITLE))
        if not index.isValid():
            self.clear_filters()
            index = self.proxy.mapFromSource(self.model.index(row, COL_TITLE))
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        if self.editor.action_uuid != action_uuid:
            self.editor.set_action(action_uuid)
            self.action_selected.emit(action_uuid)
        self._update_buttons()
        return True

    def _begin_sync(self, *_args: object) -> None:
        self._syncing += 1

    def _end_sync(self, *_args: object) -> None:
        self._syncing = max(0, self._syncing - 1)
        if self._syncing == 0:
            self._resync_selection()

    def _resync_selection(self) -> None:
        """After rows moved or vanished: the table selects the fiche's action if shown, else nothing.

        Never another action: "Supprimer" acts on the selected row, which must be the one on screen.
        """
        selection = self.table.selectionModel()
        action_uuid = self.editor.action_uuid
        row = self.model.row_of(action_uuid) if action_uuid else None
        index = self.proxy.mapFromSource(self.model.index(row, COL_TITLE)) if row is not None else QModelIndex()
        self._syncing += 1
        try:
            if index.isValid():
                if selection.currentIndex().row() != index.row() or not selection.isRowSelected(index.row()):
                    selection.setCurrentIndex(
                        index,
                        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                    )
            elif selection.currentIndex().isValid() or selection.hasSelection():
                selection.clearSelection()
                selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        finally:
            self._syncing -= 1
        self._update_buttons()

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing:  # rows moving under the cursor, not the user choosing another action
            return
        if current.isValid():
            action_uuid = self.model.uuid_at(self.proxy.mapToSource(current).row())
            if action_uuid != self.editor.action_uuid:
                self.editor.set_action(action_uuid)
                self.action_selected.emit(action_uuid)
        # a row hidden by a filter (or re-sorted away) keeps its fiche open: only another choice replaces it
        self._update_buttons()

    # ------------------------------------------------------------------ filters

    def apply_filters(self) -> None:
        self.proxy.set_filters(**self.filters.values())
        self._update_count()
        self._update_buttons()

    def clear_filters(self) -> None:
        self.filters.clear()
        self.apply_filters()

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if total == 0:
            text = "Aucune action pour l'instant."
        elif shown == total:
            text = plural(total, "action")
        else:
            text = f"{plural(shown, 'action affichée')} sur {thousands(total)}"
        self.count_label.setText(text)

    # ------------------------------------------------------------------ creating, deleting

    def new_action(self) -> str | None:
        """Create an empty action, show it, and put the cursor in its title."""
        return self._create()

    def new_action_for_service(self, service_id: str) -> str | None:
        """Create an action already linked to this service (from the mosaïque, say); title focused."""
        if not self.controller.edition.has_service(service_id):
            return None
        return self._create(services=(service_id,))

    def _create(self, **fields: object) -> str | None:
        if self.controller.read_only:
            return None
        self.undo_bar.dismiss()
        action_uuid = self.controller.create_action(**fields)
        self.select_action(action_uuid)
        self.editor.focus_field("title")
        return action_uuid

    def delete_selected(self) -> None:
        """Delete the action chosen in the table, at once; the undo bar (and Ctrl+Z) can put it back."""
        action_uuid = self.selected_uuid()
        if action_uuid is None or self.controller.read_only:
            return
        data = self.controller.action(action_uuid)
        title = data.title if data else ""
        proxy_row = self.table.currentIndex().row()
        self.controller.delete_action(action_uuid)
        self.undo_bar.show_deleted(title)
        if self.proxy.rowCount():
            next_index = self.proxy.index(min(proxy_row, self.proxy.rowCount() - 1), COL_TITLE)
            self.table.selectionModel().setCurrentIndex(
                next_index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_buttons()

    def undo_delete(self) -> str | None:
        if self.controller.read_only or not self.controller.can_undo():
            return None
        action_uuid = self.controller.undo_delete()
        if action_uuid:
            self.undo_bar.dismiss()
            self.select_action(action_uuid)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        return action_uuid

    def _undo_available(self, available: bool) -> None:
        if not available:
            self.undo_bar.dismiss()

    # ------------------------------------------------------------------ state

    def _after_load(self) -> None:
        self.undo_bar.dismiss()
        self.refresh()

    def _update_buttons(self, *_args: object) -> None:
        editable = not self.controller.read_only
        self.new_button.setEnabled(editable)
        self.delete_button.setEnabled(editable and self.selected_uuid() is not None)
