"""Envoi à l'association: sign in with the activation code, the outbox, « Envoyer » with progress and « Annuler ».

Signing in, out and sending run on the BACKGROUND lane of ``ui/tasks.py`` (docs/sync.md): a send lasts
as long as the line allows and must never hold an autosave back; its few store writes (outbox state,
the receipt with the move to « reçu ») are short transactions that SQLite serialises with the store
lane's. The progress callback runs on the sending thread: it only emits a signal, queued to the GUI
thread. Nothing here keeps the activation code: the field is emptied once used.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from app import account as accounts
from app import outbox
from app.sending import OTHER_COLLECTIVITY
from app.server_address import SETTINGS_KEY, server_url_problem
from ui.auto_send import AutoSender
from ui.dossier_controller import DossierController
from ui.excepthook import expected_message
from ui.models.outbox_model import OutboxModel
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSettings,
    QSizePolicy,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.send_context import SendContext
from ui.tasks import Lane, TaskRunner
from ui.widgets.common import page_heading
from ui.widgets.outbox_files import OutboxFiles

if TYPE_CHECKING:
    from app.account import Account
    from app.sending import CancelFlag, Progress, SendReport

AUTO_KEY = "send/auto"
RETRY_TIP = "Remet en attente l'envoi «\u00a0à vérifier\u00a0» choisi, une fois le problème réglé."
UNEXPECTED = "L'opération n'a pas abouti à cause d'une erreur inattendue\u00a0: réessayez, puis prévenez l'assistance."
NOT_SIGNED_IN = "Connectez-vous d'abord avec le code d'activation reçu par courriel de l'association."
NOT_KEPT = (
    "La connexion n'a pas été gardée depuis la dernière fois (pas de trousseau de mots de passe)\u00a0: pour "
    "envoyer, demandez un nouveau code d'activation à l'association, puis cliquez sur «\u00a0Se connecter\u00a0»."
)
NOTHING_TO_SEND = "Rien à envoyer\u00a0: validez le dossier pour qu'il parte à l'association."


def _message(exc: BaseException) -> str:
    return expected_message(exc) or UNEXPECTED


def _report_text(report: SendReport) -> str:
    from app.outbox import STATE_LABELS

    lines = [report.problem] if report.problem else []
    for o in report.outcomes:
        line = f"Édition {o.edition}, révision {o.revision}\u00a0: {STATE_LABELS.get(o.state, o.state)}"
        if o.receipt_number:
            line += f", accusé de réception n°\u00a0{o.receipt_number}"
        lines.append(line + (f". {o.message}" if o.message else "."))
    if not lines:
        return NOTHING_TO_SEND
    return "\n".join(lines)


class SendPage(QWidget):
    progressed = Signal(str, int, int)  # entry uuid, bytes sent, total: emitted on the sending thread
    send_finished = Signal(object)  # the SendReport, on the GUI thread
    signed_in = Signal()  # a sign-in succeeded: the window checks the editions then
    editions_requested = Signal()  # « Vérifier les nouvelles éditions » (the window's ui/editions_check.py)

    def __init__(
        self, controller: DossierController, runner: TaskRunner, settings: QSettings, context: SendContext,
        summary: QWidget | None = None, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.controller, self.runner, self.settings, self.context = controller, runner, settings, context
        self.account: Account | None = None
        self._flag: CancelFlag | None = None
        self._automatic = False
        self.setAccessibleName("Envoi à l'association")
        heading = page_heading(self, "Envoi à l'association")

        box = QGroupBox("Connexion au serveur de l'association", self)
        form = QFormLayout(box)
        self.server_edit = QLineEdit(str(settings.value(SETTINGS_KEY, "") or context.default_server()), box)
        self.server_edit.setAccessibleName("Adresse du serveur")
        self.code_edit = QLineEdit(box)
        self.code_edit.setAccessibleName("Code d'activation reçu par courriel")
        self.code_edit.setPlaceholderText("le code reçu par courriel, une seule fois")
        self.login_button = QPushButton("Se connecter", box)
        self.logout_button = QPushButton("Se déconnecter", box)
        self.code_edit.returnPressed.connect(self.sign_in)  # Entrée signs in: the buttons' letters are the summary's
        self.login_button.clicked.connect(self.sign_in)
        self.logout_button.clicked.connect(self.sign_out)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_edit, 1)
        code_row.addWidget(self.login_button)
        for text, field, row in (
            ("Adresse du &serveur\u00a0:", self.server_edit, self.server_edit),
            ("Code d'acti&vation\u00a0:", self.code_edit, code_row),
        ):
            label = QLabel(text, box)
            label.setBuddy(field)
            form.addRow(label, row)
        self.account_label = self._label(box, "Compte")
        form.addRow(self.account_label)
        self.editions_button = QPushButton("Vérifier les nouvelles éditions", box)
        self.editions_button.setToolTip("Télécharger les éditions du questionnaire publiées par l'association")
        self.editions_button.clicked.connect(self.editions_requested)
        logout_row = QHBoxLayout()
        logout_row.addWidget(self.editions_button)
        logout_row.addStretch(1)
        logout_row.addWidget(self.logout_button)
        form.addRow(logout_row)
        self.warning_label = self._label(box, "Avertissement")
        self.warning_label.setStyleSheet("color: #8a4b00; font-weight: bold")
        form.addRow(self.warning_label)
        self.login_message = self._label(box, "Message de connexion")
        form.addRow(self.login_message)
        self.editions_label = self._label(box, "Nouvelles éditions")
        self.editions_label.hide()
        form.addRow(self.editions_label)

        sends = QGroupBox("Envois", self)
        self.model = OutboxModel(self)
        self.table = QTableView(sends)
        self.table.setAccessibleName("Envois du dossier")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.setMinimumHeight(110)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.send_button = QPushButton("Envo&yer", sends)
        self.cancel_button = QPushButton("Ann&uler l'envoi", sends)
        self.retry_button = QPushButton("Réessayer", sends)
        self.retry_button.setToolTip(RETRY_TIP)
        self.send_button.clicked.connect(self.send)
        self.cancel_button.clicked.connect(self.cancel_send)
        self.retry_button.clicked.connect(self.retry_selected)
        self.progress = QProgressBar(sends)
        self.progress.setAccessibleName("Progression de l'envoi")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat("%p\u00a0%")
        self.report_label = self._label(sends, "Compte rendu de l'envoi")
        self.auto_check = QCheckBox("Envoyer auto&matiquement dès que la connexion revient", sends)
        buttons = QHBoxLayout()
        for b in (self.send_button, self.cancel_button):
            buttons.addWidget(b)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.retry_button)
        inner = QVBoxLayout(sends)
        inner.addWidget(self.table, 1)
        inner.addLayout(buttons)
        self.files = OutboxFiles(self)
        inner.addWidget(self.files)
        inner.addWidget(self.report_label)
        inner.addWidget(self.auto_check)

        top = QHBoxLayout()
        top.addWidget(box, 3)
        if summary is not None:
            summary.setParent(self)
            for label in summary.findChildren(QLabel):  # a long edition title must not narrow the sign-in box
                if label.buddy() is None and not label.text().endswith(":"):
                    label.setSizePolicy(QSizePolicy.Policy.Ignored, label.sizePolicy().verticalPolicy())
            side = QVBoxLayout()
            side.addWidget(summary)
            side.addStretch(1)
            top.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(top)
        layout.addWidget(sends, 1)

        self.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.auto = AutoSender(self.auto_send_now, self)
        self.auto_check.setChecked(bool(settings.value(AUTO_KEY, False, type=bool)))
        self.auto_check.toggled.connect(self._auto_toggled)
        if self.auto_check.isChecked():
            self.auto.set_enabled(True)
        controller.state_changed.connect(self.refresh)
        controller.profile_changed.connect(self._show_account)  # the collectivity code may change
        self.refresh()

    def _label(self, parent: QWidget, name: str) -> QLabel:
        label = QLabel(parent)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)  # server names and messages are data, never markup
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(name)
        return label

    @property
    def sending(self) -> bool:
        return self._flag is not None

    # ---- what is shown -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the account (a small file) and, on the store lane, the outbox."""
        self.account = accounts.load(self.context.account_path)
        self._show_account()
        if self.account is not None:  # the keyring may answer slowly (D-Bus): off the GUI thread
            secrets, name = self.context.secrets, self.account.secret_name
            self.runner.run(lambda: secrets.get(name) is not None, self._show_kept, owner=self, lane=Lane.BACKGROUND)
        ws = self.controller.ws
        self.runner.run(lambda: outbox.entries(ws), self._show_entries, self._failed_report, owner=self)

    def _show_entries(self, entries: list[outbox.Entry]) -> None:
        self.model.set_entries(entries)
        self.table.resizeRowsToContents()
        self._update_buttons()

    def _show_account(self) -> None:
        a = self.account
        if a is None:
            self.account_label.setText("Non connecté.")
        else:
            member = a.membership.get("member")
            year = a.membership.get("year", "")
            said = "oui" if member else "non"
            editions = ", ".join(str(e.get("id")) for e in a.open_editions) or "aucune"
            self.account_label.setText(
                f"Connecté pour «\u00a0{a.collectivity.get('name', '')}\u00a0» (code {a.code}), sur {a.server}.\n"
                f"Adhésion à l'association pour {year}\u00a0: {said}.\nÉditions ouvertes\u00a0: {editions}."
            )
            theirs = "".join(str(self.controller.profile.code or "").split())
            if theirs and theirs != "".join(a.code.split()):
                self.account_label.setText(
                    self.account_label.text() + "\n" + OTHER_COLLECTIVITY.format(theirs=theirs, mine=a.code)
                )
        warning = self.context.secrets.warning
        self.warning_label.setText(warning or "")
        self.warning_label.setVisible(bool(warning))
        self._update_buttons()

    def _show_kept(self, kept: bool) -> None:
        """Signed in on an earlier run without a keyring: the account is known, its tokens died with that run."""
        if kept or self.account is None or NOT_KEPT in self.account_label.text():
            return
        self.account_label.setText(self.account_label.text() + "\n" + NOT_KEPT)
        self.warning_label.setText(self.context.secrets.warning or "")
        self.warning_label.setVisible(bool(self.context.secrets.warning))

    def _update_buttons(self) -> None:
        signed_in = self.account is not None
        self.logout_button.setEnabled(signed_in and not self.sending)
        self.login_button.setEnabled(not self.sending)
        self.send_button.setEnabled(signed_in and not self.sending)
        self.cancel_button.setEnabled(self.sending)
        self.cancel_button.setVisible(self.sending)
        self.progress.setVisible(self.sending or self.progress.value() > 0)
        entry = self.selected_entry()
        self.retry_button.setEnabled(not self.sending and entry is not None and entry.state == "a_verifier")
        self.files.update_buttons(self.sending)

    def selected_entry(self) -> outbox.Entry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.entry(rows[0].row()) if rows else None

    def _failed_report(self, exc: BaseException) -> None:
        self.report_label.setText(_message(exc))

    # ---- se connecter / se déconnecter ---------------------------------------------------------------
    def sign_in(self) -> None:
        from app.login import login

        url, code = self.server_edit.text().strip(), self.code_edit.text()
        problem = server_url_problem(url)
        if problem:
            self.login_message.setText(problem)
            return
        self.settings.setValue(SETTINGS_KEY, url)  # the address only: never the code
        ctx = self.context
        self.login_button.setEnabled(False)
        self.login_message.setText("Connexion au serveur…")

        def work() -> Account:
            return login(ctx.settings(url), ctx.session(url), ctx.secrets, ctx.account_path, code, server=url)

        self.runner.run(work, self._signed_in, self._sign_in_failed, owner=self, lane=Lane.BACKGROUND)

    def _signed_in(self, account: Account) -> None:
        self.code_edit.clear()
        self.login_message.setText("Connexion réussie.")
        self.refresh()
        self.signed_in.emit()

    def show_editions_message(self, text: str) -> None:
        """What « Vérifier les nouvelles éditions » found (or why it could not look), under the account."""
        self.editions_label.setText(text)
        self.editions_label.setVisible(bool(text))

    def _sign_in_failed(self, exc: BaseException) -> None:
        self.login_message.setText(_message(exc))
        self._update_buttons()

    def sign_out(self) -> None:
        from app.login import logout

        if self.account is None:
            return
        ctx, server = self.context, self.account.server
        self.logout_button.setEnabled(False)

        def work() -> str:
            return logout(ctx.settings(server), ctx.session(server), ctx.secrets, ctx.account_path)

        self.runner.run(work, self._signed_out, self._sign_in_failed, owner=self, lane=Lane.BACKGROUND)

    def _signed_out(self, said: str) -> None:
        self.login_message.setText(said)
        self.refresh()

    # ---- envoyer ---------------------------------------------------------------------------------------
    def send(self, *, automatic: bool = False) -> bool:
        """Start sending every pending entry; False when it cannot start (not signed in, already sending)."""
        from app.sending import CancelFlag, send_pending

        if self.sending:
            return False
        self.refresh()
        account = self.account
        if account is None:
            self.report_label.setText(NOT_SIGNED_IN)
            return False
        ctx, ws, flag = self.context, self.controller.ws, CancelFlag()
        self._flag, self._automatic = flag, automatic
        self.progress.setValue(0)
        if not automatic:
            self.report_label.setText("Envoi en cours…")
        self._update_buttons()

        def work() -> SendReport:
            settings = ctx.settings(account.server)
            return send_pending(ws, account, settings, ctx.session(account.server), ctx.secrets,
                                progress=self._progress_from_thread, cancelled=flag)  # fmt: skip

        self.runner.run(work, self._sent, self._send_failed, owner=self, lane=Lane.BACKGROUND)
        return True

    def _progress_from_thread(self, p: Progress) -> None:
        """On the sending thread: hand over to the GUI thread, touch no widget."""
        with contextlib.suppress(RuntimeError):  # the page is gone while the send ends
            self.progressed.emit(p.entry, p.sent, p.total)

    def _show_progress(self, entry: str, sent: int, total: int) -> None:
        self.progress.setValue(100 if total <= 0 else min(100, round(100 * sent / total)))
        self.model.set_progress(entry, sent)

    def cancel_send(self) -> None:
        """« Annuler l'envoi », and closing: the flag stops the loop, cutting the connections stops a read waiting
        on the line (a send's, or a sign-in's or an editions check's when the window closes)."""
        if self._flag is not None:
            self._flag.cancel()
            self.report_label.setText("Annulation…")
        self.context.abort_connections()

    def _sent(self, report: SendReport) -> None:
        self._flag = None
        if report.all_sent and report.outcomes:
            self.progress.setValue(100)
        if report.outcomes or report.problem or not self._automatic:
            self.report_label.setText(_report_text(report))
        self.auto.sent(report.problem is None and all(o.state != "en_attente" for o in report.outcomes))
        self.refresh()
        if report.outcomes:
            self.controller.load()  # the dossier is « reçu » now: the pages show it, editing starts a revision
        self.send_finished.emit(report)

    def _send_failed(self, exc: BaseException) -> None:
        self._flag = None
        self._update_buttons()
        self.report_label.setText(_message(exc))
        self.auto.sent(False)
        self.refresh()

    def retry_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None or entry.state != "a_verifier":
            return
        ws, uuid = self.controller.ws, entry.submission_uuid
        self.runner.run(lambda: outbox.retry(ws, uuid), lambda _: self.refresh(), self._failed_report, owner=self)

    # ---- envoi automatique ---------------------------------------------------------------------------
    def _auto_toggled(self, on: bool) -> None:
        self.settings.setValue(AUTO_KEY, on)
        self.auto.set_enabled(on)

    def auto_send_now(self) -> bool:
        """The timer's try: never while a field of this dossier waits to be written, nor during a send."""
        if self.sending or self.controller.has_pending() or accounts.load(self.context.account_path) is None:
            return False
        return self.send(automatic=True)

    def shutdown(self, *_: Any) -> None:
        """The window closes: stop the timer and cancel a send, so that closing does not wait for the line."""
        self.auto.set_enabled(False)
        self.cancel_send()
