"""Fichier › Importer des fiches d'autres personnes…: add actions from a file someone else exported.

The file is read and compared with the dossier off the GUI thread; the dialog then lists the fiches
to add (each with a box to untick) and those already in the dossier (with the reason), and adds the
ticked ones through the task runner. The contributor's profile is never taken.
"""

from __future__ import annotations

from pathlib import Path

from app.contributions import Contribution, ContributionPreview, apply_contributions, preview_contributions
from app.formats import plural
from app.interchange import read_document
from app.model import ActionData
from ui.dossier_controller import DossierController
from ui.excepthook import failure_message
from ui.file_dialogs import DOSSIER_FILTER, documents_folder
from ui.messages import show_warning
from ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMainWindow,
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
COLUMNS = ("Fiche action", "Remarque")
READ_ONLY_MESSAGE = (
    "Le dossier est validé : il ne peut plus être modifié. Choisissez d'abord « Modifier (nouvelle "
    "révision) » dans la page Dossier, puis importez les fiches."
)


def _title(action: ActionData) -> str:
    return action.title.strip() or "(action sans titre)"


def _remark(item: Contribution) -> str:
    if item.reason:
        return item.reason
    if item.missing_attachments:
        names = ", ".join(f"« {f.name} »" for f in item.missing_attachments)
        return f"Pièces jointes non transmises par le fichier ({names}) : demandez-les à l'auteur de la fiche."
    return ""


