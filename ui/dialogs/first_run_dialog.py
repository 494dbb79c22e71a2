"""The first-run assistant: on a file with no collectivity yet, three short steps, then the dossier.

1. the collectivity, picked from the official list (the profile page's picker and its way of filling the
   profile: ``apply_place`` is ``ProfilePage.apply_place``);
2. the referent, with the profile page's own fields (same checks, same sentences: ``profile_field``);
3. the association's server address, pre-filled from ``resources/server.json`` and kept in the settings
   (an address only, never a secret).

Everything goes through the controller as if typed on the profile page, so it is saved like any edit.
"Plus tard" closes the assistant without changing anything; it comes back at the next start as long as
the collectivity has no name.
"""

from __future__ import annotations

from collections.abc import Callable

from app.communes import Place
from app.server_address import SETTINGS_KEY, server_url_problem, shipped_server_url
from ui.dossier_controller import DossierController
from ui.qt import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSettings,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.tasks import TaskRunner
from ui.widgets.common import chain_tab_order, plain_label
from ui.widgets.commune_picker import CommunePicker, IndexLoader, place_details
from ui.widgets.profile_fields import SEARCH_LABEL, profile_field
from ui.widgets.validated_line_edit import Rule, ValidatedLineEdit

TITLE = "Bienvenue dans Arobase"
REFERENT_FIELDS = ("referent_name", "referent_role", "referent_email", "referent_phone")
STEP_TITLES = ("Votre collectivité", "Le référent pour l'association", "Le serveur de l'association")
STEP_INTROS = (
    "Arobase prépare le dossier de participation au label « Territoires, Villes et Villages Internet ». "
    "Pour commencer, choisissez votre collectivité dans la liste officielle : tapez quelques lettres de son "
    "nom ou son code postal, puis choisissez-la dans la liste.",
    "La personne que l'association Villes Internet peut contacter au sujet du dossier. "
    "Vous pourrez tout modifier plus tard sur la page « Profil de la collectivité ».",
    "Le dossier validé sera envoyé à ce serveur. L'adresse est déjà remplie : ne la changez que si "
    "l'association vous le demande.",
)
NO_PLACE = "Aucune collectivité choisie : vous pourrez la choisir plus tard sur la page « Profil de la collectivité »."
SERVER_LABEL = "&Adresse du serveur :"
MIN_WIDTH_CHARS = 80
MIN_HEIGHT_LINES = 24


