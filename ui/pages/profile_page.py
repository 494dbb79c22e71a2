"""The collectivity and its referent: picked from the official list, checked as typed, saved as typed.

Every keystroke goes to ``controller.set_profile_field`` (the controller saves within a second). A value
whose format is wrong (an e-mail without "@") is still stored, as work in progress, and the field says in a
sentence under it what is expected; text the controller refuses (a line break pasted in the name) stays on
screen, is not stored, and the field shows the controller's sentence. The page re-reads the profile when
the controller says it changed, without touching the field that has the keyboard focus nor a field whose
text was refused, so that the cursor never jumps and nothing typed is overwritten.
"""

from __future__ import annotations

from app.communes import CommuneIndex, Place
from app.editing import MAX_POPULATION
from app.model import KIND_LABELS, KINDS, PROFILE_LABELS, Profile
from ui.dossier_controller import DossierController
from ui.qt import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    is_alive,
)
from ui.tasks import TaskRunner
from ui.widgets.common import chain_tab_order, framed_note, page_heading, plain_label, scrolling_column
from ui.widgets.commune_picker import CommunePicker, IndexLoader, attribution, place_details
from ui.widgets.profile_fields import (
    CODE_LABELS,
    CODE_NAMES,
    CODE_PLACEHOLDERS,
    CODE_RULES,
    FIELDS,
    GROUPS,
    SEARCH_LABEL,
    UPPER_FIELDS,
    parse_population,
    population_display,
    profile_field,
)
from ui.widgets.validated_line_edit import FieldMessage, ValidatedLineEdit

TITLE = "Profil de la collectivité"
INTRO = (
    "Choisissez votre collectivité dans la liste officielle : son nom, son code, son département et sa "
    "population se remplissent seuls. Vérifiez-les, puis complétez l'adresse et le référent. "
    "Tout est enregistré au fur et à mesure."
)
READ_ONLY_NOTE = (
    "Ce dossier est validé : le profil ne peut plus être modifié. Pour le changer, ouvrez une nouvelle "
    "révision depuis la page « Dossier »."
)
EPCI_NOTE = "Une intercommunalité répond aussi aux critères intercommunaux."


