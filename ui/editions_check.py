"""« Vérifier les nouvelles éditions »: the menu entry, the Envoi page's button, and the check after a sign-in.

The download (``app.editions_update.update_editions``: ETag, SHA-256, schema, written whole into the
user's editions folder) runs on the BACKGROUND lane: a slow line never freezes the window. When an
edition newer than the open dossier's arrived and has no dossier yet, a question offers to start it
with the existing carry-over (Fichier › Commencer une nouvelle édition…); nothing changes unless the
person says yes. What was found, or why it could not look, is one French sentence in the status bar
and on the Envoi page. The window creates one and attaches each Envoi page it builds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.excepthook import expected_message, report_exception
from ui.qt import QAction, QObject, Signal
from ui.tasks import Lane

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.pages.send_page import SendPage
    from ui.qt import QMessageBox

NOT_SIGNED_IN = (
    "Vous n'êtes pas connecté au serveur de l'association\u00a0: saisissez le code d'activation reçu par "
    "courriel puis cliquez sur «\u00a0Se connecter\u00a0», et vérifiez de nouveau."
)
LOOKING = "Recherche de nouvelles éditions du questionnaire…"
UP_TO_DATE = "Aucune nouvelle édition du questionnaire\u00a0: celles de cet ordinateur sont à jour."
UNEXPECTED = "La recherche des éditions n'a pas abouti à cause d'une erreur inattendue\u00a0: réessayez plus tard."
MESSAGE_MS = 20_000


class EditionsCheck(QObject):
    finished = Signal(str)  # the French sentence shown, once the check is over
    offered = Signal(object)  # the question « commencer le dossier ? » (a QMessageBox), shown non-blocking

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.busy = False
        self.action = QAction("Vérifier &les nouvelles éditions", window)
        self.action.setStatusTip("Télécharger les éditions du questionnaire publiées par l'association")
        self.action.triggered.connect(lambda _checked=False: self.check(from_menu=True))

    def attach(self, page: SendPage) -> None:
        """A new Envoi page (each store file gets its own): its button, and its sign-ins."""
        page.editions_requested.connect(self.check)
        page.signed_in.connect(self.check)

    def _say(self, text: str, *, done: bool = True) -> None:
        self.window.statusBar().showMessage(text, MESSAGE_MS)
        self.window.view.send_page.show_editions_message(text)
        if done:
            self.finished.emit(text)

    def check(self, *, from_menu: bool = False) -> None:
        from app import account as accounts  # imported when it checks, not at every start
        from app.editions_update import update_editions

        page = self.window.view.send_page
        ctx = page.context
        account = accounts.load(ctx.account_path)
        if account is None:
            if from_menu:  # show where to sign in
                self.window.view.navigate("send")
                page.code_edit.setFocus()
            self._say(NOT_SIGNED_IN)
            return
        if self.busy:
            return
        self.busy = True
        self._say(LOOKING, done=False)
        folder = ctx.editions_folder()

        def work() -> list[str]:
            server = account.server
            return update_editions(ctx.settings(server), ctx.session(server), ctx.secrets, account,
                                   ctx.account_path, folder)  # fmt: skip

        self.window.runner.run(work, self._found, self._failed, owner=self, lane=Lane.BACKGROUND)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        message = expected_message(exc)
        if message is None:  # a bug: reported (logged, with the usual box), and a plain sentence here
            report_exception(exc)
        self._say(message or UNEXPECTED)

    def _found(self, ids: list[str]) -> None:
        from app.carry_over import newer_editions

        self.busy = False
        if not ids:
            self._say(UP_TO_DATE)
            return
        controller = self.window.controller
        ws, current = controller.ws, controller.edition.id
        newer = [e for e in newer_editions(ws, current) if e in ids]
        if newer:
            self._say(f"Nouvelle édition du questionnaire\u00a0: {', '.join(newer)}.", done=False)
        else:  # the server's copy of an edition this computer has: nothing for the person to do
            which = f"édition {ids[0]} téléchargée" if len(ids) == 1 else f"éditions {', '.join(ids)} téléchargées"
            self._say(f"Le questionnaire est à jour ({which} depuis le serveur de l'association).")
        if newer:  # which of them has no dossier yet: a store read, on the store lane
            self.window.runner.run(lambda: [e for e in newer if not ws.has_dossier(e)],
                                   lambda fresh: self.offer(fresh, current), self._failed, owner=self)  # fmt: skip

    def offer(self, fresh: list[str], current: str) -> QMessageBox | None:
        """Ask (non-blocking) whether to start the first of ``fresh``'s dossiers now; « Plus tard » is the default."""
        if not fresh:
            self.finished.emit(self.window.view.send_page.editions_label.text())
            return None
        from ui.qt import QMessageBox  # the type is made on first use (2 ms): not at every start

        new = fresh[0]
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Nouvelle édition du questionnaire",
            f"L'édition {new} du questionnaire est arrivée.\n\nCommencer maintenant son dossier, en reprenant "
            f"les actions de l'édition {current}\u00a0? Vous choisirez les actions à reprendre\u00a0; le dossier "
            f"{current} ne change pas.",
            QMessageBox.StandardButton.NoButton,
            self.window,
        )
        box.setAccessibleName("Nouvelle édition du questionnaire")
        start = box.addButton(f"&Commencer le dossier {new}…", QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton("&Plus tard", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(later)  # nothing changes without a yes
        box.setEscapeButton(later)

        def answered() -> None:
            if box.clickedButton() is start:
                self.window.start_new_edition()

        box.finished.connect(answered)
        box.finished.connect(box.deleteLater)
        box.open()
        self.offered.emit(box)
        self.finished.emit(f"L'édition {new} du questionnaire est arrivée.")
        return box
