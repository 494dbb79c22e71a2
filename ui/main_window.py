"""The main window on one store file. Kept small: pages (actions, mosaïque, validation) plug in later.

The window owns its workspace and its task runner: every store access goes through the runner (off
the GUI thread, one at a time), and closing the window waits for running work before closing the store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.workspace import Status, Workspace
from ui.excepthook import expected_message, report_exception
from ui.messages import show_warning
from ui.qt import (
    QAction,
    QCloseEvent,
    QFileDialog,
    QKeySequence,
    QLabel,
    QMainWindow,
    QWidget,
    Signal,
)
from ui.summary_widget import DossierSummaryWidget
from ui.tasks import TaskRunner

StoreOpener = Callable[[Path], Workspace]

APP_TITLE = "Arobase"
NEW_COLLECTIVITY = "Nouvelle collectivité"
STORE_FILTER = "Fichiers Arobase (*.sqlite);;Tous les fichiers (*)"


class MainWindow(QMainWindow):
    """Shows the collectivity and its dossier; lets the user switch to another store file."""

    status_shown = Signal()  # a status (or the reason it could not be read) is on screen
    store_open_failed = Signal(str)  # the French reason; the current store stays open

    def __init__(self, workspace: Workspace, open_store: StoreOpener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ws = workspace
        self._open_store = open_store
        self._closed = False
        self.runner = TaskRunner(self)
        self.setAccessibleName("Fenêtre principale d'Arobase")
        self.setWindowTitle(APP_TITLE)
        self.resize(760, 560)

        self.summary = DossierSummaryWidget(self)
        self.setCentralWidget(self.summary)
        self.path_label = QLabel(self)
        self.path_label.setAccessibleName("Fichier ouvert")
        self.statusBar().setAccessibleName("Barre d'état")
        self.statusBar().addPermanentWidget(self.path_label, 1)
        self._build_menus()
        self.refresh()

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&Fichier")
        menu.setAccessibleName("Fichier")
        self.open_action = QAction("&Ouvrir…", self)
        self.open_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
        self.open_action.setStatusTip("Ouvrir un autre fichier Arobase (.sqlite)")
        self.open_action.triggered.connect(self.choose_store)
        self.quit_action = QAction("&Quitter", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setStatusTip("Fermer Arobase")
        self.quit_action.triggered.connect(self.close)
        menu.addAction(self.open_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)

    @property
    def workspace(self) -> Workspace:
        return self._ws

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        """Reload the summary in the background; ``Chargement…`` shows meanwhile."""
        self.summary.show_loading()
        ws = self._ws
        self.path_label.setText(str(ws.path))
        self.runner.run(
            ws.status,
            lambda status: self._status_loaded(ws, status),
            lambda exc: self._status_failed(ws, exc),
            owner=self,
        )

    def _status_loaded(self, ws: Workspace, status: Status) -> None:
        if ws is not self._ws:  # an answer about a store the user has since left
            return
        self.summary.show_status(status)
        self.setWindowTitle(f"{APP_TITLE} — {status.profile.name or NEW_COLLECTIVITY}")
        self.path_label.setText(str(status.path))
        self.status_shown.emit()

    def _status_failed(self, ws: Workspace, exc: BaseException) -> None:
        if ws is not self._ws:
            return
        message = expected_message(exc)
        if message is None:
            self.summary.show_error(
                "Le dossier n'a pas pu être affiché à cause d'une erreur inattendue : "
                "suivez les indications de la fenêtre d'erreur."
            )
            report_exception(exc)
        else:
            self.summary.show_error(message)
        self.status_shown.emit()

    # ------------------------------------------------------------------ another store

    def choose_store(self) -> None:
        folder = self.path_label.text() or str(Path.home())
        name, _ = QFileDialog.getOpenFileName(self, "Ouvrir un fichier Arobase", folder, STORE_FILTER)
        if name:
            self.open_store_file(Path(name))

    def open_store_file(self, path: Path) -> None:
        """Open ``path`` in the background; the current store stays open until the new one is ready."""
        self.statusBar().showMessage(f"Ouverture de {path}…")
        self.runner.run(lambda: self._open_store(path), self._switch_to, self._open_failed, owner=self)

    def _switch_to(self, workspace: Workspace) -> None:
        self.statusBar().clearMessage()
        old, self._ws = self._ws, workspace
        self.runner.run(old.close)  # queued after any job still reading the old store
        self.refresh()

    def _open_failed(self, exc: BaseException) -> None:
        self.statusBar().clearMessage()
        message = expected_message(exc)
        if message is None:
            report_exception(exc)
            return
        show_warning(self, f"{message}\n\nLe fichier actuellement ouvert reste ouvert.")
        self.store_open_failed.emit(message)

    # ------------------------------------------------------------------ closing

    def shutdown(self) -> None:
        """Wait for running work, then close the store; safe to call twice (close event, then run())."""
        if self._closed:
            return
        self._closed = True
        self.runner.shutdown()
        self._ws.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
