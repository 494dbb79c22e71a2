"""Fichier › Nouveau fichier…, Ouvrir…, Fichiers récents: switching the window to another store file.

The new file opens in the background and the current one stays open until it is ready; a damaged file
is offered its latest good backup, as at start. The recent files are the window's settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import StoreDamaged
from ui.excepthook import expected_message, report_exception
from ui.file_dialogs import STORE_FILTER, store_folder
from ui.qt import QMenu

if TYPE_CHECKING:
    from app.backups import BackupInfo
    from ui.main_window import MainWindow


MAX_RECENT = 8
RECENT_KEY = "files/recent"


class WindowFiles:
    """The window's file entries; ``switch_to`` installs an opened workspace in the window."""

    def __init__(self, window: MainWindow, recent_menu: QMenu) -> None:
        self.window = window
        self.recent_menu = recent_menu

    def _folder(self) -> str:
        return str(store_folder(self.window.workspace.path))

    def choose_store(self) -> None:
        from ui.qt import QFileDialog  # its type is made on first use (1 ms): not at every start

        name, _ = QFileDialog.getOpenFileName(self.window, "Ouvrir un fichier Arobase", self._folder(), STORE_FILTER)
        if name:
            self.open(Path(name))

    def choose_new_store(self) -> None:
        from ui.qt import QFileDialog

        name, _ = QFileDialog.getSaveFileName(self.window, "Nouveau fichier Arobase", self._folder(), STORE_FILTER)
        if name:
            self.open(Path(name) if Path(name).suffix else Path(name).with_suffix(".sqlite"))

    def open(self, path: Path) -> None:
        """Open ``path`` in the background; the current store stays open until the new one is ready."""
        w = self.window
        w.controller.save_pending()
        w.statusBar().showMessage(f"Ouverture de {path}…")
        w.runner.run(lambda: w.open_store(path), w.switch_to, self.open_failed, owner=w)

    def open_failed(self, exc: BaseException) -> None:
        self.window.statusBar().clearMessage()
        message = expected_message(exc)
        if message is None:
            report_exception(exc)
            return
        if isinstance(exc, StoreDamaged):  # as at start: offer its latest good backup, if it has one
            from app.backups import latest_good_backup

            self.window.runner.run(
                lambda: latest_good_backup(exc.path),
                lambda backup: self._offer_backup(exc, backup, message),
                lambda _e: self._refused(message),
                owner=self.window,
            )
            return
        self._refused(message)

    def _refused(self, message: str) -> None:
        from ui.messages import show_warning

        show_warning(self.window, f"{message}\n\nLe fichier actuellement ouvert reste ouvert.")
        self.window.store_open_failed.emit(message)

    def _offer_backup(self, exc: StoreDamaged, backup: BackupInfo | None, message: str) -> None:
        from app.backups import damaged_text, restore_backup
        from ui.messages import ask_question

        if backup is None:
            self._refused(message)
            return
        w = self.window

        def restore() -> None:
            w.runner.run(lambda: restore_backup(exc.path, backup), lambda _r: self.open(exc.path), self.open_failed,
                         owner=w)  # fmt: skip

        ask_question(
            w,
            "Fichier endommagé",
            f"{damaged_text(exc, backup)}\n\nRestaurer cette sauvegarde\u00a0? Le fichier actuellement ouvert "
            "reste ouvert tant que vous n'avez pas choisi.",
            "&Restaurer la sauvegarde",
            restore,
            on_no=lambda: w.store_open_failed.emit(message),
            yes_is_default=True,
        )

    def recent(self) -> list[str]:
        value = self.window.settings.value(RECENT_KEY, [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(v) for v in items if v]

    def remember(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent() if p != str(path)]
        self.window.settings.setValue(RECENT_KEY, items[:MAX_RECENT])
        self.update_recent_menu()

    def update_recent_menu(self) -> None:
        self.recent_menu.clear()
        current = str(self.window.workspace.path)
        for item in self.recent():
            if item != current:
                action = self.recent_menu.addAction(item)
                action.triggered.connect(lambda _checked=False, p=item: self.open(Path(p)))
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))
