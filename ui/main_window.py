"""The main window on one store file: menus, status bar, settings; the dossier itself is a DossierView.

The window owns its workspace and its task runner: every store access goes through the runner (off
the GUI thread, one at a time). Closing hands queued edits to the runner, waits for it, writes anything
left, then closes the store: nothing typed is lost on close.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ui.dossier_controller import DossierController
from ui.dossier_view import DEFAULT_TARGET, DossierView
from ui.editions_check import EditionsCheck
from ui.help_menu import HelpMenu
from ui.menu_actions import menu_action
from ui.qt import (
    QAction,
    QCloseEvent,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMenu,
    QSettings,
    QShowEvent,
    QSize,
    Qt,
    QTimer,
    QWidget,
    Signal,
)
from ui.send_context import SendContext, saved_proxy
from ui.tasks import TaskRunner
from ui.window_files import WindowFiles

if TYPE_CHECKING:
    from app.workspace import Workspace

StoreOpener = Callable[[Path], "Workspace"]

APP_TITLE = "Arobase"
NEW_COLLECTIVITY = "Nouvelle collectivité"
NEW_FILE_SHORTCUT = "Ctrl+Shift+N"
DEFAULT_SIZE = QSize(1280, 720)  # shrunk to the screen's free area (a 1366×768 laptop has a task bar)
TITLE_BAR_ALLOWANCE = 40  # the window manager's frame is not in the size given to resize()
GO_PAGES = (
    ("profile", "&Profil de la collectivité"),
    ("epci", "&Critères intercommunaux"),
    ("actions", "&Actions"),
    ("mosaic", "&Mosaïque"),
    ("dossier", "&Dossier"),
    ("send", "&Envoi"),
)
NEXT_STEPS_KEY = "window/next_steps"  # « Et maintenant ? » is shown until dismissed
GO_SHORTCUTS = {"profile": "Ctrl+1", "actions": "Ctrl+2", "mosaic": "Ctrl+3", "dossier": "Ctrl+4", "send": "Ctrl+5"}


def _menu_text(text: str) -> str:
    """A title shown in a menu: its "&" is a letter, not a mnemonic."""
    return text.replace("&", "&&")


class MainWindow(QMainWindow):
    """One collectivity's store: navigate its dossier, switch to another store file."""

    status_shown = Signal()  # the summary (or the reason it could not be read) is on screen
    store_open_failed = Signal(str)  # the French reason; the current store stays open
    dossier_ready = Signal()  # the dossier is loaded into the pages

    def __init__(
        self,
        workspace: Workspace,
        open_store: StoreOpener,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        first_run: bool = False,
        send_context: SendContext | None = None,
    ) -> None:
        super().__init__(parent)
        self._send_context = send_context or SendContext.default()  # one per run: survives switching files
        self._first_run = first_run  # offer the assistant on a file without a collectivity
        self._ws = workspace
        self.open_store = open_store
        self.settings = settings if settings is not None else QSettings(APP_TITLE, APP_TITLE)
        self._send_context.set_proxy(saved_proxy(self.settings))
        self._closed = False
        self.dossier_is_ready = False  # dossier_ready was emitted (during __init__ when read at start)
        self._offer_when_shown = False  # the first-run assistant waits for the window (MainWindow.showEvent)
        self.runner = TaskRunner(self)
        self.controller: DossierController
        self.view: DossierView
        self.setAccessibleName("Fenêtre principale d'Arobase")
        self.setWindowTitle(APP_TITLE)
        self.resize(self._default_size())
        self.saved_label = QLabel(self)
        self.saved_label.setAccessibleName("État de l'enregistrement")
        self.saved_label.setContentsMargins(4, 0, 16, 0)  # apart from the file path that follows it
        self.path_label = QLabel(self)
        self.path_label.setAccessibleName("Fichier ouvert")
        self.path_label.setContentsMargins(4, 0, 0, 0)
        self.statusBar().setAccessibleName("Barre d'état")
        self.statusBar().addPermanentWidget(self.saved_label)
        self.statusBar().addWidget(self.path_label, 1)  # not permanent: a message takes its place for a while
        self._summary_timer = QTimer(self)  # edits come in bursts: one summary update after the last
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(300)
        self._summary_timer.timeout.connect(self.refresh)
        self._build_menus()
        self._install(workspace)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # ------------------------------------------------------------------ building

    def _default_size(self) -> QSize:
        free = self.screen().availableGeometry()
        return QSize(
            min(DEFAULT_SIZE.width(), free.width()),
            min(DEFAULT_SIZE.height(), free.height() - TITLE_BAR_ALLOWANCE),
        )

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&Fichier")
        self.new_action = menu_action(
            self,
            "&Nouveau fichier…",
            lambda: self.files.choose_new_store(),
            NEW_FILE_SHORTCUT,  # Ctrl+N is "Nouvelle action", the everyday one (Édition menu)
            "Créer un fichier pour une autre collectivité",
        )
        self.open_action = menu_action(
            self,
            "&Ouvrir…",
            lambda: self.files.choose_store(),
            QKeySequence.StandardKey.Open,
            "Ouvrir un autre fichier Arobase (.sqlite)",
        )
        self.recent_menu = menu.addMenu("Fichiers &récents")
        self.files = WindowFiles(self, self.recent_menu)
        self.restore_action = menu_action(
            self,
            "Restaurer une &sauvegarde…",
            self.restore_backup,
            tip="Remettre le fichier dans l'état d'une de ses sauvegardes automatiques",
        )
        self.contributions_action = menu_action(
            self,
            "Importer des &fiches d'autres personnes…",
            self.import_contributions,
            tip="Ajouter des fiches actions reçues d'un enseignant, d'une association…",
        )
        self.new_edition_action = menu_action(
            self,
            "Commencer une nouvelle é&dition…",
            self.start_new_edition,
            tip="Reprendre les actions de l'édition précédente",
        )
        self.export_action = menu_action(
            self, "&Exporter le dossier…", self.export_dossier, tip="Enregistrer le dossier dans un fichier .json"
        )
        self.preview_action = menu_action(
            self, "&Aperçu avant impression…", self.print_preview, tip="Voir le dossier tel qu'il sera imprimé"
        )
        self.print_action = menu_action(
            self,
            "&Imprimer…",
            self.print_dossier,
            QKeySequence.StandardKey.Print,
            "Imprimer le dossier pour le conseil",
        )
        self.pdf_action = menu_action(self, "Enregistrer en &PDF…", self.save_pdf, tip="Écrire le dossier en PDF")
        self.blank_action = menu_action(
            self,
            "Imprimer le questionnaire &vierge…",
            self.print_blank_questionnaire,
            tip="Le questionnaire de l'édition, à imprimer et à remplir à la main",
        )
        self.network_action = menu_action(
            self,
            "Ré&glages réseau…",
            self.edit_network_settings,
            tip="Le proxy de la mairie, si les réglages du système ne le donnent pas",
        )
        self.quit_action = menu_action(self, "&Quitter", self.close, "Ctrl+Q", "Fermer Arobase")
        for item in (self.new_action, self.open_action):
            menu.addAction(item)
        menu.addMenu(self.recent_menu)
        menu.addAction(self.restore_action)
        menu.addSeparator()
        self.editions_check = EditionsCheck(self)  # its menu entry, the Envoi page's button, after a sign-in
        file_actions = (self.contributions_action, self.new_edition_action, self.editions_check.action)
        for item in (*file_actions, self.export_action):
            menu.addAction(item)
        menu.addSeparator()
        for item in (self.preview_action, self.print_action, self.pdf_action, self.blank_action):
            menu.addAction(item)
        menu.addSeparator()
        menu.addAction(self.network_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        edit = self.menuBar().addMenu("&Édition")
        self.new_action_action = menu_action(
            self, "&Nouvelle action", self.new_dossier_action, QKeySequence.StandardKey.New, "Créer une fiche action"
        )
        self.undo_action = menu_action(self, "&Annuler la suppression", self.undo_delete, QKeySequence.StandardKey.Undo)
        self.undo_action.setEnabled(False)
        edit.addAction(self.new_action_action)
        edit.addAction(self.undo_action)
        self.go_menu = self.menuBar().addMenu("&Aller à")
        self.help = HelpMenu(self)

    def _fill_go_menu(self) -> None:
        """Pages, then each theme of the open dossier's edition with its sub-themes (rebuilt per store)."""
        self.go_menu.clear()
        pages = dict(GO_PAGES)
        self._go_entry(self.go_menu, pages["profile"], "profile")
        self.epci_go_action = self._go_entry(self.go_menu, pages["epci"], "epci")
        self.go_menu.addSeparator()
        for theme in self.controller.edition.themes:
            title = _menu_text(theme.title)
            sub = self.go_menu.addMenu(title)  # its sub-themes: a theme has no page of its own
            for st in theme.subthemes:
                self._go_entry(sub, _menu_text(st.title), f"subtheme:{st.id}")
        self.go_menu.addSeparator()
        for target in ("actions", "mosaic", "dossier", "send"):
            self._go_entry(self.go_menu, pages[target], target)

    def _go_entry(self, menu: QMenu, text: str, target: str) -> QAction:
        action = menu.addAction(text)
        key = GO_SHORTCUTS.get(target)
        if key:
            action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _checked=False, t=target: self.view.navigate(t))
        return action

    def _install(self, ws: Workspace) -> None:
        """Build the controller and the pages for ``ws``, replacing those of a previous store."""
        old_view = getattr(self, "view", None)
        # Read before any page is shown: showing one records it as the last page.
        self._start_target: str | None = str(self.settings.value("window/page", DEFAULT_TARGET) or DEFAULT_TARGET)
        self.controller = DossierController(ws, self.runner, parent=self)
        self.view = DossierView(
            self.controller, self.runner, ws.clock, self, settings=self.settings, send_context=self._send_context
        )
        self.setCentralWidget(self.view)
        if old_view is not None:
            old_view.shutdown()
            old_view.deleteLater()
        self.summary = self.view.summary
        self.controller.saved.connect(self._saved)
        self.controller.save_failed.connect(self._save_failed)
        self.controller.undo_available.connect(self.undo_action.setEnabled)
        self.controller.state_changed.connect(self._update_edit_actions)
        self.controller.loaded.connect(self._update_edit_actions)
        self.controller.profile_changed.connect(self._update_edit_actions)
        self._fill_go_menu()
        self.controller.loaded.connect(self._dossier_loaded)
        self.controller.profile_changed.connect(self._update_title)
        self.controller.load_failed.connect(self._load_failed)
        for signal in (self.controller.loaded, *self.controller.content_signals(), self.controller.state_changed):
            signal.connect(self._summary_timer.start)
        self.path_label.setText(str(ws.path))
        self.saved_label.clear()
        self.files.remember(ws.path)
        self.view.page_changed.connect(lambda target: self.settings.setValue("window/page", target))
        self.view.page_built.connect(self._page_built)
        self.view.next_steps.dismissed.connect(self._next_steps_dismissed)
        self.controller.load()

    def _dossier_loaded(self) -> None:
        state = self.settings.value("window/dossier_splitter")
        if state is not None:
            self.view.splitter.restoreState(state)
        if self._start_target is not None:  # the first load only: a reload (a send, a receipt) keeps the page
            if not self.view.navigate(self._start_target):
                self.view.navigate(DEFAULT_TARGET)
            self._start_target = None
        self.view.next_steps.setVisible(self.settings.value(NEXT_STEPS_KEY, False, type=bool))
        self.refresh()
        self.dossier_is_ready = True
        self.dossier_ready.emit()
        if self._first_run and not self.controller.profile.name.strip() and not self.controller.read_only:
            self._first_run = False  # once per window: "Plus tard" means the next start
            if self.isVisible():
                self.offer_first_run()
            else:  # loaded while the window was built (read at start): over the window, once it shows
                self._offer_when_shown = True

    def when_dossier_ready(self, work: Callable[[], None]) -> None:
        """``work`` on the turn of the event loop after the pages first hold the dossier, even when they
        already did as the window was built (a dossier read at start, ``DossierController.load``)."""
        if self.dossier_is_ready:
            QTimer.singleShot(0, work)
        else:
            self.dossier_ready.connect(lambda: QTimer.singleShot(0, work), Qt.ConnectionType.SingleShotConnection)

    def _page_built(self, name: str) -> None:
        """Pages are built on first visit (``DossierView.page``): the actions page gets its splitter back then."""
        if name == "actions":
            state = self.settings.value("window/actions_splitter")
            if state is not None:
                self.view.actions_page.splitter.restoreState(state)
        elif name == "send":  # its « Vérifier les nouvelles éditions » button and its sign-ins
            self.editions_check.attach(self.view.send_page)

    def offer_first_run(self) -> None:
        """The first-run assistant; once done, the profile page with « Et maintenant ? » above it."""
        from ui.dialogs.first_run_dialog import FirstRunDialog

        self.first_run_dialog = FirstRunDialog(
            self.controller, self.runner, self.settings, self.view.profile_page.apply_place, self
        )
        self.first_run_dialog.accepted.connect(self._first_run_done)
        self.first_run_dialog.open()

    def _first_run_done(self) -> None:
        self.settings.setValue(NEXT_STEPS_KEY, True)
        self.view.next_steps.show()
        self.view.navigate(DEFAULT_TARGET)
        self.activateWindow()

    def _next_steps_dismissed(self) -> None:
        self.settings.setValue(NEXT_STEPS_KEY, False)

    @property
    def workspace(self) -> Workspace:
        return self._ws

    # ------------------------------------------------------------------ status

    def refresh(self) -> None:
        """Show the summary figures, computed from the dossier in memory (no store read)."""
        self.summary.show_status(self.controller.status())
        self._update_title()
        self.status_shown.emit()

    def _load_failed(self, message: str) -> None:
        self.summary.show_error(message)
        self.status_shown.emit()

    def _update_title(self) -> None:
        name = self.controller.profile.name.strip() if hasattr(self, "controller") else ""
        self.setWindowTitle(f"{APP_TITLE} — {name or NEW_COLLECTIVITY}")

    def _saved(self, when: datetime) -> None:
        local = when.replace(tzinfo=UTC).astimezone() if when.tzinfo is None else when.astimezone()
        self.saved_label.setText(f"Enregistré à {local:%H:%M}")

    def _save_failed(self, message: str) -> None:
        self.saved_label.setText("Non enregistré")
        self.statusBar().showMessage(f"Non enregistré : {message}")

    def _update_edit_actions(self) -> None:
        self.new_action_action.setEnabled(not self.controller.read_only)
        self.epci_go_action.setVisible(self.controller.profile.kind == "epci")  # as in the navigation panel

    def new_dossier_action(self) -> None:
        """Édition › Nouvelle action (Ctrl+N): a new fiche on the actions page, its title focused."""
        if not self.controller.read_only:
            self.view.navigate("actions")
            self.view.actions_page.new_action()

    def undo_delete(self) -> None:
        if self.controller.undo_delete():
            self.view.navigate("actions")

    # ------------------------------------------------------------------ files

    def open_store_file(self, path: Path) -> None:
        """Open ``path`` in the background; the current store stays open until the new one is ready."""
        self.files.open(path)

    def switch_to(self, workspace: Workspace) -> None:
        self.statusBar().clearMessage()
        old, self._ws = self._ws, workspace
        self.runner.run(old.close)  # queued after any job still writing to the old store
        self._install(workspace)

    def edit_network_settings(self) -> None:
        from ui.dialogs.network_dialog import edit_network_settings

        edit_network_settings(self, self.settings, self._send_context)

    def restore_backup(self) -> None:
        from ui.dialogs.restore_dialog import open_restore_dialog

        open_restore_dialog(self, self.controller, self.runner, self.open_store, self.switch_to)

    def export_dossier(self) -> None:
        from ui.dialogs.export import export_dossier

        export_dossier(self, self.controller, self.runner)

    def print_preview(self) -> None:
        from ui.dialogs.print_preview import open_print_preview

        self.controller.save_pending()
        open_print_preview(self, self.controller, self.runner, self._send_context.public_keys)

    def print_dossier(self) -> None:
        from ui.dialogs.print_preview import print_dossier

        self.controller.save_pending()
        print_dossier(self, self.controller, self.runner, self._send_context.public_keys)

    def save_pdf(self) -> None:
        from ui.dialogs.print_preview import save_dossier_pdf

        self.controller.save_pending()
        save_dossier_pdf(self, self.controller, self.runner, self._send_context.public_keys)

    def print_blank_questionnaire(self) -> None:
        from ui.dialogs.print_preview import open_blank_questionnaire

        open_blank_questionnaire(self, self.controller, self.runner)

    def import_contributions(self) -> None:
        from ui.dialogs.contributions_dialog import open_contributions_dialog

        open_contributions_dialog(self, self.controller, self.runner)

    def start_new_edition(self) -> None:
        from ui.dialogs.new_edition_dialog import open_new_edition_dialog

        open_new_edition_dialog(self, self.controller, self.runner, self.open_store_file)

    # ------------------------------------------------------------------ closing

    def shutdown(self) -> None:
        """Write what is left, wait for running work, close the store; safe to call twice.

        Closing through ``closeEvent`` has already written everything or let the user choose; here a
        last attempt is made for the paths that end without a close event.
        """
        if self._closed:
            return
        self._closed = True
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/dossier_splitter", self.view.splitter.saveState())
        if "actions" in self.view.built_pages():  # else its splitter was not moved: nothing to keep
            self.settings.setValue("window/actions_splitter", self.view.actions_page.splitter.saveState())
        self.settings.sync()
        self.view.shutdown()  # a send in progress is cancelled, not waited for
        self.controller.save_pending()
        self.runner.shutdown()  # every job done, every outcome delivered
        try:
            self.controller.flush_now()
        finally:
            self._ws.close()

    def save_before_closing(self) -> bool:
        """Write everything typed; if it cannot be, ask: retry, export from memory, quit anyway, or stay."""
        from ui.dialogs.unsaved_dialog import Choice, ask_unsaved, export_from_memory

        self.statusBar().showMessage("Enregistrement des dernières modifications…")
        self.statusBar().repaint()  # the wait below may last the store's busy timeout
        self.controller.save_pending()
        self.runner.drain()
        self.statusBar().clearMessage()
        if not self.controller.has_pending() and not self.controller.last_error:
            return True
        while True:
            choice = ask_unsaved(self, self.controller.last_error)
            if choice is Choice.STAY:
                self._save_failed(self.controller.last_error)
                return False
            if choice is Choice.QUIT:
                return True
            if choice is Choice.EXPORT and export_from_memory(self, self.controller) is not None:
                return True
            if choice is Choice.RETRY and self.controller.flush_now():
                return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._offer_when_shown:
            self._offer_when_shown = False
            QTimer.singleShot(0, self.offer_first_run)

    def closeEvent(self, event: QCloseEvent) -> None:
        if "send" in self.view.built_pages():  # without a question: the next send resumes where this one stopped
            self.view.send_page.cancel_send()
        if not self._closed and not self.save_before_closing():
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)
