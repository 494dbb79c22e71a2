"""The side panel of the dossier: every page, and each theme and sub-theme with the services it covers.

A tree over a ``QStandardItemModel``: the texts are updated in place when the coverage or the problems
change (keyboard focus and selection stay where they are). Figures are written in the text and, for
screen readers, as words ("3 services couverts sur 11"); nothing is carried by colour.
"""

from __future__ import annotations

from app.formats import plural
from app.model import STATE_LABELS
from ui.dossier_controller import DossierController
from ui.qt import (
    QAbstractItemView,
    QItemSelectionModel,
    QModelIndex,
    QStandardItem,
    QStandardItemModel,
    Qt,
    QTimer,
    QTreeView,
    QVBoxLayout,
    QWidget,
    Signal,
)

TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
PROBLEMS_DELAY_MS = 300
FOCUS_FRAME = (
    "QTreeView#navigationTree { border: 2px solid transparent; }"
    "QTreeView#navigationTree:focus { border: 2px solid palette(highlight); }"
)

TOP_ENTRIES_BEFORE = (("profile", "Profil de la collectivité"), ("epci", "Critères intercommunaux"))
TOP_ENTRIES_AFTER = (("actions", "Actions"), ("mosaic", "Mosaïque"), ("dossier", "Dossier"), ("send", "Envoi"))


def covered_words(covered: int, total: int) -> str:
    """ "3 services couverts sur 11" (French keeps 0 and 1 singular)."""
    return f"{plural(covered, 'service couvert')} sur {total}"


def blocking_words(count: int) -> str:
    if count == 0:
        return "aucun problème bloquant"
    return plural(count, "problème bloquant")


