"""The backups of the open file as a table: number, date, kind and content (read from each backup file)."""

from __future__ import annotations

from app.backups import BackupInfo
from ui.models.list_table_model import Index, ListTableModel
from ui.qt import QBrush, QPalette, Qt

COLUMNS = ("N°", "Date", "Sauvegarde", "Contenu")


class BackupsModel(ListTableModel[BackupInfo]):
    """Read-only; an unusable backup (damaged, or from a newer Arobase) is shown greyed and says why."""

    COLUMNS = COLUMNS

    def set_backups(self, backups: list[BackupInfo]) -> None:
        self.set_rows(backups)

    def backup(self, row: int) -> BackupInfo | None:
        return self.row_at(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        b = self.backup(index.row()) if index.isValid() else None
        if b is None or not 0 <= index.column() < len(COLUMNS):
            return None
        values = (str(b.number), b.when, b.kind_label.capitalize(), b.contents_text())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return values[col]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[col]}\u00a0: {values[col]}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return b.name
        if role == Qt.ItemDataRole.ForegroundRole and not b.usable:
            return QBrush(QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