class FirstRunDialog(QDialog):
    """Three steps in one window; ``accepted`` once the profile was filled through the controller."""

    def __init__(
        self,
        controller: DossierController,
        runner: TaskRunner,
        settings: QSettings,
        apply_place: Callable[[Place], None],
        parent: QWidget | None = None,
        *,
        commune_loader: IndexLoader | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = settings
        self._apply_place = apply_place
        self.place: Place | None = None
        self.setWindowTitle(TITLE)
        self.setAccessibleName("Assistant de premier lancement")
        # Room for the longest step and the list of suggestions; well inside a 1366×768 screen.
        self.setMinimumSize(
            self.fontMetrics().averageCharWidth() * MIN_WIDTH_CHARS, self.fontMetrics().height() * MIN_HEIGHT_LINES
        )

        self.step_title = QLabel(self)
        self.step_title.setObjectName("firstRunStepTitle")
        self.step_title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.step_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.step_title.setFont(font)
        self.step_count = QLabel(self)
        self.step_count.setTextFormat(Qt.TextFormat.PlainText)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._place_step(runner, commune_loader))
        self.stack.addWidget(self._referent_step())
        self.stack.addWidget(self._server_step())

        self.later_button = QPushButton("Pl&us tard", self)
        self.later_button.setAccessibleName("Plus tard")
        self.later_button.setToolTip("Fermer l'assistant : il reviendra au prochain lancement")
        self.back_button = QPushButton("&Précédent", self)
        self.back_button.setAccessibleName("Étape précédente")
        self.next_button = QPushButton("&Suivant", self)
        self.next_button.setAccessibleName("Étape suivante")
        self.next_button.setDefault(True)
        self.later_button.clicked.connect(self.reject)
        self.back_button.clicked.connect(lambda: self.go_to(self.stack.currentIndex() - 1))
        self.next_button.clicked.connect(self.next_step)
        buttons = QHBoxLayout()
        buttons.addWidget(self.later_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)

        head = QHBoxLayout()
        head.addWidget(self.step_title, 1)
        head.addWidget(self.step_count)
        layout = QVBoxLayout(self)
        layout.setSpacing(self.fontMetrics().height() // 2)
        layout.addLayout(head)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.go_to(0)

    # ------------------------------------------------------------------ steps

    def _step(self, index: int) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget(self)
        page.setAccessibleName(STEP_TITLES[index])
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(plain_label(page, text=STEP_INTROS[index]))
        return page, column

    def _place_step(self, runner: TaskRunner, loader: IndexLoader | None) -> QWidget:
        page, column = self._step(0)
        self.picker = CommunePicker(runner, page) if loader is None else CommunePicker(runner, page, loader=loader)
        label = QLabel(SEARCH_LABEL, page)
        label.setBuddy(self.picker.edit)
        self.chosen = plain_label(page, "Collectivité choisie", NO_PLACE)
        self.chosen.setObjectName("firstRunChosen")
        column.addWidget(label)
        column.addWidget(self.picker)
        column.addWidget(self.chosen)
        column.addStretch(1)
        self.picker.place_chosen.connect(self._place_chosen)
        return page

    def _referent_step(self) -> QWidget:
        page, column = self._step(1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, ValidatedLineEdit] = {}
        profile = self.controller.profile
        for name in REFERENT_FIELDS:
            label, line = profile_field(page, name)
            line.setText(getattr(profile, name))
            field = QWidget(page)
            rows = QVBoxLayout(field)
            rows.setContentsMargins(0, 0, 0, 0)
            rows.setSpacing(2)
            rows.addWidget(line)
            line.message_widget.setParent(field)
            rows.addWidget(line.message_widget)
            form.addRow(label, field)
            self.fields[name] = line
        column.addLayout(form)
        column.addStretch(1)
        chain_tab_order(self.fields.values())
        return page

    def _server_step(self) -> QWidget:
        page, column = self._step(2)
        self.server_edit = ValidatedLineEdit(page, Rule(server_url_problem))
        self.server_edit.setObjectName("serverUrl")
        self.server_edit.setAccessibleName("Adresse du serveur de l'association")
        self.server_edit.setText(str(self.settings.value(SETTINGS_KEY, "") or shipped_server_url()))
        label = QLabel(SERVER_LABEL, page)
        label.setBuddy(self.server_edit)
        column.addWidget(label)
        column.addWidget(self.server_edit)
        self.server_edit.message_widget.setParent(page)
        column.addWidget(self.server_edit.message_widget)
        column.addStretch(1)
        return page

    # ------------------------------------------------------------------ moving

    def go_to(self, index: int) -> None:
        index = max(0, min(index, self.stack.count() - 1))
        self.stack.setCurrentIndex(index)
        self.step_title.setText(STEP_TITLES[index])
        self.step_count.setText(f"Étape {index + 1} sur {self.stack.count()}")
        self.back_button.setEnabled(index > 0)
        last = index == self.stack.count() - 1
        self.next_button.setText("&Terminer" if last else "&Suivant")
        self.next_button.setAccessibleName("Terminer l'assistant" if last else "Étape suivante")
        first = (self.picker.edit, self.fields[REFERENT_FIELDS[0]], self.server_edit)[index]
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def next_step(self) -> None:
        if self.stack.currentIndex() < self.stack.count() - 1:
            self.go_to(self.stack.currentIndex() + 1)
        else:
            self.finish()

    def _place_chosen(self, place: Place) -> None:
        self.place = place
        self.picker.status.setVisible(False)  # it points at the profile page's fields: the line below says it
        self.chosen.setText(f"Collectivité choisie : {place_details(place)}")

    def finish(self) -> None:
        """Write what was given through the controller, keep the server address, close."""
        if self.server_edit.validate(final=True):
            self.server_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if self.place is not None:
            self._apply_place(self.place)
        for name, line in self.fields.items():
            text = line.text().strip()
            if text and text != getattr(self.controller.profile, name):
                self.controller.set_profile_field(name, text)
        self.settings.setValue(SETTINGS_KEY, self.server_edit.text().strip())
        self.accept()
