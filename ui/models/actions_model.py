"""The dossier's actions as a table (one row per action), and the proxy that filters it.

The model follows the controller's signals row by row: an edit repaints one row (``dataChanged`` on
the columns that changed), a creation inserts one row, a deletion removes one; only ``loaded`` resets
the whole model. Everything a row shows, is sorted by or filtered on is computed once per edit
(``ActionRow``), so painting, sorting and filtering 5,000 rows never touch the edition or reformat
dates. The accent-free, lower-case search text of a row (title, synthesis, results, tools, partners,
web link, addresses, services) is folded lazily, in small batches while the program is idle, so that
neither loading nor typing pays for folding thousands of texts.

Sorting is done by the table model itself (``sort``: Python's sort on the precomputed keys, then one
``layoutChanged``), in the dossier's order until a header is clicked; the proxy only filters. A
``lessThan`` in the proxy would be called ~60,000 times through the binding for 5,000 rows (0.4 s
per header click, and again whenever a filter is widened while sorted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.edition import Edition, fold
from app.model import ActionData
from ui.dossier_controller import DossierController
from ui.qt import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)

ModelIndex = QModelIndex | QPersistentModelIndex

COL_TITLE, COL_LEVEL, COL_SERVICES, COL_THEMES, COL_START, COL_END, COL_ATTACHMENTS = range(7)
HEADERS = ("Titre", "Niveau", "Services", "Thèmes", "Début", "Fin", "Pièces jointes")
HEADER_TIPS = (
    "Titre de l'action",
    "Niveau de réalisation",
    "Services que l'action rend (nombre et premier service)",
    "Thèmes des services liés",
    "Date de début",
    "Date de fin",
    "Nombre de pièces jointes",
)
UUID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
NO_TITLE = "(sans titre)"
NO_LEVEL = "non renseigné"
NO_SERVICE = "aucun"
NO_DATE = "—"
SEARCH_BATCH = 250  # rows folded per idle tick (about 10 ms)


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else NO_DATE


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


@dataclass(slots=True)
class ActionRow:
    """What the table shows of one action, with its sort keys and filter keys, computed once per edit."""

    uuid: str
    display: tuple[str, ...]
    sort_keys: tuple[Any, ...]
    level: str | None
    theme_ids: frozenset[str]
    subtheme_ids: frozenset[str]
    service_labels: tuple[str, ...]
    raw_search: str
    search: str | None = field(default=None)  # folded raw_search, filled lazily

    def folded(self) -> str:
        if self.search is None:
            self.search = fold(self.raw_search)
        return self.search


def build_row(edition: Edition, a: ActionData) -> ActionRow:
    services = [edition.service(sid) for sid in a.services if edition.has_service(sid)]
    labels = tuple(s.label for s in services)
    unknown = len(a.services) - len(services)
    theme_ids: dict[str, None] = {}
    for s in services:
        theme_ids.setdefault(s.theme_id, None)
    theme_titles = [edition.theme(t).title for t in theme_ids]
    level = edition.level(a.level) if a.level and edition.has_level(a.level) else None
    n_services = len(a.services)
    if n_services == 0:
        services_text = NO_SERVICE
    elif n_services == 1:
        services_text = labels[0] if labels else "1 service inconnu"
    else:
        services_text = f"{n_services} : {labels[0] if labels else 'services inconnus'}"
    if unknown and n_services > 1:
        services_text += f" ({unknown} inconnu{'s' if unknown > 1 else ''})"
    title = a.title.strip()
    display = (
        title or NO_TITLE,
        level.label if level else (a.level or NO_LEVEL),
        services_text,
        ", ".join(theme_titles) or "—",
        format_date(a.start_date),
        format_date(a.end_date),
        str(len(a.attachments)) if a.attachments else "0",
    )
    sort_keys = (
        (title == "", fold(title)),
        level.rank if level else -1,
        n_services,
        display[COL_THEMES],
        a.start_date.toordinal() if a.start_date else 0,
        a.end_date.toordinal() if a.end_date else 0,
        len(a.attachments),
    )
    parts = [a.title, a.synthesis, a.results, a.tools, a.partners, a.web_link, *labels]
    for ad in a.addresses:
        parts += [ad.label, ad.street, ad.postal_code, ad.city]
    return ActionRow(
        uuid=a.uuid,
        display=display,
        sort_keys=sort_keys,
        level=a.level,
        theme_ids=frozenset(theme_ids),
        subtheme_ids=frozenset(s.subtheme_id for s in services),
        service_labels=labels,
        raw_search="\n".join(parts),
    )


class ActionsTableModel(QAbstractTableModel):
    """One row per action of the controller's dossier, in the dossier's order; updated row by row."""

    def __init__(self, controller: DossierController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.rows: list[ActionRow] = []
        self._index: dict[str, int] = {}
        self._next_fold = 0  # idle-time folding has reached this row
        self._sort_column = -1  # -1: the dossier's order
        self._sort_descending = False
        self._fold_timer = QTimer(self)
        self._fold_timer.setInterval(0)
        self._fold_timer.timeout.connect(self._fold_some)
        controller.loaded.connect(self.reload)
        controller.action_changed.connect(self._action_changed)
        controller.action_removed.connect(self._action_removed)
        self.reload()

    # ------------------------------------------------------------------ Qt model

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            return row.display[col]
        if role == UUID_ROLE:
            return row.uuid
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_SERVICES and row.service_labels:
                return "\n".join(f"• {label}" for label in row.service_labels)
            if col in (COL_TITLE, COL_THEMES):
                return row.display[col]
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_START, COL_END, COL_ATTACHMENTS):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    # ------------------------------------------------------------------ look-ups

    def row_of(self, action_uuid: str) -> int | None:
        return self._index.get(action_uuid)

    def uuid_at(self, row: int) -> str:
        return self.rows[row].uuid

    def ensure_folded(self) -> None:
        """Fold every row's search text now (a text filter is about to need them all)."""
        self._fold_timer.stop()
        for row in self.rows:
            row.folded()

    # ------------------------------------------------------------------ following the controller

    def reload(self) -> None:
        edition = self.controller.edition
        self.beginResetModel()
        rows = [build_row(edition, a) for a in self.controller.dossier.actions]
        if self._sort_column >= 0:
            rows.sort(key=lambda r: r.sort_keys[self._sort_column], reverse=self._sort_descending)
        self.rows = rows
        self._reindex()
        self.endResetModel()
        self._next_fold = 0
        self._fold_timer.start()

    def _reindex(self) -> None:
        self._index = {r.uuid: i for i, r in enumerate(self.rows)}

    def _fold_some(self) -> None:
        """Idle-time prefill of the folded search texts, a batch per tick (rows fold lazily anyway)."""
        end = min(self._next_fold + SEARCH_BATCH, len(self.rows))
        for row in self.rows[self._next_fold : end]:
            row.folded()
        self._next_fold = end
        if end >= len(self.rows):
            self._fold_timer.stop()

    def _action_changed(self, action_uuid: str) -> None:
        data = self.controller.action(action_uuid)
        if data is None:
            return
        new = build_row(self.controller.edition, data)
        at = self._index.get(action_uuid)
        if at is None:
            self._insert(new)
            return
        old = self.rows[at]
        self.rows[at] = new
        changed = [c for c in range(len(HEADERS)) if old.display[c] != new.display[c]]
        if old.sort_keys != new.sort_keys:
            changed += [c for c in range(len(HEADERS)) if old.sort_keys[c] != new.sort_keys[c]]
        if old.theme_ids != new.theme_ids or old.subtheme_ids != new.subtheme_ids or old.level != new.level:
            changed.append(COL_THEMES)
        if new.raw_search != old.raw_search:
            changed.append(COL_TITLE)  # any dataChanged makes the proxy re-check this row's filter
        else:
            new.search = old.search
        if changed:
            self.dataChanged.emit(self.index(at, min(changed)), self.index(at, max(changed)))
        column = self._sort_column
        if column >= 0 and old.sort_keys[column] != new.sort_keys[column]:
            self._move_to_sorted_place(at)

    def _insert(self, new: ActionRow) -> None:
        if self._sort_column >= 0:
            position = self._sorted_position(new, self.rows)
        else:
            position = next(
                (i for i, a in enumerate(self.controller.dossier.actions) if a.uuid == new.uuid), len(self.rows)
            )
            position = min(position, len(self.rows))
        self.beginInsertRows(QModelIndex(), position, position)
        self.rows.insert(position, new)
        self._reindex()
        self.endInsertRows()

    def _action_removed(self, action_uuid: str) -> None:
        at = self._index.get(action_uuid)
        if at is None:
            return
        self.beginRemoveRows(QModelIndex(), at, at)
        del self.rows[at]
        self._reindex()
        self.endRemoveRows()

    # ------------------------------------------------------------------ sorting

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._sort_descending else Qt.SortOrder.AscendingOrder

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows themselves (column -1: the dossier's order); a few ms for 5,000 rows.

        Sorting here with Python's sort, rather than in the proxy with a ``lessThan`` called tens of
        thousands of times through the binding, keeps a click on a header (or a filter widened while
        sorted) from freezing the window.
        """
        column = column if 0 <= column < len(HEADERS) else -1
        self._sort_column = column
        self._sort_descending = order == Qt.SortOrder.DescendingOrder and column >= 0
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        uuids = [self.rows[p.row()].uuid for p in persistent]
        if column < 0:
            position = {a.uuid: i for i, a in enumerate(self.controller.dossier.actions)}
            self.rows.sort(key=lambda r: position.get(r.uuid, len(position)))
        else:
            self.rows.sort(key=lambda r: r.sort_keys[column], reverse=self._sort_descending)
        self._reindex()
        self.changePersistentIndexList(
            persistent, [self.index(self._index[u], p.column()) for u, p in zip(uuids, persistent, strict=True)]
        )
        self.layoutChanged.emit()

    def _sorted_position(self, row: ActionRow, rows: list[ActionRow]) -> int:
        """Where ``row`` goes among ``rows`` (sorted by the current column), after its equals."""
        column = self._sort_column
        key = row.sort_keys[column]
        if self._sort_descending:
            return next((i for i, r in enumerate(rows) if r.sort_keys[column] < key), len(rows))
        return next((i for i, r in enumerate(rows) if r.sort_keys[column] > key), len(rows))

    def _move_to_sorted_place(self, at: int) -> None:
        row = self.rows[at]
        others = self.rows[:at] + self.rows[at + 1 :]
        target = self._sorted_position(row, others)
        if target == at:
            return
        destination = target if target < at else target + 1  # Qt counts the destination before the move
        self.beginMoveRows(QModelIndex(), at, at, QModelIndex(), destination)
        self.rows = others
        self.rows.insert(target, row)
        self._reindex()
        self.endMoveRows()


class ActionsFilterProxy(QSortFilterProxyModel):
    """Filters by theme, sub-theme, level and words (all of them, accents and case ignored).

    ``level`` is a level id, ``NO_LEVEL_FILTER`` for actions without a level, or None for all.
    """

    NO_LEVEL_FILTER = ""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._theme: str | None = None
        self._subtheme: str | None = None
        self._level: str | None = None
        self._words: tuple[str, ...] = ()
        self._text = ""
        self._model: ActionsTableModel
        self.setDynamicSortFilter(True)

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        assert isinstance(model, ActionsTableModel)
        self._model = model
        super().setSourceModel(model)

    def source(self) -> ActionsTableModel:
        return self._model

    @property
    def text(self) -> str:
        return self._text

    @property
    def is_filtered(self) -> bool:
        return bool(self._theme or self._subtheme or self._level is not None or self._words)

    def set_filters(
        self,
        *,
        theme: str | None = None,
        subtheme: str | None = None,
        level: str | None = None,
        text: str = "",
    ) -> None:
        words = tuple(fold(text).split())
        if (theme, subtheme, level, words) == (self._theme, self._subtheme, self._level, self._words):
            self._text = text
            return
        if words:
            self.source().ensure_folded()
        self._begin_filter_change()
        self._theme, self._subtheme, self._level, self._words, self._text = theme, subtheme, level, words, text
        self._end_filter_change()

    def set_theme(self, theme: str | None) -> None:
        self.set_filters(theme=theme, subtheme=self._subtheme, level=self._level, text=self._text)

    def set_subtheme(self, subtheme: str | None) -> None:
        self.set_filters(theme=self._theme, subtheme=subtheme, level=self._level, text=self._text)

    def set_level(self, level: str | None) -> None:
        self.set_filters(theme=self._theme, subtheme=self._subtheme, level=level, text=self._text)

    def set_text(self, text: str) -> None:
        self.set_filters(theme=self._theme, subtheme=self._subtheme, level=self._level, text=text)

    def clear_filters(self) -> None:
        self.set_filters()

    def _begin_filter_change(self) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9
            self.beginFilterChange()

    def _end_filter_change(self) -> None:
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        row = self._model.rows[source_row]
        if self._theme and self._theme not in row.theme_ids:
            return False
        if self._subtheme and self._subtheme not in row.subtheme_ids:
            return False
        if self._level is not None:
            if self._level == self.NO_LEVEL_FILTER:
                if row.level:
                    return False
            elif row.level != self._level:
                return False
        if self._words:
            haystack = row.folded()
            return all(w in haystack for w in self._words)
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The table model sorts its own rows (fast); this proxy only filters and keeps their order."""
        self._model.sort(column, order)
