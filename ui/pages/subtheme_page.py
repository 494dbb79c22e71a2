"""One sub-theme of the questionnaire: its question, then each service with the actions linked to it.

Services are the rows of a tree (their linked actions are the children), with the best level of
realisation written out and marked. "Ajouter une action pour ce service" asks the window for a new
action already linked to the selected service; Entrée or a double-click on an action opens it.
"""

from __future__ import annotations

from app.edition import SubTheme
from app.mosaic import ServiceCoverage
from ui.dossier_controller import DossierController
from ui.qt import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QItemSelectionModel,
    QLabel,
    QModelIndex,
    QPushButton,
    QStandardItem,
    QStandardItemModel,
    Qt,
    QTreeView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import TaskRunner

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "service" or "action"
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # service id or action uuid
COLUMNS = ("Service et actions", "Meilleur niveau")
UNTITLED = "(action sans titre)"
READ_ONLY_NOTE = (
    "Le dossier est validé : il ne peut plus être modifié. Pour ajouter une action, choisissez "
    "« Modifier (nouvelle révision) » dans la page Dossier."
)


def level_words(sc: ServiceCoverage) -> str:
    if not sc.covered:
        return "Aucune action"
    if sc.best_level is None:
        return "Niveau non indiqué"
    return sc.best_level.label


def level_text(sc: ServiceCoverage, top_rank: int) -> str:
    """The best level as words, with a mark (✓ at the top level), never as a colour alone."""
    if not sc.covered:
        mark = "○"
    elif sc.best_level is not None and sc.best_level.rank >= top_rank:
        mark = "✓"
    else:
        mark = "●"
    return f"{mark} {level_words(sc)}"


def _set_data(item: QStandardItem, value: str, role: Qt.ItemDataRole) -> None:
    if item.data(role) != value:
        item.setData(value, role)


