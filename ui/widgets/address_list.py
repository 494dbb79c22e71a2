"""The postal addresses of an action: a list, and a small form that edits the address chosen in it.

Each keystroke in the form changes the address in the list; ``addresses_changed`` then carries the
whole tuple, unless a part is refused (a control character pasted from elsewhere): the refused text
stays in the field, the sentence that says why shows under the form, and nothing is sent.
"""

from __future__ import annotations

from app.errors import InvalidInput
from app.model import ADDRESS_LABELS, Address
from app.text import check_text
from ui.qt import (
    QAbstractItemView,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStringListModel,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.widgets.common import button_row, chain_tab_order, plain_label

PARTS = ("label", "street", "postal_code", "city")
FORM_LABELS = {
    "label": "Lieu (facultatif) :",
    "street": "Rue et numéro :",
    "postal_code": "Code postal :",
    "city": "Commune :",
}
PLACEHOLDERS = {
    "label": "ex. Médiathèque",
    "street": "ex. 2 rue des Écoles",
    "postal_code": "ex. 35500",
    "city": "ex. Saint-Aubin-des-Landes",
}
EMPTY_ADDRESS = "(adresse vide)"


def summary(ad: Address) -> str:
    """One line for the list: "Médiathèque — 2 rue des Écoles, 35500 Saint-Aubin"."""
    place = " ".join(p for p in (ad.postal_code.strip(), ad.city.strip()) if p)
    where = ", ".join(p for p in (ad.street.strip(), place) if p)
    text = " — ".join(p for p in (ad.label.strip(), where) if p)
    return text or EMPTY_ADDRESS


class AddressList(QWidget):
    """Several addresses; ``addresses_changed`` carries the whole tuple after each accepted edit."""

    addresses_changed = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._addresses: list[Address] = []
        self._read_only = False
        self._loading = False

        self.list_label = QLabel("&Adresses de l'action :", self)
        self.model = QStringListModel(self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAccessibleName("Adresses de l'action")
        self.view.setMaximumHeight(self.fontMetrics().height() * 6)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # long lines are elided
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setUniformItemSizes(True)
        self.list_label.setBuddy(self.view)
        self.empty_label = QLabel("Aucune adresse : ajoutez le ou les lieux où l'action se déroule.", self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)

        self.add_button = QPushButton("Ajouter une adresse", self)
        self.add_button.setAccessibleName("Ajouter une adresse")
        self.add_button.setAutoDefault(False)
        self.remove_button = QPushButton("Retirer l'adresse", self)
        self.remove_button.setAccessibleName("Retirer l'adresse sélectionnée")
        self.remove_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_address)
        self.remove_button.clicked.connect(self.remove_current)

        self.form = QWidget(self)
        form_layout = QFormLayout(self.form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.edits: dict[str, QLineEdit] = {}
        for part in PARTS:
            edit = QLineEdit(self.form)
            edit.setAccessibleName(ADDRESS_LABELS[part] if part != "label" else "Lieu")
            edit.setPlaceholderText(PLACEHOLDERS[part])
            edit.textEdited.connect(lambda text, p=part: self._part_edited(p, text))
            label = QLabel(FORM_LABELS[part], self.form)
            label.setBuddy(edit)
            form_layout.addRow(label, edit)
            self.edits[part] = edit
        self.edits["postal_code"].setMaxLength(10)
        self.error_label = plain_label(self, "Erreur dans l'adresse")
        self.error_label.hide()

        self.view.selectionModel().currentChanged.connect(lambda *_: self._show_current())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list_label)
        layout.addWidget(self.view)
        layout.addWidget(self.empty_label)
        layout.addLayout(button_row(self.add_button, self.remove_button))
        layout.addWidget(self.form)
        layout.addWidget(self.error_label)
        chain_tab_order([self.view, self.add_button, self.remove_button, *(self.edits[part] for part in PARTS)])
        self._show_current()

    # ------------------------------------------------------------------ public

    def addresses(self) -> tuple[Address, ...]:
        return tuple(self._addresses)

    def set_addresses(self, addresses: tuple[Address, ...]) -> None:
        """Show these addresses (no signal); keeps the current row when it still exists."""
        row = self.current_row()
        self._addresses = list(addresses)
        self._error("")
        self._loading = True
        try:
            self.model.setStringList([summary(a) for a in self._addresses])
            if self._addresses:
                self.view.setCurrentIndex(self.model.index(min(max(row, 0), len(self._addresses) - 1)))
        finally:
            self._loading = False
        self._show_current()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for edit in self.edits.values():
            edit.setReadOnly(read_only)
        self._update_buttons()

    def current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def add_address(self) -> None:
        """Append an empty address, select it and put the cursor in its first field."""
        if self._read_only:
            return
        self._addresses.append(Address())
        row = len(self._addresses) - 1
        self.model.insertRows(row, 1)
        self.model.setData(self.model.index(row), EMPTY_ADDRESS)
        self.view.setCurrentIndex(self.model.index(row))
        self._show_current()
        self.edits["label"].setFocus(Qt.FocusReason.OtherFocusReason)
        self._emit()

    def remove_current(self) -> None:
        row = self.current_row()
        if self._read_only or row < 0:
            return
        del self._addresses[row]
        self.model.removeRows(row, 1)
        if self._addresses:
            self.view.setCurrentIndex(self.model.index(min(row, len(self._addresses) - 1)))
        self._show_current()
        self._error("")
        self._emit()

    def focus_first(self) -> None:
        target = self.view if self._addresses or self._read_only else self.add_button
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ internals

    def _show_current(self) -> None:
        if self._loading:
            return
        row = self.current_row()
        ad = self._addresses[row] if 0 <= row < len(self._addresses) else None
        for part, edit in self.edits.items():
            value = getattr(ad, part) if ad else ""
            if edit.text() != value:
                edit.setText(value)
        self.form.setEnabled(ad is not None)
        self.empty_label.setVisible(not self._addresses)
        self._update_buttons()

    def _part_edited(self, part: str, text: str) -> None:
        row = self.current_row()
        if self._read_only or not 0 <= row < len(self._addresses):
            return
        self._addresses[row] = Address(**{**{p: getattr(self._addresses[row], p) for p in PARTS}, part: text})
        self.model.setData(self.model.index(row), summary(self._addresses[row]))
        self._emit()

    def _emit(self) -> None:
        for n, ad in enumerate(self._addresses, start=1):
            for part in PARTS:
                try:
                    check_text(getattr(ad, part), ADDRESS_LABELS[part], multiline=False)
                except InvalidInput as exc:
                    prefix = f"Adresse n° {n} : " if len(self._addresses) > 1 else ""
                    self._error(prefix + exc.message)
                    return
        self._error("")
        self.addresses_changed.emit(tuple(self._addresses))

    def _error(self, message: str) -> None:
        self.error_label.setText(f"⚠ {message}" if message else "")
        self.error_label.setVisible(bool(message))

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(not self._read_only)
        self.remove_button.setEnabled(not self._read_only and self.current_row() >= 0)