class ProfilePage(QWidget):
    """Every field of ``app.model.Profile``, with the commune picker on top."""

    navigate_requested = Signal(str)

    def __init__(
        self,
        controller: DossierController,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        commune_loader: IndexLoader = CommuneIndex.load,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self._filling = False
        self._index: CommuneIndex | None = None
        self.setAccessibleName(TITLE)

        heading = page_heading(self, TITLE)
        intro = plain_label(self, text=INTRO)
        self.read_only_note = framed_note(self, READ_ONLY_NOTE)
        self.read_only_note.setObjectName("readOnlyNote")

        # -- the picker
        search_box = QGroupBox("Liste officielle des collectivités", self)
        search_box.setAccessibleName("Liste officielle des collectivités")
        self.picker = CommunePicker(runner, search_box, loader=commune_loader)
        self.search_label = QLabel(SEARCH_LABEL, search_box)
        self.search_label.setBuddy(self.picker.edit)
        self.official = plain_label(search_box, text="")
        self.official.setObjectName("officialPlace")
        self.official.setAccessibleName("Collectivité dans la liste officielle")
        self.official.setVisible(False)
        search_layout = QVBoxLayout(search_box)
        search_layout.addWidget(self.search_label)
        search_layout.addWidget(self.picker)
        search_layout.addWidget(self.official)
        self.picker.place_chosen.connect(self.apply_place)
        self.picker.index_ready.connect(self._index_ready)

        # -- the form
        self.editors: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self.messages: dict[str, FieldMessage] = {}
        self.kind_combo = QComboBox(self)
        for kind in KINDS:
            self.kind_combo.addItem(KIND_LABELS[kind], kind)
        self.kind_combo.currentIndexChanged.connect(self._kind_chosen)
        self.departement_name = QLabel(self)
        self.departement_name.setObjectName("departementName")
        self.departement_name.setAccessibleName("Nom du département")
        self.departement_name.setTextFormat(Qt.TextFormat.PlainText)
        self.epci_hint = QWidget(self)
        epci_label = plain_label(self.epci_hint, text=EPCI_NOTE)
        self.epci_button = QPushButton("Répondre aux critères intercommunau&x", self.epci_hint)
        self.epci_button.setAccessibleName("Répondre aux critères intercommunaux")
        self.epci_button.clicked.connect(lambda: self.navigate_requested.emit("epci"))
        hint_layout = QHBoxLayout(self.epci_hint)
        hint_layout.setContentsMargins(0, 0, 0, 0)
        hint_layout.addWidget(epci_label, 1)
        hint_layout.addWidget(self.epci_button)
        self.epci_hint.setVisible(False)

        boxes = [search_box]
        for title, names in GROUPS:
            box = QGroupBox(title, self)
            box.setAccessibleName(title)
            form = QFormLayout(box)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for name in names:
                self._add_row(box, form, name)
                if name == "kind":
                    form.addRow(self.epci_hint)
            boxes.append(box)

        self.source = QLabel(self)
        self.source.setObjectName("communeSource")
        self.source.setAccessibleName("Source de la liste des communes")
        self.source.setTextFormat(Qt.TextFormat.PlainText)
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.source.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self.source.setFont(font)
        self.source.setText(attribution(None))  # the version is added once the list is read

        self.scroll = scrolling_column(self, [heading, intro, self.read_only_note, *boxes, self.source], TITLE)

        width = max(label.sizeHint().width() for label in self.labels.values())
        for label in self.labels.values():
            label.setMinimumWidth(width)  # the three groups' fields line up

        order: list[QWidget] = [self.picker.edit, *self.editors.values()]  # reading order of the groups
        order.insert(order.index(self.editors["kind"]) + 1, self.epci_button)
        chain_tab_order(order)

        controller.loaded.connect(self.refresh)
        controller.profile_changed.connect(self._profile_changed)
        controller.state_changed.connect(self._update_read_only)
        controller.field_error.connect(self._field_error)
        self.refresh()

    # ------------------------------------------------------------------ building

    def _add_row(self, box: QGroupBox, form: QFormLayout, name: str) -> None:
        editor: QWidget
        if name == "kind":
            spec = FIELDS[name]
            label = QLabel(spec.label, box)
            editor = self.kind_combo
            editor.setParent(box)
            editor.setAccessibleName(PROFILE_LABELS[name])
            editor.setToolTip(spec.tooltip)
            label.setBuddy(editor)
            field: QWidget = editor
        else:
            label, line = profile_field(box, name)
            # textChanged, not textEdited: undo, redo, paste from the menu and drops are edits too
            line.textChanged.connect(lambda text, n=name: self._edited(n, text))
            line.editingFinished.connect(lambda n=name: self._finished(n))
            self.messages[name] = line.message_widget
            field = QWidget(box)
            column = QVBoxLayout(field)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            if name == "departement":
                row = QHBoxLayout()
                row.addWidget(line, 1)
                row.addWidget(self.departement_name, 1)
                self.departement_name.setParent(field)
                column.addLayout(row)
            else:
                column.addWidget(line)
            line.message_widget.setParent(field)
            column.addWidget(line.message_widget)
            editor = line
        form.addRow(label, field)
        self.editors[name] = editor
        self.labels[name] = label

    # ------------------------------------------------------------------ reading the controller

    def line(self, name: str) -> ValidatedLineEdit:
        """The line edit of a text field (or the population)."""
        editor = self.editors[name]
        assert isinstance(editor, ValidatedLineEdit)
        return editor

    def message(self, name: str) -> str:
        """The sentence shown under a field ("" when none)."""
        return self.line(name).message() if name in self.messages else ""

    def refresh(self) -> None:
        """Re-read the whole profile (dossier loaded): every field, its messages, the read-only state."""
        for name in self.messages:
            self.line(name).set_error("")
        self._fill(self.controller.profile, keep_focus=False)
        self._update_read_only()

    def _profile_changed(self) -> None:
        self._fill(self.controller.profile, keep_focus=True)

    def _fill(self, profile: Profile, *, keep_focus: bool) -> None:
        """Show ``profile`` in the fields, except (``keep_focus``) the one being edited and refused text."""
        self._filling = True
        try:
            kind = profile.kind if profile.kind in KINDS else "commune"
            row = self.kind_combo.findData(kind)
            if self.kind_combo.currentIndex() != row:
                self.kind_combo.setCurrentIndex(row)
            self._update_kind(kind)
            for name in self.messages:
                line = self.line(name)
                value = profile.population if name == "population" else getattr(profile, name)
                if keep_focus and (line.hasFocus() or line.refused or self._unsaved_population(name)):
                    continue
                text = population_display(value) if name == "population" else str(value)
                if name == "population" and line.text() and self._same_population(line.text(), value):
                    text = line.text()
                if line.text() != text:
                    line.setText(text)
                line.validate(final=True)
        finally:
            self._filling = False
        self._update_official()

    def _unsaved_population(self, name: str) -> bool:
        """The population field holds text that is not a number: it was not stored, keep it on screen."""
        if name != "population":
            return False
        try:
            parse_population(self.line(name).text())
        except ValueError:
            return True
        return False

    @staticmethod
    def _same_population(text: str, value: int | None) -> bool:
        try:
            return parse_population(text) == value
        except ValueError:
            return False

    def _update_kind(self, kind: str) -> None:
        code = self.line("code")
        self.labels["code"].setText(CODE_LABELS[kind])
        code.setAccessibleName(CODE_NAMES[kind] + " (obligatoire)")
        code.setPlaceholderText(CODE_PLACEHOLDERS[kind])
        code.set_rule(CODE_RULES[kind])
        self.epci_hint.setVisible(kind == "epci")

    def _update_read_only(self) -> None:
        read_only = self.controller.read_only
        self.read_only_note.setVisible(read_only)
        self.picker.setEnabled(not read_only)
        self.search_label.setEnabled(not read_only)
        self.kind_combo.setEnabled(not read_only)
        for name in self.messages:
            self.line(name).setReadOnly(read_only)

    def _field_error(self, key: str, message: str) -> None:
        prefix, _, name = key.partition(".")
        if prefix == "profile" and name in self.messages:
            self.line(name).set_error(message)

    # ------------------------------------------------------------------ editing

    def _edited(self, name: str, text: str) -> None:
        """A keystroke in a field: store it at once (the controller debounces the write)."""
        if self._filling or self.controller.read_only:
            return
        if name == "population":
            try:
                value = parse_population(text)
            except ValueError:
                return  # not a number: stays on screen with its message, the stored value is unchanged
            if value is not None and value > MAX_POPULATION:
                return
            self.controller.set_profile_field("population", value)
            return
        self.controller.set_profile_field(name, text)

    def _finished(self, name: str) -> None:
        """The user left a field: tidy codes (upper case, no surrounding spaces) and the population's digits."""
        line = self.line(name)
        if self._filling or self.controller.read_only or not is_alive(line):
            return  # editingFinished also fires while the page is being destroyed
        text = line.text()
        if name in UPPER_FIELDS or name in ("postal_code", "referent_email"):
            tidy = text.strip().upper() if name in UPPER_FIELDS else text.strip()
            if tidy != text and not line.refused:
                line.setText(tidy)  # stored by _edited, like a keystroke
                line.validate(final=True)
        elif name == "population":
            try:
                value = parse_population(text)
            except ValueError:
                return
            if value is not None and value <= MAX_POPULATION and line.text() != population_display(value):
                self._filling = True  # same number, only spelt with a thousands separator
                try:
                    line.setText(population_display(value))
                finally:
                    self._filling = False
        if name in ("code", "departement"):
            self._update_official()

    def _kind_chosen(self, row: int) -> None:
        kind = self.kind_combo.itemData(row)
        if self._filling or kind is None:
            return
        self._update_kind(kind)
        if not self.controller.read_only and kind != self.controller.profile.kind:
            self.controller.set_profile_field("kind", kind)

    def apply_place(self, place: Place) -> None:
        """A place chosen in the list: fill the collectivity (and an empty address) through the controller."""
        if self.controller.read_only:
            return
        for name, value in place.profile_fields().items():
            self.controller.set_profile_field(name, value)
        profile = self.controller.profile
        if place.kind == "commune":
            if not profile.postal_code.strip() and place.postal_codes:
                self.controller.set_profile_field("postal_code", place.postal_codes[0])
            if not profile.city.strip():
                self.controller.set_profile_field("city", place.name)
        # The picker had the focus, so every field was refreshed; show what the list says next to them.
        self._fill(self.controller.profile, keep_focus=True)

    # ------------------------------------------------------------------ the official list

    def _index_ready(self, index: CommuneIndex) -> None:
        self._index = index
        self.source.setText(attribution(index.metadata))
        self._update_official()

    def _update_official(self) -> None:
        """Under the picker, what the official list says of the code on file; the département's name."""
        profile = self.controller.profile
        index = self._index
        if index is None:
            return
        place = index.by_code(profile.code.replace(" ", "")) if profile.code.strip() else None
        if place is not None:
            text = f"Dans la liste officielle : {place_details(place)}"
            if place.kind == "commune" and len(place.postal_codes) > 1:
                text += " Vérifiez le code postal de l'adresse de la mairie."
            self.official.setText(text)
        self.official.setVisible(place is not None)
        name = index.departement_name(profile.departement.strip().upper()) if profile.departement.strip() else None
        self.departement_name.setText(name or "")

    # ------------------------------------------------------------------ navigation

    def focus_field(self, field: str) -> bool:
        """Put the cursor on ``profile.<name>``; False when the field is not on this page."""
        prefix, _, name = field.partition(".")
        if prefix != "profile" or name not in self.editors:
            return False
        editor = self.editors[name]
        self.scroll.ensureWidgetVisible(editor)
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(editor, ValidatedLineEdit):
            editor.selectAll()
        return True