class SubthemePage(QWidget):
    navigate_requested = Signal(str)

    def __init__(self, controller: DossierController, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self.subtheme: SubTheme | None = None
        self._service_items: dict[str, QStandardItem] = {}
        self.setAccessibleName("Sous-thème du questionnaire")

        self.theme_label = QLabel(self)
        self.theme_label.setTextFormat(Qt.TextFormat.PlainText)
        self.theme_label.setAccessibleName("Thème")
        self.title_label = QLabel(self)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setAccessibleName("Sous-thème")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.question_label = QLabel(self)
        self.question_label.setTextFormat(Qt.TextFormat.PlainText)
        self.question_label.setWordWrap(True)
        self.question_label.setAccessibleName("Question")
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.coverage_label = QLabel(self)
        self.coverage_label.setTextFormat(Qt.TextFormat.PlainText)
        self.coverage_label.setAccessibleName("Services couverts")

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.services_label = QLabel("Ser&vices de ce sous-thème et actions liées :", self)
        self.view = QTreeView(self)
        self.view.setObjectName("subthemeServices")
        self.view.setAccessibleName("Services de ce sous-thème et actions liées")
        self.view.setAccessibleDescription(
            "Chaque service, son meilleur niveau de réalisation et, en dessous, les actions qui le rendent. "
            "Entrée sur une action l'ouvre."
        )
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(True)
        self.view.setAlternatingRowColors(True)
        self.view.setExpandsOnDoubleClick(False)  # double-click opens an action; services stay expanded
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.services_label.setBuddy(self.view)
        self.view.activated.connect(self._activated)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())

        self.add_button = QPushButton("Ajouter une action pour ce &service", self)
        self.add_button.setAccessibleName("Ajouter une action pour ce service")
        self.add_button.clicked.connect(self.add_action_for_selected)
        self.open_button = QPushButton("&Ouvrir l'action", self)
        self.open_button.setAccessibleName("Ouvrir l'action choisie")
        self.open_button.clicked.connect(self._open_selected)
        self.read_only_label = QLabel(READ_ONLY_NOTE, self)
        self.read_only_label.setTextFormat(Qt.TextFormat.PlainText)
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setAccessibleName("Dossier en lecture seule")

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (self.theme_label, self.title_label, self.question_label, self.coverage_label):
            layout.addWidget(widget)
        layout.addWidget(self.services_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.read_only_label)
        layout.addLayout(buttons)

        controller.action_changed.connect(self._update)
        controller.action_removed.connect(self._update)
        controller.coverage_changed.connect(self._update)
        controller.state_changed.connect(self._update_buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ page protocol

    def refresh(self) -> None:
        if self.subtheme is None:
            first = self.controller.edition.themes[0].subthemes[0]
            self.show_subtheme(first.id)
        else:
            self.show_subtheme(self.subtheme.id)

    def focus_field(self, field: str) -> bool:
        return False

    def show_subtheme(self, subtheme_id: str) -> None:
        """Show a sub-theme of the controller's edition (raises EditionError for an unknown id)."""
        st = self.controller.edition.subtheme(subtheme_id)
        if self.subtheme is None or self.subtheme.id != st.id:
            self.subtheme = st
            theme = self.controller.edition.theme(st.theme_id)
            self.theme_label.setText(theme.title)
            self.title_label.setText(st.title)
            self.question_label.setText(st.question)
            self.setAccessibleName(f"Sous-thème : {st.title}")
            self._rebuild()
        else:
            self._update()

    def show_theme(self, theme_id: str) -> None:
        """A theme is shown by its first sub-theme."""
        self.show_subtheme(self.controller.edition.theme(theme_id).subthemes[0].id)

    # ------------------------------------------------------------------ the tree

    def service_row(self, service_id: str) -> QModelIndex:
        item = self._service_items.get(service_id)
        return item.index() if item is not None else QModelIndex()

    def _rebuild(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        self._service_items.clear()
        assert self.subtheme is not None
        for sv in self.subtheme.services:
            label = QStandardItem(sv.label)
            label.setData("service", KIND_ROLE)
            label.setData(sv.id, ID_ROLE)
            level = QStandardItem()
            level.setData("service", KIND_ROLE)
            level.setData(sv.id, ID_ROLE)
            for it in (label, level):
                it.setEditable(False)
            self.model.appendRow([label, level])
            self._service_items[sv.id] = label
        self._update()
        self.view.expandAll()
        if self.model.rowCount():
            self.view.selectionModel().setCurrentIndex(
                self.model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _update(self, *_args: object) -> None:
        """Bring texts and linked actions up to date in place (selection and focus stay)."""
        if self.subtheme is None:
            return
        cov = self.controller.coverage().subtheme(self.subtheme.id)
        edition = self.controller.edition
        top_rank = edition.top_level.rank
        self.coverage_label.setText(
            f"{cov.covered} service{'s' if cov.covered > 1 else ''} couvert{'s' if cov.covered > 1 else ''} "
            f"sur {cov.total}."
        )
        for sc in cov.services:
            label = self._service_items.get(sc.service_id)
            if label is None:
                continue
            level = self.model.item(label.row(), 1)
            text = level_text(sc, top_rank)
            count = len(sc.action_uuids)
            spoken = f"meilleur niveau : {level_words(sc)}, {count} action{'s' if count > 1 else ''}"
            _set_data(level, text, Qt.ItemDataRole.DisplayRole)
            _set_data(
                label, f"{sc.label} — {spoken if sc.covered else 'aucune action'}", Qt.ItemDataRole.AccessibleTextRole
            )
            self._sync_children(label, sc)
        self._update_buttons()

    def _sync_children(self, service: QStandardItem, sc: ServiceCoverage) -> None:
        rows = []
        for action_uuid in sc.action_uuids:
            action = self.controller.action(action_uuid)
            if action is None:
                continue
            title = action.title.strip() or UNTITLED
            level = self.controller.edition.level(action.level).label if self._known_level(action.level) else ""
            rows.append((action_uuid, title, level or "Niveau non indiqué"))
        same = service.rowCount() == len(rows) and all(
            service.child(i, 0).data(ID_ROLE) == rows[i][0] for i in range(len(rows))
        )
        if same:
            for i, (_uuid, title, level) in enumerate(rows):
                _set_data(service.child(i, 0), title, Qt.ItemDataRole.DisplayRole)
                _set_data(service.child(i, 0), f"Action : {title}, {level}", Qt.ItemDataRole.AccessibleTextRole)
                _set_data(service.child(i, 1), level, Qt.ItemDataRole.DisplayRole)
            return
        was_expanded = self.view.isExpanded(service.index())
        current = self.view.currentIndex()
        current_uuid = current.data(ID_ROLE) if current.data(KIND_ROLE) == "action" else None
        lost_current = current_uuid is not None and current.parent() == service.index()
        service.removeRows(0, service.rowCount())
        for action_uuid, title, level in rows:
            cells = [QStandardItem(title), QStandardItem(level)]
            for cell in cells:
                cell.setEditable(False)
                cell.setData("action", KIND_ROLE)
                cell.setData(action_uuid, ID_ROLE)
            cells[0].setData(f"Action : {title}, {level}", Qt.ItemDataRole.AccessibleTextRole)
            service.appendRow(cells)
        if was_expanded or not rows:
            self.view.expand(service.index())
        if lost_current:  # keep the cursor on the same action, or on its service if it was unlinked
            target = next(
                (
                    service.child(i, 0).index()
                    for i in range(service.rowCount())
                    if service.child(i, 0).data(ID_ROLE) == current_uuid
                ),
                service.index(),
            )
            self.view.selectionModel().setCurrentIndex(
                target, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )

    def _known_level(self, level: str | None) -> bool:
        return level is not None and self.controller.edition.has_level(level)

    # ------------------------------------------------------------------ actions

    def selected_service(self) -> str | None:
        """The service of the current row (an action row gives its service)."""
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        if index.data(KIND_ROLE) == "action":
            index = index.parent()
        return index.siblingAtColumn(0).data(ID_ROLE)

    def selected_action(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() and index.data(KIND_ROLE) == "action" else None

    def add_action_for_selected(self) -> None:
        service_id = self.selected_service()
        if service_id and not self.controller.read_only:
            self.navigate_requested.emit(f"new-action:{service_id}")

    def _open_selected(self) -> None:
        action_uuid = self.selected_action()
        if action_uuid:
            self.navigate_requested.emit(f"action:{action_uuid}")

    def _activated(self, index: QModelIndex) -> None:
        if index.data(KIND_ROLE) == "action":
            self.navigate_requested.emit(f"action:{index.data(ID_ROLE)}")

    def _update_buttons(self) -> None:
        read_only = self.controller.read_only
        self.add_button.setEnabled(not read_only and self.selected_service() is not None)
        self.open_button.setEnabled(self.selected_action() is not None)
        self.read_only_label.setVisible(read_only)
