"""Fichier › Restaurer une sauvegarde…: list the automatic backups of the open file and put one back.

The list is read off the GUI thread, from the backup files themselves. Restoring asks first, in plain
words; then the pending edits are written, the store is closed, the backup is put in place (the current
file is first kept as a backup too), and the window reopens the file, all through the task runner so
that the restore runs after the last write. The dialog stays modal meanwhile: nothing can be typed
into a file that is being replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.backups import BackupInfo, RestoreReport, list_backups, restore_backup, restored_text
from app.workspace import Workspace
from ui.dossier_controller import DossierController
from ui.excepthook import failure_message
from ui.messages import ask_question, show_warning
from ui.models.backups_model import BackupsModel
from ui.qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import TaskRunner
from ui.widgets.common import plain_label

StoreOpener = Callable[[Path], Workspace]
Reinstall = Callable[[Workspace], object]

INTRO = (
    "Arobase sauvegarde ce fichier tout seul\u00a0: une fois par jour quand il est utilisé, juste avant chaque "
    "validation du dossier et avant chaque mise à jour d'Arobase. Les dix dernières de chaque sorte sont "
    "gardées. Choisissez la sauvegarde à remettre en place\u00a0: le fichier tel qu'il est maintenant est "
    "d'abord gardé lui aussi parmi les sauvegardes, si bien que rien n'est perdu."
)
NO_BACKUP = (
    "Aucune sauvegarde de ce fichier pour l'instant\u00a0: la première sera faite la prochaine fois "
    "qu'Arobase l'ouvrira, ou avant la validation du dossier."
)
QUESTION = (
    "Remettre le fichier dans l'état de la sauvegarde du {when} ({kind})\u00a0?\n\n"
    "Il contiendra alors\u00a0: {content}.\n\n"
    "Ce qui a été saisi depuis cette sauvegarde disparaîtra de l'écran. Rien n'est perdu pour autant\u00a0: "
    "le fichier tel qu'il est maintenant est d'abord gardé parmi les sauvegardes, et pourra être "
    "restauré à son tour."
)


class RestoreDialog(QDialog):
    listed = Signal()  # the list is on screen
    restored = Signal(object)  # RestoreReport
    failed = Signal(str)  # French sentence, also shown in the dialog

    def __init__(
        self,
        controller: DossierController,
        runner: TaskRunner,
        open_store: StoreOpener,
        reinstall: Reinstall,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self.open_store = open_store
        self.reinstall = reinstall
        self.confirm_box: QMessageBox | None = None
        self._busy = True
        self.setWindowTitle("Restaurer une sauvegarde")
        self.setAccessibleName("Restaurer une sauvegarde du fichier")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(820, 460)

        intro = plain_label(self, "Explication", INTRO)
        self.list_label = QLabel("&Sauvegardes de ce fichier, la plus récente d'abord\u00a0:", self)
        self.model = BackupsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("backupsTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Sauvegardes du fichier")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(lambda _index: self.ask_restore())
        self.list_label.setBuddy(self.table)
        self.status_label = plain_label(self, "État")

        self.buttons = QDialogButtonBox(self)
        self.restore_button = QPushButton("&Restaurer la sauvegarde choisie…", self)
        self.restore_button.clicked.connect(self.ask_restore)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText("Fermer")
        close.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.status_label.setText("Lecture des sauvegardes…")
        self._update_buttons()
        path = controller.ws.path
        self.runner.run(lambda: list_backups(path), self._show, self._failed, owner=self)

    # ------------------------------------------------------------------ list

    def _show(self, backups: list[BackupInfo]) -> None:
        self._busy = False
        self.model.set_backups(backups)
        self.status_label.setText("" if backups else NO_BACKUP)
        first = next((b.number - 1 for b in backups if b.usable), None)
        if first is not None:
            self.table.selectRow(first)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.table.setFocus()
        self._update_buttons()
        self.listed.emit()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.backup(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        chosen = None if self._busy else self.selected()
        self.restore_button.setEnabled(chosen is not None and chosen.usable)
        if chosen is not None and not chosen.usable:
            self.status_label.setText(f"Cette sauvegarde ne peut pas être restaurée\u00a0: {chosen.contents_text()}.")
        elif not self._busy and self.model.rowCount():
            self.status_label.clear()

    # ------------------------------------------------------------------ restore

    def ask_restore(self) -> QMessageBox | None:
        """Say in plain words what restoring does; restore if the user agrees."""
        backup = self.selected()
        if backup is None or not backup.usable or self._busy:
            return None
        self.confirm_box = ask_question(
            self,
            "Restaurer une sauvegarde",
            QUESTION.format(when=backup.when, kind=backup.kind_label, content=backup.contents_text()),
            "&Restaurer cette sauvegarde",
            lambda: self.restore(backup),
            accessible_name="Confirmer la restauration",
        )
        return self.confirm_box

    def restore(self, backup: BackupInfo) -> None:
        """Write pending edits, close, restore, reopen: queued in this order on the one worker."""
        self._busy = True
        self._update_buttons()
        self.status_label.setText("Restauration en cours…")
        self.controller.save_pending()
        ws, open_store = self.controller.ws, self.open_store

        def work() -> tuple[RestoreReport, Workspace]:
            ws.close()
            report = restore_backup(ws.path, backup, ws.clock)
            return report, open_store(ws.path)

        self.runner.run(work, self._restored, self._failed, owner=self)

    def _restored(self, outcome: tuple[RestoreReport, Workspace]) -> None:
        report, workspace = outcome
        self._busy = False
        self.reinstall(workspace)
        self.restored.emit(report)
        self.accept()
        show_warning(self.parentWidget(), restored_text(report), QMessageBox.Icon.Information)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        message = failure_message(exc, "La restauration n'a pas pu se faire à cause d'une erreur inattendue.")
        self._update_buttons()
        self.status_label.setText(message)
        self.failed.emit(message)


def open_restore_dialog(
    parent: QWidget, controller: DossierController, runner: TaskRunner, open_store: StoreOpener, reinstall: Reinstall
) -> RestoreDialog:
    """``reinstall(workspace)`` shows the restored file in the window (``MainWindow._switch_to``)."""
    dialog = RestoreDialog(controller, runner, open_store, reinstall, parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
