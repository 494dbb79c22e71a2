"""Choose the services an action renders among all the edition's services (138 in 2019).

A search field filters the tree of themes › sub-themes › services as the user types, ignoring case and
accents ("medi" finds "médiation"); every service has a check box (the space bar toggles it); the
services checked are listed below, in the edition's order, and can be removed from there too.
"""

from __future__ import annotations

from app.edition import Edition, fold
from ui.qt import (
    QAbstractItemView,
    QEvent,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListView,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPushButton,
    QSortFilterProxyModel,
    QStandardItem,
    QStandardItemModel,
    Qt,
    QTreeView,
    QVBoxLayout,
    QWidget,
    Signal,
)

ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
SEARCH_ROLE = int(Qt.ItemDataRole.UserRole) + 2
NONE_CHOSEN = "Aucun service choisi."


class _ServiceFilter(QSortFilterProxyModel):
    """Shows the services whose label (or sub-theme, or theme) contains every typed word."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: tuple[str, ...] = ()
        self.setRecursiveFilteringEnabled(True)
        self.setDynamicSortFilter(False)

    def set_text(self, text: str) -> None:
        words = tuple(fold(text).split())
        if words == self._words:
            return
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._words = words
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._words:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        haystack = index.data(SEARCH_ROLE)
        if not haystack:  # a theme or sub-theme: shown when one of its services is (recursive filtering)
            return False
        return all(w in haystack for w in self._words)


class _ServiceTree(QTreeView):
    """The tree; Down from the search field lands here, Up on the first row goes back to the field."""

    back_to_search = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Up and not self.indexAbove(self.currentIndex()).isValid():
            self.back_to_search.emit()
            return
        super().keyPressEvent(event)


class ServicesPicker(QWidget):
    """The services of one action; ``selection_changed`` carries the ids, in the edition's order."""

    selection_changed = Signal(tuple)

    def __init__(self, edition: Edition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edition = edition
        self._order = {s.id: n for n, s in enumerate(edition.services)}
        self._items: dict[str, QStandardItem] = {}
        self._updating = False
        self._read_only = False
        self._unknown: tuple[str, ...] = ()  # ids not in this edition, kept as they are

        self.search_label = QLabel("Cherc&her un service :", self)
        self.search_edit = QLineEdit(self)
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText("mots du service, du sous-thème ou du thème")
        self.search_edit.setAccessibleName("Chercher un service")
        self.search_edit.setAccessibleDescription(
            "Tapez quelques lettres : la liste ne garde que les services qui les contiennent, "
            "sans tenir compte des accents ni des majuscules. Flèche bas pour aller dans la liste."
        )
        self.search_label.setBuddy(self.search_edit)

        self.model = QStandardItemModel(self)
        self._fill()
        self.proxy = _ServiceFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = _ServiceTree(self)
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAccessibleName("Services du questionnaire")
        self.tree.setAccessibleDescription(
            "Cochez les services que l'action rend ; la barre d'espace coche ou décoche."
        )
        self.tree.setMinimumHeight(self.fontMetrics().height() * 10)
        self.tree.expandAll()
        self.tree.back_to_search.connect(self.search_edit.setFocus)
        self.search_edit.textChanged.connect(self._filter)
        self.search_edit.returnPressed.connect(self._focus_first_match)
        self.search_edit.installEventFilter(self)
        self.no_match = QLabel("Aucun service ne contient ces mots.", self)
        self.no_match.setTextFormat(Qt.TextFormat.PlainText)
        self.no_match.hide()

        self.chosen_label = QLabel("Services &liés à l'action :", self)
        self.chosen_model = QStandardItemModel(self)
        self.chosen_view = QListView(self)
        self.chosen_view.setModel(self.chosen_model)
        self.chosen_view.setWordWrap(True)
        self.chosen_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.chosen_view.setAccessibleName("Services liés à l'action")
        self.chosen_view.setMaximumHeight(self.fontMetrics().height() * 7)
        self.chosen_label.setBuddy(self.chosen_view)
        self.count_label = QLabel(NONE_CHOSEN, self)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setAccessibleName("Nombre de services liés")
        self.remove_button = QPushButton("Retirer ce service", self)
        self.remove_button.setAccessibleName("Retirer le service sélectionné des services liés")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self._remove_chosen)
        self.chosen_view.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())

        self.model.itemChanged.connect(self._item_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_label)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.no_match)
        layout.addWidget(self.chosen_label)
        layout.addWidget(self.chosen_view)
        row = QHBoxLayout()
        row.addWidget(self.count_label, 1)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        self.setTabOrder(self.search_edit, self.tree)
        self.setTabOrder(self.tree, self.chosen_view)
        self.setTabOrder(self.chosen_view, self.remove_button)
        self._update_buttons()

    def _fill(self) -> None:
        for theme in self.edition.themes:
            theme_item = QStandardItem(theme.title)
            theme_item.setEditable(False)
            theme_item.setSelectable(True)
            for st in theme.subthemes:
                st_item = QStandardItem(st.title)
                st_item.setEditable(False)
                st_item.setToolTip(st.question)
                for sv in st.services:
                    item = QStandardItem(sv.label)
                    item.setEditable(False)
                    item.setCheckable(True)
                    item.setCheckState(Qt.CheckState.Unchecked)
                    item.setToolTip(sv.label)
                    item.setData(sv.id, ID_ROLE)
                    item.setData(fold(f"{sv.label}\n{st.title}\n{theme.title}"), SEARCH_ROLE)
                    item.setData(f"{sv.label}, non coché", Qt.ItemDataRole.AccessibleTextRole)
                    st_item.appendRow(item)
                    self._items[sv.id] = item
                theme_item.appendRow(st_item)
            self.model.appendRow(theme_item)

    # ------------------------------------------------------------------ public

    def selected(self) -> tuple[str, ...]:
        chosen = [sid for sid, item in self._items.items() if item.checkState() == Qt.CheckState.Checked]
        chosen.sort(key=self._order.__getitem__)
        return (*chosen, *self._unknown)

    def set_selected(self, service_ids: tuple[str, ...] | list[str]) -> None:
        """Show these services as checked (no signal)."""
        wanted = set(service_ids)
        self._unknown = tuple(sid for sid in service_ids if sid not in self._items)
        self._updating = True
        try:
            for sid, item in self._items.items():
                state = Qt.CheckState.Checked if sid in wanted else Qt.CheckState.Unchecked
                if item.checkState() != state:
                    item.setCheckState(state)
                    self._describe(item)
        finally:
            self._updating = False
        self._refresh_chosen()

    def set_checked(self, service_id: str, checked: bool) -> None:
        """Check or uncheck one service as the user would (emits ``selection_changed``)."""
        item = self._items[service_id]
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._updating = True
        try:
            for item in self._items.values():
                flags = item.flags()
                if read_only:
                    flags &= ~Qt.ItemFlag.ItemIsUserCheckable
                else:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(flags)
        finally:
            self._updating = False
        self._update_buttons()

    def visible_service_ids(self) -> list[str]:
        """Ids of the services the filter currently shows, top to bottom."""
        out: list[str] = []

        def walk(parent: QModelIndex) -> None:
            for r in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(r, 0, parent)
                sid = index.data(ID_ROLE)
                if sid:
                    out.append(sid)
                walk(index)

        walk(QModelIndex())
        return out

    def index_of(self, service_id: str) -> QModelIndex:
        """The tree's index of a service (invalid when filtered out)."""
        return self.proxy.mapFromSource(self._items[service_id].index())

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ internals

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            self._focus_first_match()
            return True
        return super().eventFilter(watched, event)

    def _filter(self, text: str) -> None:
        self.proxy.set_text(text)
        self.tree.expandAll()
        self.no_match.setVisible(self.proxy.rowCount() == 0)

    def _focus_first_match(self) -> None:
        ids = self.visible_service_ids()
        if not ids:
            return
        self.tree.setFocus(Qt.FocusReason.TabFocusReason)
        self.tree.setCurrentIndex(self.index_of(ids[0]))

    def _item_changed(self, item: QStandardItem) -> None:
        if self._updating or item.data(ID_ROLE) is None:
            return
        self._updating = True
        try:
            self._describe(item)
        finally:
            self._updating = False
        self._refresh_chosen()
        self.selection_changed.emit(self.selected())

    @staticmethod
    def _describe(item: QStandardItem) -> None:
        state = "coché" if item.checkState() == Qt.CheckState.Checked else "non coché"
        item.setData(f"{item.text()}, {state}", Qt.ItemDataRole.AccessibleTextRole)

    def _refresh_chosen(self) -> None:
        self.chosen_model.clear()
        for sid in self.selected():
            if sid in self._items:
                sv = self.edition.service(sid)
                text = sv.label
            else:
                text = f"Service inconnu de cette édition : {sid}"
            item = QStandardItem(text)
            item.setEditable(False)
            item.setToolTip(text)
            item.setData(sid, ID_ROLE)
            self.chosen_model.appendRow(item)
        n = self.chosen_model.rowCount()
        self.count_label.setText(
            NONE_CHOSEN if n == 0 else f"{n} service{'s' if n > 1 else ''} lié{'s' if n > 1 else ''}."
        )
        self._update_buttons()

    def _remove_chosen(self) -> None:
        index = self.chosen_view.currentIndex()
        if not index.isValid() or self._read_only:
            return
        sid = index.data(ID_ROLE)
        if sid in self._items:
            self.set_checked(sid, False)
        else:
            self._unknown = tuple(s for s in self._unknown if s != sid)
            self._refresh_chosen()
            self.selection_changed.emit(self.selected())

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(not self._read_only and self.chosen_view.currentIndex().isValid())
