"""Fichier › Commencer une nouvelle édition…: start the next year's dossier from this year's actions.

The dialog shows, for each action, what becomes of its services in the new edition (kept, found
again by their wording, or to re-link), lets the user untick actions not to carry over, and writes
the ticked ones through the task runner. The window then reopens the store on the new edition.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.carry_over import (
    SAME_LABEL,
    CarriedAction,
    CarryOverPlan,
    CarryOverResult,
    apply_carry_over,
    newer_editions,
    plan_carry_over,
)
from app.formats import plural
from ui.dossier_controller import DossierController
from ui.excepthook import failure_message
from ui.messages import show_warning
from ui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStandardItem,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import TaskRunner
from ui.widgets.common import checklist_tree, plain_label

UUID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Action et services", "Dans la nouvelle édition")
StoreReopener = Callable[[Path], object]


def _title(c: CarriedAction) -> str:
    return c.action.title.strip() or "(action sans titre)"


def action_status(c: CarriedAction, new_edition: str) -> str:
    """One line per action: what the user will have to do after the carry-over."""
    if c.already_there:
        return f"Déjà dans le dossier {new_edition} : elle ne sera pas reprise une deuxième fois."
    parts = []
    kept = len(c.action.services)
    if c.needs_relink:
        parts.append("✗ Aucun service ne correspond : à relier à un service après la reprise")
    elif c.dropped:
        parts.append(f"{plural(kept, 'service repris', 'services repris')}, {len(c.dropped)} à relier")
    else:
        parts.append(f"✓ {plural(kept, 'service repris', 'services repris')}")
    if c.level_dropped:
        parts.append(f"niveau « {c.old_level} » inconnu : à indiquer de nouveau")
    return " ; ".join(parts) + "."


def link_status(link_how: str, kept: bool, new_id: str | None, new_edition: str) -> str:
    if not kept:
        return f"✗ Absent de l'édition {new_edition} : à relier"
    if link_how == SAME_LABEL:
        return f"↻ Retrouvé par son intitulé (nouvel identifiant {new_id})"
    return "✓ Repris"


class NewEditionDialog(QDialog):
    plan_ready = Signal()
    started = Signal(object)  # CarryOverResult, or None when started without carrying actions over
    failed = Signal(str)

    def __init__(
        self,
        controller: DossierController,
        runner: TaskRunner,
        editions: list[str],
        reopen_store: StoreReopener | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self.reopen_store = reopen_store
        self.plan: CarryOverPlan | None = None
        self.result: CarryOverResult | None = None
        self._action_items: list[QStandardItem] = []
        old = controller.edition.id
        self.setWindowTitle("Commencer une nouvelle édition")
        self.setAccessibleName("Commencer le dossier d'une nouvelle édition")
        self.resize(820, 560)

        intro = QLabel(
            f"Le dossier de la nouvelle édition peut reprendre les actions de l'édition {old}. Les services "
            "qui existent encore sont repris ; les autres sont indiqués, pour que vous reliiez l'action à un "
            "service de la nouvelle édition. Le dossier de l'édition " + old + " ne change pas.",
            self,
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.edition_label = QLabel("É&dition à commencer :", self)
        self.edition_combo = QComboBox(self)
        self.edition_combo.setAccessibleName("Édition à commencer")
        for edition_id in editions:
            self.edition_combo.addItem(controller.ws.catalog.get(edition_id).title, edition_id)
        self.edition_label.setBuddy(self.edition_combo)
        self.edition_combo.currentIndexChanged.connect(lambda _i: self.compute_plan())
        self.status_label = plain_label(self, "Résumé de la reprise")

        self.list_label = QLabel("&Actions à reprendre (décochez celles à laisser) :", self)
        self.view, self.model = checklist_tree(
            self,
            columns=COLUMNS,
            object_name="carryOverPlan",
            accessible_name="Actions à reprendre",
            description="Chaque action, cochée pour être reprise (Espace pour cocher ou décocher), et en dessous "
            "ce que deviennent ses services dans la nouvelle édition.",
            buddy_of=self.list_label,
            on_item_changed=self._update_buttons,
        )

        self.buttons = QDialogButtonBox(self)
        self.carry_button = QPushButton("&Reprendre les actions cochées", self)
        self.carry_button.setAccessibleName("Reprendre les actions cochées et commencer la nouvelle édition")
        self.carry_button.clicked.connect(self.carry_over)
        self.empty_button = QPushButton("Commencer &sans reprendre d'action", self)
        self.empty_button.setAccessibleName("Commencer la nouvelle édition avec un dossier vide")
        self.empty_button.clicked.connect(self.start_empty)
        self.buttons.addButton(self.carry_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.empty_button, QDialogButtonBox.ButtonRole.ActionRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Annuler")
        cancel.clicked.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.edition_label)
        row.addWidget(self.edition_combo, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.list_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self._busy = False
        self.compute_plan()

    @property
    def new_edition_id(self) -> str:
        return str(self.edition_combo.currentData())

    # ------------------------------------------------------------------ plan

    def compute_plan(self) -> None:
        """Map the actions on screen (edits of a moment ago included) to the chosen edition, off the GUI thread."""
        ws, new_id = self.controller.ws, self.new_edition_id
        old_edition, old_dossier = self.controller.edition, self.controller.dossier
        self.plan = None
        self._busy = True
        self.status_label.setText("Préparation de la reprise…")
        self._update_buttons()

        def work() -> CarryOverPlan:
            new_edition = ws.edition(new_id)
            existing = ws.load(new_id) if ws.has_dossier(new_id) else None
            return plan_carry_over(old_edition, new_edition, old_dossier, existing)

        self.runner.run(work, self._show_plan, self._failed, owner=self)

    def _show_plan(self, plan: CarryOverPlan) -> None:
        if plan.new_edition != self.new_edition_id:  # the user chose another edition meanwhile
            return
        self._busy = False
        self.plan = plan
        self.model.removeRows(0, self.model.rowCount())
        self._action_items = []
        for c in plan.actions:
            title = QStandardItem(_title(c))
            title.setData(c.uuid, UUID_ROLE)
            status = QStandardItem(action_status(c, plan.new_edition))
            title.setData(f"{_title(c)} : {status.text()}", Qt.ItemDataRole.AccessibleTextRole)
            if not c.already_there:
                title.setCheckable(True)
                title.setCheckState(Qt.CheckState.Checked)
                self._action_items.append(title)
            for link in c.links:
                label = QStandardItem(link.old_label or link.old_id)
                label.setToolTip(f"Identifiant dans l'édition {plan.old_edition} : {link.old_id}")
                label.setData(link.old_label or link.old_id, Qt.ItemDataRole.AccessibleTextRole)
                title.appendRow([label, QStandardItem(link_status(link.how, link.kept, link.new_id, plan.new_edition))])
            self.model.appendRow([title, status])
        self.view.expandAll()
        n = len(plan.to_write)
        relink = len(plan.to_relink)
        partly = len([c for c in plan.with_dropped_services if not c.needs_relink])
        if not plan.actions:
            text = f"Le dossier {plan.old_edition} ne contient aucune action : la nouvelle édition commencera vide."
        else:
            text = (
                f"{plural(n, 'action')} à reprendre dans l'édition {plan.new_edition} ; {relink} sans aucun service "
                f"correspondant et {partly} avec des services à relier."
            )
            there = len(plan.actions) - n
            if there:
                text += f" {plural(there, 'action')} déjà dans le dossier {plan.new_edition}."
        self.status_label.setText(text)
        self._update_buttons()
        self.plan_ready.emit()

    def checked_uuids(self) -> list[str]:
        return [it.data(UUID_ROLE) for it in self._action_items if it.checkState() == Qt.CheckState.Checked]

    def set_checked(self, action_uuid: str, checked: bool) -> None:
        for it in self._action_items:
            if it.data(UUID_ROLE) == action_uuid:
                it.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _update_buttons(self) -> None:
        count = len(self.checked_uuids()) if self.plan is not None else 0
        self.carry_button.setEnabled(not self._busy and count > 0)
        self.carry_button.setText(
            f"&Reprendre les actions cochées ({count})" if count else "&Reprendre les actions cochées"
        )
        self.empty_button.setEnabled(not self._busy)
        self.edition_combo.setEnabled(not self._busy)

    # ------------------------------------------------------------------ starting

    def carry_over(self) -> None:
        if self.plan is None or self._busy:
            return
        plan, ws, new_id = self.plan, self.controller.ws, self.new_edition_id
        wanted = set(self.checked_uuids())
        self._start("Reprise des actions…")
        self.runner.run(lambda: apply_carry_over(ws, plan, new_id, wanted), self._done, self._failed, owner=self)

    def start_empty(self) -> None:
        if self._busy:
            return
        ws, new_id = self.controller.ws, self.new_edition_id
        self._start(f"Création du dossier {new_id}…")
        self.runner.run(lambda: ws.open_dossier(new_id), lambda _d: self._done(None), self._failed, owner=self)

    def _start(self, message: str) -> None:
        self._busy = True
        self.controller.save_pending()  # the edits of the current edition are written first
        self.status_label.setText(message)
        self._update_buttons()

    def _done(self, result: CarryOverResult | None) -> None:
        self._busy = False
        self.result = result
        new_id = self.new_edition_id
        parent = self.parentWidget()
        if result is not None and result.to_relink:
            titles = "\n".join(f"  – {a.title.strip() or '(action sans titre)'}" for a in result.to_relink)
            show_warning(
                parent,
                f"{plural(len(result.added), 'action reprise')} dans l'édition {new_id}.\n\n"
                f"Ces actions ne sont plus liées à aucun service ; reliez-les à un service de l'édition "
                f"{new_id} (elles apparaissent dans la page Dossier) :\n{titles}",
            )
        self.started.emit(result)
        self.accept()
        if self.reopen_store is not None:
            self.reopen_store(self.controller.ws.path)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        message = failure_message(exc, "La nouvelle édition n'a pas pu être commencée à cause d'une erreur inattendue.")
        self.status_label.setText(message)
        self._update_buttons()
        self.failed.emit(message)


def open_new_edition_dialog(
    parent: QWidget, controller: DossierController, runner: TaskRunner, reopen_store: StoreReopener | None = None
) -> NewEditionDialog | None:
    """Offer the editions newer than the open one; ``reopen_store(path)`` then shows the new edition."""
    editions = newer_editions(controller.ws, controller.edition.id)
    if not editions:
        show_warning(
            parent,
            f"Aucune édition du questionnaire plus récente que {controller.edition.id} n'est installée sur cet "
            "ordinateur. Quand l'association Villes Internet publiera la prochaine, mettez Arobase à jour.",
        )
        return None
    dialog = NewEditionDialog(controller, runner, editions, reopen_store, parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
