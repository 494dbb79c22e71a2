"""The criteria only an intercommunality answers: Oui / Non / Non renseigné and optional details for each.

Each answer and each keystroke in the details goes to ``controller.set_epci_answer`` (saved within a
second). Details the controller refuses (an invisible control character pasted from elsewhere) stay on
screen with the controller's sentence under them and are not stored. For a commune or another kind of
collectivity the page says it does not apply, and :func:`applies` lets the window hide its entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.edition import EpciCriterion
from app.model import EpciAnswerData, Profile
from ui.dossier_controller import DossierController
from ui.qt import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import TaskRunner
from ui.widgets.common import chain_tab_order, framed_note, page_heading, plain_label, scrolling_column
from ui.widgets.validated_line_edit import FieldMessage

TITLE = "Critères intercommunaux"
INTRO = (
    "Cette page concerne les intercommunalités (EPCI : communautés de communes, d'agglomération, urbaines, "
    "métropoles). Répondez à chacun des critères par Oui ou Non ; les précisions sont facultatives mais aident "
    "le jury. Tout est enregistré au fur et à mesure."
)
NOT_APPLICABLE = (
    "Votre collectivité n'est pas une intercommunalité : ces critères ne la concernent pas. "
    "Si c'est une erreur, changez le type de collectivité dans le profil."
)
READ_ONLY_NOTE = (
    "Ce dossier est validé : les réponses ne peuvent plus être modifiées. Pour les changer, ouvrez une "
    "nouvelle révision depuis la page « Dossier »."
)
DETAILS_PLACEHOLDER = "Facultatif : nom du schéma ou du service, date, lien, nombre de personnes…"
# (stored value, button text with mnemonic, accessible word)
ANSWERS: tuple[tuple[bool | None, str, str], ...] = (
    (True, "&Oui", "oui"),
    (False, "&Non", "non"),
    (None, "Non r&enseigné", "non renseigné"),
)


def applies(profile: Profile) -> bool:
    """Whether the page concerns this collectivity (the window hides its entry otherwise)."""
    return profile.kind == "epci"


@dataclass(slots=True)
class _CriterionRow:
    """The controls of one criterion (plain holder; the page owns the widgets)."""

    criterion: EpciCriterion
    box: QGroupBox
    group: QButtonGroup
    buttons: dict[bool | None, QRadioButton]
    details: QPlainTextEdit
    message: FieldMessage
    refused: str = ""  # the controller's sentence while the details on screen are refused (not stored)


class EpciPage(QWidget):
    """The edition's ``epci_criteria``, one group each, in the questionnaire's order."""

    navigate_requested = Signal(str)
    applies = staticmethod(applies)

    def __init__(self, controller: DossierController, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self._filling = False
        self._answering: str | None = None
        self.setAccessibleName(TITLE)

        heading = page_heading(self, TITLE)
        intro = plain_label(self, text=INTRO)
        self.progress = plain_label(self, text="")
        self.progress.setObjectName("epciProgress")
        self.progress.setAccessibleName("Critères renseignés")
        self.read_only_note = framed_note(self, READ_ONLY_NOTE)

        self.not_applicable = QWidget(self)
        self.not_applicable.setObjectName("epciNotApplicable")
        not_applicable_text = plain_label(self.not_applicable, text=NOT_APPLICABLE)
        not_applicable_text.setAccessibleName("Page sans objet")
        self.profile_button = QPushButton("Aller au &profil", self.not_applicable)
        self.profile_button.setAccessibleName("Aller au profil de la collectivité")
        self.profile_button.clicked.connect(lambda: self.navigate_requested.emit("profile"))
        na_layout = QVBoxLayout(self.not_applicable)
        na_layout.setContentsMargins(0, 0, 0, 0)
        na_layout.addWidget(not_applicable_text)
        na_layout.addWidget(self.profile_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.criteria = QWidget(self)
        criteria_layout = QVBoxLayout(self.criteria)
        criteria_layout.setContentsMargins(0, 0, 0, 0)
        self.rows: dict[str, _CriterionRow] = {}
        total = len(controller.edition.epci_criteria)
        for number, criterion in enumerate(controller.edition.epci_criteria, start=1):
            row = self._build_row(criterion, number, total)
            criteria_layout.addWidget(row.box)
            self.rows[criterion.id] = row

        parts = [heading, intro, self.read_only_note, self.not_applicable, self.progress, self.criteria]
        self.scroll = scrolling_column(self, parts, TITLE)

        order: list[QWidget] = [self.profile_button]
        for row in self.rows.values():
            order += [*row.buttons.values(), row.details]
        chain_tab_order(order)

        controller.loaded.connect(self.refresh)
        controller.profile_changed.connect(self._update_applies)
        controller.state_changed.connect(self._update_read_only)
        controller.epci_changed.connect(self._epci_changed)
        controller.field_error.connect(self._field_error)
        self.refresh()

    # ------------------------------------------------------------------ building

    def _build_row(self, criterion: EpciCriterion, number: int, total: int) -> _CriterionRow:
        title = f"Critère {number} sur {total}"
        box = QGroupBox(title, self)
        box.setObjectName(f"criterion-{criterion.id}")
        box.setAccessibleName(f"{title} : {criterion.label}")
        question = plain_label(box, text=criterion.label)
        question.setAccessibleName(f"Critère {number}")
        group = QButtonGroup(box)
        group.setExclusive(True)
        buttons: dict[bool | None, QRadioButton] = {}
        answers = QHBoxLayout()
        for answer, text, word in ANSWERS:
            button = QRadioButton(text, box)
            button.setAccessibleName(f"Critère {number} : {word}")
            button.setAccessibleDescription(criterion.label)
            group.addButton(button)
            answers.addWidget(button)
            buttons[answer] = button
            button.clicked.connect(lambda _checked=False, cid=criterion.id, a=answer: self._answer_clicked(cid, a))
        answers.addStretch(1)
        details_label = QLabel("&Précisions :", box)
        details = QPlainTextEdit(box)
        details.setObjectName(f"details-{criterion.id}")
        details.setAccessibleName(f"Précisions sur le critère {number}")
        details.setAccessibleDescription(criterion.label)
        details.setPlaceholderText(DETAILS_PLACEHOLDER)
        details.setTabChangesFocus(True)  # Tab leaves the field: the page stays usable with the keyboard
        margins = details.contentsMargins()
        lines = details.fontMetrics().lineSpacing() * 3
        details.setFixedHeight(int(lines + 2 * details.document().documentMargin() + margins.top() + margins.bottom()))
        details_label.setBuddy(details)
        details.textChanged.connect(lambda cid=criterion.id: self._details_changed(cid))
        message = FieldMessage(details, box)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(QLabel("Réponse :", box), answers)
        form.addRow(details_label, details)
        form.addRow("", message)
        layout = QVBoxLayout(box)
        layout.addWidget(question)
        layout.addLayout(form)
        return _CriterionRow(criterion, box, group, buttons, details, message)

    # ------------------------------------------------------------------ reading the controller

    def _stored(self, criterion_id: str) -> EpciAnswerData:
        for answer in self.controller.dossier.epci_answers:
            if answer.criterion == criterion_id:
                return answer
        return EpciAnswerData(criterion_id)

    def answer(self, criterion_id: str) -> bool | None:
        """The answer shown for a criterion."""
        row = self.rows[criterion_id]
        return next((a for a, b in row.buttons.items() if b.isChecked()), None)

    def message(self, criterion_id: str) -> str:
        return self.rows[criterion_id].message.text() if not self.rows[criterion_id].message.isHidden() else ""

    def refresh(self) -> None:
        """Re-read every answer (dossier loaded), applicability and read-only state."""
        for criterion_id, row in self.rows.items():
            row.refused = ""
            row.message.show_message("")
            self._show(criterion_id, keep_focus=False)
        self._update_applies()
        self._update_read_only()

    def _epci_changed(self, criterion_id: str) -> None:
        if criterion_id in self.rows:
            self._show(criterion_id, keep_focus=True)
        self._update_progress()

    def _show(self, criterion_id: str, *, keep_focus: bool) -> None:
        """Show the stored answer; the details being typed in (or refused) are left as they are."""
        row = self.rows[criterion_id]
        stored = self._stored(criterion_id)
        button = row.buttons[stored.answer]
        if not button.isChecked():
            button.setChecked(True)
        if keep_focus and (row.details.hasFocus() or row.refused):
            return
        if row.details.toPlainText() != stored.details:
            self._filling = True
            try:
                row.details.setPlainText(stored.details)
            finally:
                self._filling = False

    def _update_progress(self) -> None:
        answered = sum(
            1 for a in self.controller.dossier.epci_answers if a.answer is not None and a.criterion in self.rows
        )
        total = len(self.rows)
        self.progress.setText(
            f"{answered} critère{'s' if answered > 1 else ''} sur {total} renseigné{'s' if answered > 1 else ''}."
        )

    def _update_applies(self) -> None:
        concerned = applies(self.controller.profile)
        self.not_applicable.setVisible(not concerned)
        self.criteria.setVisible(concerned)
        self.progress.setVisible(concerned)
        self._update_progress()

    def _update_read_only(self) -> None:
        read_only = self.controller.read_only
        self.read_only_note.setVisible(read_only)
        for row in self.rows.values():
            for button in row.buttons.values():
                button.setEnabled(not read_only)
            row.details.setReadOnly(read_only)

    def _field_error(self, key: str, message: str) -> None:
        prefix, _, criterion_id = key.partition(":")
        row = self.rows.get(criterion_id) if prefix == "epci" else None
        if row is not None and not (self._answering == criterion_id and not message):
            row.refused = message
            row.message.show_message(message)

    # ------------------------------------------------------------------ editing

    def _answer_clicked(self, criterion_id: str, answer: bool | None) -> None:
        if self.controller.read_only:
            return
        row = self.rows[criterion_id]
        # Refused details must not hold back the answer: keep the stored details with it.
        details = self._stored(criterion_id).details if row.refused else row.details.toPlainText()
        self._answering = criterion_id  # the stored details being accepted says nothing of those on screen
        try:
            self.controller.set_epci_answer(criterion_id, answer, details)
        finally:
            self._answering = None

    def _details_changed(self, criterion_id: str) -> None:
        if self._filling or self.controller.read_only:
            return
        row = self.rows[criterion_id]
        self.controller.set_epci_answer(criterion_id, self._stored(criterion_id).answer, row.details.toPlainText())

    # ------------------------------------------------------------------ navigation

    def focus_field(self, field: str) -> bool:
        """Put the focus on the answer of ``epci:<id>``; False when not on this page or not applicable."""
        prefix, _, criterion_id = field.partition(":")
        row = self.rows.get(criterion_id) if prefix == "epci" else None
        if row is None or not applies(self.controller.profile):
            return False
        checked = row.group.checkedButton() or row.buttons[True]
        self.scroll.ensureWidgetVisible(row.box)
        checked.setFocus(Qt.FocusReason.OtherFocusReason)
        return True
