"""The figures of the mosaïque as a table: the text alternative of the picture, for screen readers.

One row per theme followed by its sub-themes, then the total; the columns are the same counts the
picture writes (covered / total) and the number of services at each state of the legend.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.mosaic_shapes import MosaicLayout
from ui.qt import QAbstractTableModel, QFont, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
KIND_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # "theme", "subtheme" or "total"
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # theme or sub-theme id


@dataclass(frozen=True, slots=True)
class _Row:
    kind: str
    ident: str
    theme: str
    subtheme: str
    covered: int
    total: int
    counts: tuple[int, ...]
    new: int


class MosaicTableModel(QAbstractTableModel):
    """Read-only; ``set_mosaic`` updates in place when the shape is unchanged (the cursor stays)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._states: tuple[str, ...] = ()
        self._previous: str | None = None

    def set_mosaic(self, layout: MosaicLayout) -> None:
        states = tuple(label for _key, label, _n in layout.blocks[0].level_counts) if layout.blocks else ()
        rows: list[_Row] = []
        for q in layout.quadrants:
            blocks = [b for b in layout.blocks if b.theme_id == q.theme_id]
            sums = tuple(sum(b.level_counts[i][2] for b in blocks) for i in range(len(states)))
            rows.append(_Row("theme", q.theme_id, q.title, "(ensemble du thème)", q.covered, q.total, sums, q.new))
            rows += [
                _Row(
                    "subtheme",
                    b.subtheme_id,
                    q.title,
                    b.title,
                    b.covered,
                    b.total,
                    tuple(n for _k, _l, n in b.level_counts),
                    b.new,
                )
                for b in blocks
            ]
        totals = tuple(sum(r.counts[i] for r in rows if r.kind == "theme") for i in range(len(states)))
        rows.append(_Row("total", "", "Total", "", layout.covered, layout.total, totals, layout.new_count))
        same_shape = (
            len(rows) == len(self._rows) and states == self._states and layout.previous_edition_id == self._previous
        )
        if same_shape:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self._rows, self._states, self._previous = rows, states, layout.previous_edition_id
        self.endResetModel()

    def headers(self) -> list[str]:
        cols = ["Thème", "Sous-thème", "Services couverts", "Services", *self._states]
        if self._previous:
            cols.append(f"Nouveaux depuis {self._previous}")
        return cols

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            cols = self.headers()
            return cols[section] if 0 <= section < len(cols) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == KIND_ROLE:
            return row.kind
        if role == ID_ROLE:
            return row.ident
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            values = [row.theme, row.subtheme, row.covered, row.total, *row.counts]
            if self._previous:
                values.append(row.new)
            if not 0 <= col < len(values):
                return None
            value = values[col]
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"{self.headers()[col]} : {value}"
            return str(value) if isinstance(value, int) else value
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.kind != "subtheme":
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