class NavigationPanel(QWidget):
    """Emits ``navigate_requested(target)`` when the user picks an entry; ``select_target`` follows the pages."""

    navigate_requested = Signal(str)

    def __init__(self, controller: DossierController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.current_target = ""
        self._syncing = False
        self._items: dict[str, QStandardItem] = {}
        self.setAccessibleName("Navigation dans le dossier")

        self.model = QStandardItemModel(self)
        root = self.model.invisibleRootItem()
        for target, text in TOP_ENTRIES_BEFORE:
            root.appendRow(self._item(target, text))
        for theme in controller.edition.themes:
            theme_item = self._item(f"theme:{theme.id}", theme.title)
            for st in theme.subthemes:
                theme_item.appendRow(self._item(f"subtheme:{st.id}", st.title))
            root.appendRow(theme_item)
        for target, text in TOP_ENTRIES_AFTER:
            root.appendRow(self._item(target, text))

        self.view = QTreeView(self)
        self.view.setObjectName("navigationTree")
        self.view.setAccessibleName("Navigation dans le dossier")
        self.view.setAccessibleDescription("Choisissez une partie du dossier ; la page s'affiche à droite.")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setUniformRowHeights(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the figures at the end visible
        # The keyboard focus must be seen from across the room: a frame in the highlight colour.
        self.view.setStyleSheet(FOCUS_FRAME)
        self.view.expandAll()
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.clicked.connect(self._picked)
        self.view.activated.connect(self._picked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.setFocusProxy(self.view)

        self._problems_timer = QTimer(self)
        self._problems_timer.setSingleShot(True)
        self._problems_timer.setInterval(PROBLEMS_DELAY_MS)
        self._problems_timer.timeout.connect(self.update_dossier_entry)

        controller.loaded.connect(self.refresh)
        controller.coverage_changed.connect(self.update_coverage)
        controller.profile_changed.connect(self._update_epci_visibility)
        controller.action_changed.connect(self._update_actions_entry)
        controller.action_removed.connect(self._update_actions_entry)
        for signal in controller.content_signals():
            signal.connect(self._schedule_problems)
        controller.state_changed.connect(self.update_dossier_entry)
        self.refresh()

    # ------------------------------------------------------------------ building

    def _item(self, target: str, text: str) -> QStandardItem:
        item = QStandardItem(text)
        item.setEditable(False)
        item.setData(target, TARGET_ROLE)
        item.setData(text, Qt.ItemDataRole.AccessibleTextRole)
        self._items[target] = item
        return item

    def item(self, target: str) -> QStandardItem:
        """The entry of a target (``profile``, ``theme:<id>``, ``subtheme:<id>``…), for tests and the window."""
        return self._items[target]

    def index_of(self, target: str) -> QModelIndex:
        return self._items[target].index()

    def text(self, target: str) -> str:
        return self._items[target].text()

    @staticmethod
    def _set(item: QStandardItem, text: str, spoken: str, words: str) -> None:
        """Change an entry only if needed, so that screen readers are not told of changes that are not."""
        if item.text() != text:
            item.setText(text)
        if item.data(Qt.ItemDataRole.AccessibleTextRole) != spoken:
            item.setData(spoken, Qt.ItemDataRole.AccessibleTextRole)
        if item.data(Qt.ItemDataRole.AccessibleDescriptionRole) != words:
            item.setData(words, Qt.ItemDataRole.AccessibleDescriptionRole)
        if item.toolTip() != spoken:  # the whole title, when the panel is too narrow to show it
            item.setToolTip(spoken)

    # ------------------------------------------------------------------ updating

    def refresh(self) -> None:
        """Re-read everything from the controller (after a load)."""
        self.update_coverage()
        self._update_epci_visibility()
        self._update_actions_entry()
        self.update_dossier_entry()

    def update_coverage(self) -> None:
        cov = self.controller.coverage()
        for theme in cov.themes:
            self._set_figures(f"theme:{theme.theme_id}", theme.title, theme.covered, theme.total)
            for st in theme.subthemes:
                self._set_figures(f"subtheme:{st.subtheme_id}", st.title, st.covered, st.total)

    def _set_figures(self, target: str, title: str, covered: int, total: int) -> None:
        item = self._items.get(target)
        if item is None:
            return
        words = covered_words(covered, total)
        self._set(item, f"{title} — {covered} / {total}", f"{title} : {words}", words)

    def _update_epci_visibility(self) -> None:
        hidden = self.controller.profile.kind != "epci"
        row = self._items["epci"].row()
        if self.view.isRowHidden(row, QModelIndex()) != hidden:
            self.view.setRowHidden(row, QModelIndex(), hidden)

    def _update_actions_entry(self, _uuid: str = "") -> None:
        count = len(self.controller.dossier.actions)
        words = f"{count} action{'s' if count > 1 else ''}"
        self._set(self._items["actions"], f"Actions ({count})", f"Actions : {words}", words)

    def _schedule_problems(self, *_args: object) -> None:
        self._problems_timer.start()

    def update_dossier_entry(self) -> None:
        """The "Dossier" entry: its state when frozen, else the count of blocking problems."""
        self._problems_timer.stop()
        item = self._items["dossier"]
        dossier = self.controller.dossier
        if self.controller.read_only:
            state = STATE_LABELS[dossier.state]
            words = f"dossier {state}, révision {dossier.revision}"
            self._set(item, f"Dossier — {state}", f"Dossier : {words}", words)
            return
        count = sum(1 for p in self.controller.problems() if p.blocking)
        words = blocking_words(count)
        short = f"{count} bloquant{'s' if count > 1 else ''}" if count else "prêt à valider"
        self._set(item, f"Dossier — {short}", f"Dossier : {words}", words)

    # ------------------------------------------------------------------ navigating

    def select_target(self, target: str) -> bool:
        """Highlight the entry of the page now shown, without asking to navigate again."""
        kind = target.partition(":")[0]
        key = {"action": "actions", "new-action": "actions", "field": ""}.get(kind, target)
        item = self._items.get(key)
        if item is None:
            return False
        current = self.view.currentIndex()
        if kind == "subtheme" and current.isValid():
            # The user moved onto a theme, which shows its first sub-theme: leave the cursor on the theme,
            # or the arrow keys could never leave it.
            theme_item = item.parent()
            if theme_item is not None and current == theme_item.index():
                self.current_target = target
                return True
        self._syncing = True
        try:
            self.view.selectionModel().setCurrentIndex(item.index(), QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.view.scrollTo(item.index())
        finally:
            self._syncing = False
        self.current_target = target
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._syncing and current.isValid():
            self._emit(current)

    def _picked(self, index: QModelIndex) -> None:
        target = index.data(TARGET_ROLE)
        if target and target != self.current_target:
            self._emit(index)

    def _emit(self, index: QModelIndex) -> None:
        target = index.data(TARGET_ROLE)
        if target:
            self.current_target = target
            self.navigate_requested.emit(target)