class ContributionsDialog(QDialog):
    preview_ready = Signal()
    applied = Signal(int)  # number of actions added
    failed = Signal(str)  # French sentence, also shown in the dialog

    def __init__(
        self, controller: DossierController, runner: TaskRunner, path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self.path = path
        self.preview: ContributionPreview | None = None
        self._add_items: list[QStandardItem] = []
        self.setWindowTitle("Importer des fiches actions")
        self.setAccessibleName("Importer des fiches actions d'autres personnes")
        self.resize(760, 520)

        self.status_label = plain_label(self, "État de l'import", f"Lecture du fichier {path.name}…")
        self.list_label = QLabel("&Fiches du fichier (cochez celles à ajouter) :", self)
        self.view, self.model = checklist_tree(
            self,
            columns=COLUMNS,
            object_name="contributionsList",
            accessible_name="Fiches du fichier",
            description="Deux groupes : les fiches à ajouter, cochées (Espace pour cocher ou décocher), "
            "puis celles déjà présentes dans le dossier, qui ne seront pas ajoutées.",
            buddy_of=self.list_label,
            on_item_changed=self._update_button,
        )

        self.buttons = QDialogButtonBox(self)
        self.add_button = QPushButton("&Ajouter les fiches cochées", self)
        self.add_button.setAccessibleName("Ajouter les fiches cochées au dossier")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.add_checked)
        self.buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Annuler")
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.list_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.list_label.setVisible(False)
        self.view.setVisible(False)

        ws, edition_id = controller.ws, controller.edition.id
        controller.save_pending()  # compare with what is on screen, typed a moment ago included
        runner.run(
            lambda: preview_contributions(ws, edition_id, read_document(path)), self._show, self._failed, owner=self
        )

    # ------------------------------------------------------------------ preview

    def _show(self, preview: ContributionPreview) -> None:
        self.preview = preview
        self.model.removeRows(0, self.model.rowCount())
        self._add_items = []
        who = f" de « {preview.contributor} »" if preview.contributor.strip() else ""
        n_add, n_there = len(preview.to_add), len(preview.already_present)
        if not n_add and not n_there:
            self.status_label.setText(f"Le fichier {self.path.name}{who} ne contient aucune fiche action.")
        else:
            self.status_label.setText(
                f"Fichier {self.path.name}{who} : {plural(n_add, 'fiche')} à ajouter, "
                f"{plural(n_there, 'déjà présente', 'déjà présentes')}. "
                "Le profil de la collectivité du fichier n'est pas repris."
            )
        if n_add:
            group = self._group(f"À ajouter ({n_add})")
            for item in preview.to_add:
                title = QStandardItem(_title(item.action))
                title.setCheckable(True)
                title.setCheckState(Qt.CheckState.Checked)
                title.setData(item.uuid, UUID_ROLE)
                title.setData(f"À ajouter : {_title(item.action)}", Qt.ItemDataRole.AccessibleTextRole)
                self._add_items.append(title)
                group.appendRow([title, QStandardItem(_remark(item))])
        if n_there:
            group = self._group(f"Déjà présentes, non ajoutées ({n_there})")
            for item in preview.already_present:
                title = QStandardItem(_title(item.action))
                title.setData(item.uuid, UUID_ROLE)
                title.setData(f"Déjà présente : {_title(item.action)}", Qt.ItemDataRole.AccessibleTextRole)
                group.appendRow([title, QStandardItem(_remark(item))])
        self.view.expandAll()
        self.list_label.setVisible(bool(n_add or n_there))
        self.view.setVisible(bool(n_add or n_there))
        self._update_button()
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0))
            self.view.setFocus()
        self.preview_ready.emit()

    def _group(self, text: str) -> QStandardItem:
        group = QStandardItem(text)
        group.setEditable(False)
        self.model.appendRow([group, QStandardItem("")])
        return group

    def checked_uuids(self) -> list[str]:
        return [it.data(UUID_ROLE) for it in self._add_items if it.checkState() == Qt.CheckState.Checked]

    def set_checked(self, action_uuid: str, checked: bool) -> None:
        for it in self._add_items:
            if it.data(UUID_ROLE) == action_uuid:
                it.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _update_button(self) -> None:
        count = len(self.checked_uuids())
        self.add_button.setEnabled(count > 0 and self.preview is not None)
        self.add_button.setText(f"&Ajouter les fiches cochées ({count})" if count else "&Ajouter les fiches cochées")

    # ------------------------------------------------------------------ adding

    def add_checked(self) -> None:
        if self.preview is None or self.controller.read_only:
            if self.controller.read_only:
                self._failed_message(READ_ONLY_MESSAGE)
            return
        wanted = set(self.checked_uuids())
        if not wanted:
            return
        preview, ws = self.preview, self.controller.ws
        self.add_button.setEnabled(False)
        self.view.setEnabled(False)
        self.status_label.setText("Ajout des fiches…")
        self.controller.save_pending()  # queued first: the runner keeps the order
        self.runner.run(lambda: apply_contributions(ws, preview, wanted), self._added, self._failed, owner=self)

    def _added(self, added: list[ActionData]) -> None:
        count = len(added)
        self.controller.load()  # the pages show the new fiches once read back
        parent = self.parentWidget()
        if isinstance(parent, QMainWindow):
            added = plural(count, "fiche action ajoutée", "fiches action ajoutées")
            parent.statusBar().showMessage(f"{added} au dossier.", 10_000)
        self.applied.emit(count)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        message = failure_message(exc, "L'import des fiches a échoué à cause d'une erreur inattendue.")
        self._failed_message(message)

    def _failed_message(self, message: str) -> None:
        self.status_label.setText(message)
        self.view.setEnabled(True)
        self._update_button()
        self.failed.emit(message)


def open_contributions_dialog(
    parent: QWidget, controller: DossierController, runner: TaskRunner, path: Path | None = None
) -> ContributionsDialog | None:
    """Ask for the file (unless given), then show the preview; returns the dialog, shown without blocking."""
    if controller.read_only:
        show_warning(parent, READ_ONLY_MESSAGE)
        return None
    if path is None:
        name, _ = QFileDialog.getOpenFileName(
            parent, "Importer des fiches actions", str(documents_folder()), DOSSIER_FILTER
        )
        if not name:
            return None
        path = Path(name)
    dialog = ContributionsDialog(controller, runner, path, parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
