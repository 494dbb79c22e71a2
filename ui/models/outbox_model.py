"""The outbox as a table: one row per validated revision, its state, bytes sent, last error and receipt."""

from __future__ import annotations

from app.formats import file_size
from app.outbox import Entry
from ui.models.list_table_model import Index, ListTableModel
from ui.qt import QObject, Qt

COLUMNS = ("Édition", "Révision", "État", "Envoyé", "Dernière erreur", "Accusé de réception")


class OutboxModel(ListTableModel[Entry]):
    """Read-only; ``set_progress`` updates the bytes of the entry being sent without re-reading the store."""

    COLUMNS = COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sent: dict[str, int] = {}  # submission uuid → attachment bytes the server holds (this send)

    def set_entries(self, entries: list[Entry]) -> None:
        self.beginResetModel()
        self._rows = list(entries)
        self._sent = {uuid: n for uuid, n in self._sent.items() if any(e.submission_uuid == uuid for e in entries)}
        self.endResetModel()

    def set_progress(self, submission_uuid: str, sent: int) -> None:
        self._sent[submission_uuid] = sent
        for row, e in enumerate(self._rows):
            if e.submission_uuid == submission_uuid:
                cell = self.index(row, 3)
                self.dataChanged.emit(cell, cell)

    def entry(self, row: int) -> Entry | None:
        return self.row_at(row)

    def sent_text(self, e: Entry) -> str:
        done = e.state == "envoye"
        sent = e.bytes_total if done else min(self._sent.get(e.submission_uuid, 0), e.bytes_total)
        if not e.bytes_total:
            return "sans pièce jointe"
        return f"{file_size(sent)} sur {file_size(e.bytes_total)}"

    def values(self, e: Entry) -> tuple[str, ...]:
        return (
            e.edition, str(e.revision), e.state_label, self.sent_text(e), e.last_error, e.receipt_number or "",
        )  # fmt: skip

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        e = self.entry(index.row()) if index.isValid() else None
        if e is None or not 0 <= index.column() < len(COLUMNS):
            return None
        col = index.column()
        text = self.values(e)[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[col]}\u00a0: {text or 'aucun'}"
        if role == Qt.ItemDataRole.ToolTipRole and col == 4 and text:
            return text
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
