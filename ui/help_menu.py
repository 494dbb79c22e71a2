"""The Aide menu: the user's guide (F1), À propos, and the logs folder to send to the helpdesk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.menu_actions import menu_action
from ui.qt import QDesktopServices, QKeySequence, QUrl, is_alive

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class HelpMenu:
    """Built once per window; the dialogs it opens are kept so that F1 again shows the same guide."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.menu = window.menuBar().addMenu("Ai&de")
        self.guide_action = menu_action(
            window, "&Guide d'utilisation", self.open_guide, QKeySequence.StandardKey.HelpContents, "Le mode d'emploi"
        )
        self.about_action = menu_action(
            window, "À &propos d'Arobase", self.open_about, tip="Versions, dossier de données et licence"
        )
        self.logs_action = menu_action(
            window,
            "Ouvrir le dossier des &journaux",
            self.open_log_folder,
            tip="Le dossier des journaux d'Arobase, à transmettre à l'assistance en cas de problème",
        )
        self.menu.addAction(self.guide_action)
        self.menu.addAction(self.about_action)
        self.menu.addSeparator()
        self.menu.addAction(self.logs_action)
        self.guide_dialog = None
        self.about_dialog = None

    def open_guide(self) -> None:
        from ui.dialogs.guide_dialog import open_guide

        guide = self.guide_dialog
        if guide is not None and is_alive(guide) and guide.isVisible():
            guide.activateWindow()  # F1 again: the guide already open, not a second one
            return
        self.guide_dialog = open_guide(self.window)

    def open_about(self) -> None:
        from ui.dialogs.about_dialog import open_about

        edition = self.window.controller.edition
        self.about_dialog = open_about(self.window, f"{edition.id} — {edition.title}", self.window.workspace.path)

    def open_log_folder(self) -> None:
        """The logs folder in the system's file manager (created if need be)."""
        from app.paths import user_log_dir
        from ui.messages import show_warning

        folder = user_log_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            show_warning(self.window, f"Impossible de créer le dossier des journaux {folder}\u00a0: {exc.strerror}.")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            show_warning(
                self.window,
                f"Aucun programme n'a pu ouvrir le dossier des journaux. Ouvrez-le à la main\u00a0: {folder}",
            )
