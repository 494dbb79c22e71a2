"""A table that fits its width by hiding its least useful columns, never by scrolling sideways.

At 1280×720 the actions list shares the page with the fiche: rather than a horizontal scroll bar,
the optional columns (themes, dates, attachments) disappear one by one as the table narrows, and
come back when it widens. The columns that always stay, plus the stretching one at its minimum,
give the table's minimum width (``minimum_width``), which its container should not go below.
"""

from __future__ import annotations

from collections.abc import Sequence

from ui.qt import QEvent, QObject, QTableView, QTimer


class ColumnFitter(QObject):
    """Watches ``table``'s size; ``always`` columns stay, ``optional`` ones are shown in order as room allows.

    The table has one stretching column besides those (it takes what is left, down to the header's
    minimum section size).
    """

    def __init__(self, table: QTableView, always: Sequence[int], optional: Sequence[int]) -> None:
        super().__init__(table)
        self.table = table
        self.always, self.optional = tuple(always), tuple(optional)
        header = table.horizontalHeader()
        self.widths = {c: header.sectionSize(c) for c in range(header.count())}  # as first sized
        table.installEventFilter(self)

    def minimum_width(self) -> int:
        """The table's width with only the columns that always stay (frame and vertical scroll bar included)."""
        header = self.table.horizontalHeader()
        columns = sum(self.widths[c] for c in self.always) + header.minimumSectionSize()
        return columns + 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self, self.fit)  # once the viewport has its new width
        return False

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        room = self.table.viewport().width()
        needed = header.minimumSectionSize() + sum(self.widths[c] for c in self.always)
        changed = False
        for column in self.optional:
            needed += self.widths[column]
            if header.isSectionHidden(column) != (needed > room):
                header.setSectionHidden(column, needed > room)
                changed = True
        if changed:
            self.table.updateGeometries()  # else the sideways scroll bar of the wider table may stay
