"""The fiche of one action: every field, edited in place, each change handed to the controller at once.

The controller keeps the dossier in memory and writes it a moment later, so typing never waits on
the disk. Text it refuses stays in the field with the reason written under it (``field_error``);
dates are typed as jj/mm/aaaa and may stay empty; a date that is incomplete, impossible, or an end
before the start is explained under the field and not stored until it is right.
"""

from __future__ import annotations

from itertools import pairwise

from app import formats
from app.model import ACTION_LABELS, DELIVERER_LABELS, STATE_LABELS, ActionData
from ui.dossier_controller import DossierController
from ui.qt import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.widgets.action_fields import (
    DATE_DESCRIPTION,
    DATE_FIELDS,
    DATE_PLACEHOLDER,
    HINTS,
    LINE_FIELDS,
    LONG_FIELDS,
    LONG_LINES,
    MNEMONICS,
    NOT_SET,
    DateError,
    check_dates,
    format_date,
    parse_date,
)
from ui.widgets.address_list import AddressList
from ui.widgets.attachment_list import AttachmentList, UrlOpener
from ui.widgets.services_picker import ServicesPicker

NO_ACTION = "Choisissez une action dans la liste, ou créez-en une avec « Nouvelle action » (Ctrl+N)."


class ActionEditor(QWidget):
    """Edits the action ``set_action(uuid)`` shows; read-only while the dossier is not a draft."""

    def __init__(
        self, controller: DossierController, parent: QWidget | None = None, open_url: UrlOpener | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.edition = controller.edition
        self._uuid: str | None = None
        self._loading = False
        self._errors: dict[str, str] = {}
        self.setAccessibleName("Fiche de l'action")

        self.banner = QLabel(self)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setAccessibleName("Dossier en lecture seule")
        self.banner.hide()
        self.placeholder = QLabel(NO_ACTION, self)
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setAccessibleName("Aucune action choisie")

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll.setAccessibleName("Fiche action")
        self.form = QWidget(self.scroll)
        self.form.setAccessibleName("Champs de l'action")
        self.scroll.setWidget(self.form)
        self._form_layout = QVBoxLayout(self.form)

        self.widgets: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self.error_labels: dict[str, QLabel] = {}
        self._descriptions: dict[str, str] = {}

        self.title_edit = self._line_edit("title", "ex. Ateliers numériques à la médiathèque")
        self.synthesis_edit = self._long_edit("synthesis")
        self.level_combo = self._combo("level", [(lv.id, lv.label) for lv in self.edition.levels])
        self.results_edit = self._long_edit("results")
        self.tools_edit = self._long_edit("tools")
        self.partners_edit = self._long_edit("partners")
        self.delivered_combo = self._combo("delivered_by", list(DELIVERER_LABELS.items()))
        dates = QHBoxLayout()
        self.start_edit = self._date_edit("start_date", dates)
        self.end_edit = self._date_edit("end_date", dates)
        dates.addStretch(1)
        self._form_layout.addLayout(dates)
        for name in DATE_FIELDS:  # full width under both dates: a sentence does not fit under one
            self._form_layout.addWidget(self._error_label(name))
        self.web_edit = self._line_edit("web_link", "https://…")

        self.services = ServicesPicker(self.edition, self.form)
        self.services.search_label.setText("Ser&vices rendus par l'action — chercher :")
        self.services.chosen_label.setText("Services coc&hés :")
        self.services.setAccessibleName(ACTION_LABELS["services"])
        self._add_composite("services", self.services, self.services.search_edit)
        self.addresses = AddressList(self.form)
        self.addresses.list_label.setText("Adr&esses où l'action se déroule :")
        self._add_composite("addresses", self.addresses, self.addresses.view)
        self.attachments = AttachmentList(controller, self.form, open_url=open_url)
        self._add_composite("attachments", self.attachments, self.attachments.view)
        self._form_layout.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(self.scroll, 1)
        self._chain_tab_order()

        self.title_edit.textEdited.connect(lambda t: self._edited("title", t))
        self.web_edit.textEdited.connect(lambda t: self._edited("web_link", t))
        self.web_edit.editingFinished.connect(self._check_web_link)
        for name in LONG_FIELDS:
            edit = self.widgets[name]
            assert isinstance(edit, QPlainTextEdit)
            edit.textChanged.connect(lambda n=name, e=edit: self._long_changed(n, e))
        self.level_combo.currentIndexChanged.connect(lambda _i: self._combo_changed("level", self.level_combo))
        self.delivered_combo.currentIndexChanged.connect(
            lambda _i: self._combo_changed("delivered_by", self.delivered_combo)
        )
        for name in DATE_FIELDS:
            edit = self.widgets[name]
            assert isinstance(edit, QLineEdit)
            edit.textEdited.connect(lambda _t, n=name: self._dates_edited(n, final=False))
            edit.editingFinished.connect(lambda n=name: self._dates_edited(n, final=True))
        self.services.selection_changed.connect(lambda ids: self._set("services", tuple(ids)))
        self.addresses.addresses_changed.connect(lambda ads: self._set("addresses", tuple(ads)))

        controller.action_changed.connect(self._action_changed)
        controller.action_removed.connect(self._action_removed)
        controller.field_error.connect(self._field_error)
        controller.loaded.connect(self._reloaded)
        controller.state_changed.connect(self._apply_read_only)
        self.set_action(None)
        self._apply_read_only()

    # ------------------------------------------------------------------ building

    def _label(self, name: str, buddy: QWidget) -> QLabel:
        label = QLabel(MNEMONICS.get(name, ACTION_LABELS[name] + " :"), self.form)
        label.setBuddy(buddy)
        self.labels[name] = label
        return label

    def _error_label(self, name: str) -> QLabel:
        label = QLabel(self.form)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setAccessibleName(f"Erreur : {ACTION_LABELS[name]}")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.hide()
        self.error_labels[name] = label
        return label

    def _add_row(self, name: str, widget: QWidget, description: str = "") -> None:
        widget.setAccessibleName(ACTION_LABELS[name])
        if description:
            widget.setAccessibleDescription(description)
        self._descriptions[name] = description
        self.widgets[name] = widget
        self._form_layout.addWidget(self._label(name, widget))
        self._form_layout.addWidget(widget)
        self._form_layout.addWidget(self._error_label(name))

    def _line_edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self.form)
        edit.setPlaceholderText(placeholder)
        self._add_row(name, edit)
        return edit

    def _long_edit(self, name: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(self.form)
        edit.setTabChangesFocus(True)
        edit.setPlaceholderText(HINTS[name])
        margins = edit.contentsMargins()
        frame = 2 * edit.frameWidth() + margins.top() + margins.bottom() + 2 * int(edit.document().documentMargin())
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * LONG_LINES[name] + frame)
        self._add_row(name, edit, HINTS[name])
        return edit

    def _combo(self, name: str, choices: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox(self.form)
        combo.addItem(NOT_SET, None)
        for value, text in choices:
            combo.addItem(text, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        self._add_row(name, combo)
        return combo

    def _date_edit(self, name: str, row: QHBoxLayout) -> QLineEdit:
        edit = QLineEdit(self.form)
        edit.setPlaceholderText(DATE_PLACEHOLDER)
        edit.setMaxLength(12)
        edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("00/00/00000") + 24)
        description = DATE_DESCRIPTION
        edit.setAccessibleName(ACTION_LABELS[name])
        edit.setAccessibleDescription(description)
        edit.setToolTip(description)
        self._descriptions[name] = description
        self.widgets[name] = edit
        column = QVBoxLayout()
        column.addWidget(self._label(name, edit))
        column.addWidget(edit)
        column.addStretch(1)
        row.addLayout(column)
        return edit

    def _add_composite(self, name: str, widget: QWidget, focus: QWidget) -> None:
        self.widgets[name] = focus
        self._descriptions[name] = focus.accessibleDescription()
        self._form_layout.addWidget(widget)
        self._form_layout.addWidget(self._error_label(name))

    def minimum_width(self) -> int:
        """The narrowest the fiche can be with every field whole: its form, plus the vertical scroll bar."""
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        return self.form.minimumSizeHint().width() + bar + 2 * self.scroll.frameWidth()

    def tab_chain(self) -> list[QWidget]:
        """The fiche's widgets in reading order (a page that puts the fiche after other widgets re-chains them)."""
        return [
            self.title_edit,
            self.synthesis_edit,
            self.level_combo,
            self.results_edit,
            self.tools_edit,
            self.partners_edit,
            self.delivered_combo,
            self.start_edit,
            self.end_edit,
            self.web_edit,
            self.services.search_edit,
            self.services.tree,
            self.services.chosen_view,
            self.services.remove_button,
            self.addresses.view,
            self.addresses.add_button,
            self.addresses.remove_button,
            *(self.addresses.edits[p] for p in ("label", "street", "postal_code", "city")),
            self.attachments.view,
            self.attachments.add_button,
            self.attachments.open_button,
            self.attachments.remove_button,
        ]

    def _chain_tab_order(self) -> None:
        chain = self.tab_chain()
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ public

    @property
    def action_uuid(self) -> str | None:
        return self._uuid

    def set_action(self, action_uuid: str | None) -> None:
        """Show this action (None: the hint to choose one); errors of the previous one are forgotten."""
        if action_uuid is not None and self.controller.action(action_uuid) is None:
            action_uuid = None
        changed = action_uuid != self._uuid
        self._uuid = action_uuid
        if changed:
            for name in list(self._errors):
                self._show_error(name, "")
            self.services.search_edit.clear()
        self.placeholder.setVisible(action_uuid is None)
        self.scroll.setVisible(action_uuid is not None)
        self.attachments.set_action(action_uuid)
        if action_uuid is not None:
            self._show_data(force=changed)
            if changed:
                self.scroll.verticalScrollBar().setValue(0)

    def refresh(self) -> None:
        """Re-read the current action from the controller, overwriting what the fields hold."""
        self.set_action(self._uuid)
        if self._uuid is not None:
            self._show_data(force=True)

    def focus_field(self, name: str) -> bool:
        """Put the cursor on a field of the current action (``title``, ``services``…)."""
        if self._uuid is None or name not in self.widgets:
            return False
        if name == "addresses":
            self.addresses.focus_first()
        elif name == "attachments":
            self.attachments.focus_first()
        else:
            self.widgets[name].setFocus(Qt.FocusReason.OtherFocusReason)
        anchor = self.labels.get(name, self.widgets[name])
        self.scroll.ensureWidgetVisible(anchor)
        self.scroll.ensureWidgetVisible(self.widgets[name])
        return True

    def error(self, name: str) -> str:
        """The message shown under a field ("" if none)."""
        return self._errors.get(name, "")

    @property
    def read_only(self) -> bool:
        return self.controller.read_only

    # ------------------------------------------------------------------ showing data

    def _show_data(self, *, force: bool) -> None:
        data = self.controller.action(self._uuid) if self._uuid else None
        if data is None:
            return
        self._loading = True
        try:
            self._fill(data, force)
        finally:
            self._loading = False

    def _fill(self, data: ActionData, force: bool) -> None:
        keep = set() if force else {n for n, m in self._errors.items() if m}
        for name in LINE_FIELDS:
            edit = self.widgets[name]
            assert isinstance(edit, QLineEdit)
            value = getattr(data, name)
            if name not in keep and edit.text() != value:
                edit.setText(value)
        for name in LONG_FIELDS:
            edit = self.widgets[name]
            assert isinstance(edit, QPlainTextEdit)
            value = getattr(data, name)
            if name not in keep and edit.toPlainText() != value:
                edit.setPlainText(value)
        for name, combo in (("level", self.level_combo), ("delivered_by", self.delivered_combo)):
            value = getattr(data, name)
            at = combo.findData(value) if value is not None else 0
            if at < 0:  # a value this edition does not know: show it rather than hide it
                combo.addItem(f"{value} (inconnu)", value)
                at = combo.count() - 1
            if combo.currentIndex() != at:
                combo.setCurrentIndex(at)
        for name in DATE_FIELDS:
            edit = self.widgets[name]
            assert isinstance(edit, QLineEdit)
            value = getattr(data, name)
            if name in keep:
                continue
            try:
                same = parse_date(edit.text(), ACTION_LABELS[name]) == value
            except DateError:
                same = False
            if not same:
                edit.setText(format_date(value))
        if set(self.services.selected()) != set(data.services):
            self.services.set_selected(data.services)
        if "addresses" not in keep and self.addresses.addresses() != data.addresses:
            self.addresses.set_addresses(data.addresses)
        self.attachments.refresh()
        if force:
            self._check_web_link()

    # ------------------------------------------------------------------ edits

    def _set(self, name: str, value: object) -> bool:
        if self._loading or self._uuid is None or self.controller.read_only:
            return False
        return self.controller.set_action_field(self._uuid, name, value)

    def _edited(self, name: str, text: str) -> None:
        self._set(name, text)

    def _long_changed(self, name: str, edit: QPlainTextEdit) -> None:
        if not self._loading:
            self._set(name, edit.toPlainText())

    def _combo_changed(self, name: str, combo: QComboBox) -> None:
        if not self._loading:
            self._set(name, combo.currentData())

    def _dates_edited(self, edited: str, *, final: bool) -> None:
        """Store the dates typed when they are complete, valid and in order; otherwise say why."""
        if self._loading or self._uuid is None or self.controller.read_only:
            return
        data = self.controller.action(self._uuid)
        if data is None:
            return
        edits = {"start_date": self.start_edit, "end_date": self.end_edit}
        check = check_dates(
            {name: edit.text() for name, edit in edits.items()},
            {name: getattr(data, name) for name in DATE_FIELDS},
            edited,
            final=final,
            shown={name for name in DATE_FIELDS if self.error(name)},
        )
        for name, value in check.to_store.items():
            self._set(name, value)
        for name in DATE_FIELDS:
            self._show_error(name, check.messages[name])
        if final and not check.messages[edited] and self._uuid:
            stored = getattr(self.controller.action(self._uuid), edited)
            if stored and edits[edited].text() != format_date(stored):
                edits[edited].setText(format_date(stored))  # 1/9/2025 → 01/09/2025 once the user leaves the field

    def _check_web_link(self) -> None:
        if self._errors.get("web_link", "").startswith("À vérifier") or not self._errors.get("web_link"):
            text = self.web_edit.text()
            hint = (
                "À vérifier : un lien web commence par https:// ou http:// (par exemple https://www.mairie.fr)."
                if text.strip() and not formats.is_web_link(text)
                else ""
            )
            self._show_error("web_link", hint)

    # ------------------------------------------------------------------ controller signals

    def _action_changed(self, action_uuid: str) -> None:
        if action_uuid == self._uuid:
            self._show_data(force=False)

    def _action_removed(self, action_uuid: str) -> None:
        if action_uuid == self._uuid:
            self.set_action(None)

    def _reloaded(self) -> None:
        self.edition = self.controller.edition
        if self._uuid is not None and self.controller.action(self._uuid) is None:
            self.set_action(None)
        else:
            self.refresh()
        self._apply_read_only()

    def _field_error(self, key: str, message: str) -> None:
        prefix = f"action:{self._uuid}."
        if self._uuid is None or not key.startswith(prefix):
            return
        name = key[len(prefix) :]
        if name in self.error_labels:
            self._show_error(name, message)

    def _show_error(self, name: str, message: str) -> None:
        if message == self._errors.get(name, ""):
            return
        if message:
            self._errors[name] = message
        else:
            self._errors.pop(name, None)
        label = self.error_labels[name]
        label.setText(f"⚠ {message}" if message else "")
        label.setVisible(bool(message))
        widget = self.widgets.get(name)
        if widget is not None:
            base = self._descriptions.get(name, "")
            widget.setAccessibleDescription(f"{message} {base}".strip() if message else base)

    def _apply_read_only(self) -> None:
        read_only = self.controller.read_only
        for name in (*LINE_FIELDS, *DATE_FIELDS):
            edit = self.widgets[name]
            assert isinstance(edit, QLineEdit)
            edit.setReadOnly(read_only)
        for name in LONG_FIELDS:
            edit = self.widgets[name]
            assert isinstance(edit, QPlainTextEdit)
            edit.setReadOnly(read_only)
        self.level_combo.setEnabled(not read_only)
        self.delivered_combo.setEnabled(not read_only)
        self.services.set_read_only(read_only)
        self.addresses.set_read_only(read_only)
        self.attachments.set_read_only(read_only)
        if read_only:
            state = STATE_LABELS.get(self.controller.dossier.state, self.controller.dossier.state)
            self.banner.setText(
                f"Le dossier est {state} : ses actions ne peuvent plus être modifiées. Pour les changer, "
                "ouvrez une nouvelle révision depuis la page « Dossier »."
            )
        self.banner.setVisible(read_only)
