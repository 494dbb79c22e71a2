"""The dossier as a whole: the completeness check, validation, and the frozen revisions.

Each problem of the check is a line that jumps to its field. "Valider le dossier" freezes the current
revision (its SHA-256 is shown); a validated dossier is read-only until "Modifier (nouvelle révision)",
which leaves the validated version as it is and starts the next revision as a draft.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from app.checks import Problem
from app.formats import plural, short_fingerprint
from app.model import STATE_LABELS, SnapshotInfo
from ui.dossier_controller import DossierController
from ui.excepthook import failure_message
from ui.messages import ask_question
from ui.qt import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QMessageBox,
    QModelIndex,
    QPushButton,
    QStandardItem,
    QStandardItemModel,
    QStyle,
    Qt,
    QTimer,
    QTreeView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import TaskRunner

FIELD_ROLE = Qt.ItemDataRole.UserRole + 1
BLOCKING_ROLE = Qt.ItemDataRole.UserRole + 2
PROBLEMS_DELAY_MS = 300
SNAPSHOT_COLUMNS = ("Révision", "Validée le", "Code de la version", "Envoyée le", "Accusé de réception")
FINGERPRINT_EXPLAINED = (
    "Ce code identifie exactement cette version (c'est le début de son empreinte SHA-256) : on le retrouve "
    "au pied de chaque page imprimée et sur le dossier reçu par l'association."
)
VALIDATE_QUESTION = (
    "Valider fige le dossier tel qu'il est maintenant (révision {revision}) : c'est cette version qui sera "
    "imprimée pour le conseil et envoyée à l'association. Une fois validé, le dossier n'est plus modifiable.\n\n"
    "Vous pourrez encore le changer ensuite : « Modifier (nouvelle révision) » ouvre une révision {next} en "
    "brouillon, et la version validée reste telle quelle.\n\n"
    "Valider la révision {revision} ?"
)

REOPEN_QUESTION = (
    "Modifier le dossier ouvre la révision {next} en brouillon.\n\n"
    "La version validée (révision {current}) reste telle quelle, avec son empreinte : elle n'est ni "
    "effacée ni modifiée. Il faudra valider de nouveau la révision {next} avant de l'envoyer.\n\n"
    "Ouvrir la révision {next} ?"
)


FROZEN_SUMMARY = (
    "Rien à régler dans cette révision : elle est validée et ne change plus. Pour corriger le dossier, "
    "choisissez « Modifier (nouvelle révision) » ; la liste des problèmes reviendra avec le brouillon."
)


def problem_text(problem: Problem) -> str:
    return f"{'Bloquant' if problem.blocking else 'Conseil'} — {problem.message}"


def local_time(iso: str | None) -> str:
    """ "2026-11-23T10:30:00Z" → "23/11/2026 à 11:30" (local time); "" when absent."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%d/%m/%Y à %H:%M")


class DossierPage(QWidget):
    navigate_requested = Signal(str)
    problems_shown = Signal()  # the list was recomputed (after the debounce)
    snapshots_shown = Signal()  # the list of frozen revisions was read from the store
    validated = Signal(object)  # SnapshotInfo
    validation_failed = Signal(str)  # French sentence

    def __init__(self, controller: DossierController, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self.problems: list[Problem] = []
        self.snapshots: list[SnapshotInfo] = []
        self.confirm_box: QMessageBox | None = None
        self._busy = False
        self._reopening = False
        self._filled = False
        self.setAccessibleName("Dossier : vérification et validation")

        title = QLabel(f"Dossier de l'édition {controller.edition.id}", self)
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        self.state_label = QLabel(self)
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setAccessibleName("État du dossier")
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # ---- completeness check
        self.summary_label = QLabel(self)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("Résumé de la vérification")
        self.problems_label = QLabel("&Problèmes à régler (Entrée pour aller au champ) :", self)
        self.problem_model = QStandardItemModel(self)
        self.problem_view = QListView(self)
        self.problem_view.setObjectName("dossierProblems")
        self.problem_view.setAccessibleName("Problèmes à régler")
        self.problem_view.setAccessibleDescription(
            "Les problèmes bloquants d'abord, puis les conseils. Entrée ou un double-clic va au champ concerné."
        )
        self.problem_view.setModel(self.problem_model)
        self.problem_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_view.setWordWrap(True)
        self.problem_view.setAlternatingRowColors(True)
        self.problem_view.activated.connect(self._problem_activated)
        self.problems_label.setBuddy(self.problem_view)

        # ---- validation
        self.validate_button = QPushButton("&Valider le dossier", self)
        self.validate_button.setAccessibleName("Valider le dossier")
        self.validate_button.clicked.connect(self.validate)
        self.validate_reason = QLabel(self)
        self.validate_reason.setTextFormat(Qt.TextFormat.PlainText)
        self.validate_reason.setWordWrap(True)
        self.validate_reason.setAccessibleName("Pourquoi la validation est possible ou non")
        self.result_label = QLabel(self)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("Résultat de la validation")
        self.result_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.reopen_button = QPushButton("&Modifier (nouvelle révision)", self)
        self.reopen_button.setAccessibleName("Modifier le dossier : ouvrir une nouvelle révision")
        self.reopen_button.clicked.connect(self.ask_reopen)

        # ---- frozen revisions
        self.snapshots_box = QGroupBox("Versions validées", self)
        self.snapshots_box.setAccessibleName("Versions validées")
        self.snapshot_model = QStandardItemModel(0, len(SNAPSHOT_COLUMNS), self)
        self.snapshot_model.setHorizontalHeaderLabels(list(SNAPSHOT_COLUMNS))
        self.snapshots_label = QLabel("&Révisions figées :", self.snapshots_box)
        self.snapshot_view = QTreeView(self.snapshots_box)
        self.snapshot_view.setObjectName("dossierSnapshots")
        self.snapshot_view.setAccessibleName("Révisions validées, avec leur empreinte")
        self.snapshot_view.setModel(self.snapshot_model)
        self.snapshot_view.setRootIsDecorated(False)
        self.snapshot_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.snapshot_view.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.snapshots_label.setBuddy(self.snapshot_view)
        self.no_snapshot_label = QLabel("Aucune version validée pour l'instant.", self.snapshots_box)
        self.no_snapshot_label.setTextFormat(Qt.TextFormat.PlainText)
        box_layout = QVBoxLayout(self.snapshots_box)
        box_layout.addWidget(self.snapshots_label)
        box_layout.addWidget(self.no_snapshot_label)
        box_layout.addWidget(self.snapshot_view)
        self.snapshots_label.setVisible(False)
        self.snapshot_view.setVisible(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.validate_button)
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.state_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.problem_view, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.validate_reason)
        layout.addWidget(self.result_label)
        layout.addWidget(self.snapshots_box)
        layout.addStretch(0)  # takes the room left when neither list is shown

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PROBLEMS_DELAY_MS)
        self._timer.timeout.connect(self.refresh_problems)
        for signal in controller.content_signals():
            signal.connect(self._schedule)
        controller.state_changed.connect(self._state_changed)
        controller.save_failed.connect(self._reopen_failed)
        self._show_state()
        self.refresh_problems()

    # ------------------------------------------------------------------ page protocol

    def refresh(self) -> None:
        """Everything again: the dossier was (re)loaded."""
        self.result_label.clear()
        self.result_label.setToolTip("")
        self._show_state()
        self.refresh_problems()
        self.load_snapshots()

    def focus_field(self, field: str) -> bool:
        if field != "dossier":
            return False
        target = self.reopen_button if self.controller.read_only else self.problem_view
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # ------------------------------------------------------------------ problems

    def _schedule(self, *_args: object) -> None:
        self._timer.start()

    def refresh_problems(self) -> None:
        self._timer.stop()
        problems = self.controller.problems()
        if not self._filled or problems != self.problems:
            self._fill_problems(problems)
        self._update_buttons()
        self.problems_shown.emit()

    def _fill_problems(self, problems: list[Problem]) -> None:
        self.problems = problems
        self._filled = True
        row = self.problem_view.currentIndex().row()
        style = self.style()
        critical = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        advice = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        self.problem_model.clear()
        for p in self.problems:
            item = QStandardItem(critical if p.blocking else advice, problem_text(p))
            item.setEditable(False)
            item.setData(p.field, FIELD_ROLE)
            item.setData(p.blocking, BLOCKING_ROLE)
            item.setToolTip(p.message)
            self.problem_model.appendRow(item)
        n_block = self.blocking_count
        n_advice = len(self.problems) - n_block
        # A frozen revision cannot be fixed: listing what to fix would send the user to read-only fields.
        listed = bool(self.problems) and not self.controller.read_only
        if self.controller.read_only:
            summary = FROZEN_SUMMARY
        elif not self.problems:
            summary = "Aucun problème : le dossier est complet."
        else:
            summary = f"{plural(n_block, 'problème bloquant')}, {plural(n_advice, 'conseil')}."
        self.summary_label.setText(summary)
        self.problem_view.setVisible(listed)
        self.problems_label.setVisible(listed)
        if row >= 0 and self.problems:  # keep the keyboard cursor about where it was
            self.problem_view.setCurrentIndex(self.problem_index(min(row, len(self.problems) - 1)))

    @property
    def blocking_count(self) -> int:
        return sum(1 for p in self.problems if p.blocking)

    def problem_index(self, row: int) -> QModelIndex:
        return self.problem_model.index(row, 0)

    def _problem_activated(self, index: QModelIndex) -> None:
        field = index.data(FIELD_ROLE)
        if field:
            self.navigate_requested.emit(f"field:{field}")

    # ------------------------------------------------------------------ state

    def _state_changed(self) -> None:
        self._show_state()
        self._filled = False  # the same problems are listed, or not, as the dossier is frozen or not
        self.refresh_problems()
        self.load_snapshots()

    def _show_state(self) -> None:
        d = self.controller.dossier
        text = f"État : {STATE_LABELS[d.state]}, révision {d.revision}."
        if self.controller.read_only:
            text += (
                " Le dossier validé est figé : il ne peut plus être modifié. Pour le changer, choisissez "
                "« Modifier (nouvelle révision) » ; la version validée restera telle quelle."
            )
        self.state_label.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        read_only = self.controller.read_only
        n_block = self.blocking_count
        self.validate_button.setVisible(not read_only)
        self.reopen_button.setVisible(read_only)
        self.reopen_button.setEnabled(read_only and not self._busy)
        self.validate_button.setEnabled(not read_only and not self._busy and n_block == 0)
        if read_only:
            reason = ""
        elif self._busy:
            reason = "Validation en cours…"
        elif n_block:
            reason = (
                f"Validation impossible : {plural(n_block, 'problème bloquant')} à régler "
                f"({'le premier' if n_block > 1 else 'il'} est en tête de la liste ci-dessus)."
            )
        else:
            reason = "Le dossier peut être validé : sa version actuelle sera figée, avec un code qui l’identifie."
        self.validate_reason.setText(reason)
        self.validate_reason.setVisible(bool(reason))
        self.validate_button.setAccessibleDescription(reason)

    # ------------------------------------------------------------------ validating and reopening

    def validate(self) -> QMessageBox | None:
        """ "Valider le dossier": say in plain words what it means, then validate if the user agrees."""
        if self.controller.read_only or self._busy:
            return None
        self.refresh_problems()  # the latest edits, not the ones of 300 ms ago
        if self.blocking_count:
            return None
        revision = self.controller.dossier.revision
        return self._confirm(
            "Valider le dossier",
            VALIDATE_QUESTION.format(revision=revision, next=revision + 1),
            f"Valider la révision {revision}",
            self.validate_now,
        )

    def _confirm(self, title: str, text: str, yes_text: str, then: Callable[[], None]) -> QMessageBox:
        """A question whose safe answer ("Annuler") is the default; ``then`` runs on the other one."""
        self.confirm_box = ask_question(self, title, text, yes_text, then)
        return self.confirm_box

    def validate_now(self) -> None:
        """Validate without asking (the user said yes); refused while read-only or blocked."""
        if self.controller.read_only or self._busy:
            return
        self.refresh_problems()
        if self.blocking_count:
            return
        self._busy = True
        self.result_label.clear()
        self.result_label.setToolTip("")
        self._update_buttons()
        self.controller.validate(self._validated, self._validation_failed)

    def _validated(self, snapshot: SnapshotInfo) -> None:
        self._busy = False
        self._show_result("Dossier validé", snapshot)
        self._show_state()  # the list of frozen revisions follows state_changed
        self.validated.emit(snapshot)

    def _show_result(self, what: str, snapshot: SnapshotInfo) -> None:
        self.result_label.setText(
            f"{what} : révision {snapshot.revision}, le {local_time(snapshot.validated_at)}.\n"
            f"Code de la version validée : {short_fingerprint(snapshot.sha256)}\n{FINGERPRINT_EXPLAINED}"
        )
        self.result_label.setToolTip(f"Empreinte SHA-256 complète : {snapshot.sha256}")

    def _validation_failed(self, exc: BaseException) -> None:
        self._busy = False
        message = failure_message(exc, "La validation a échoué à cause d'une erreur inattendue.")
        self.result_label.setText(message)
        self.refresh_problems()
        self.validation_failed.emit(message)

    def ask_reopen(self) -> QMessageBox | None:
        """Explain that the validated version stays, then open the next revision if the user agrees."""
        if not self.controller.read_only or self._busy:
            return None
        revision = self.controller.dossier.revision
        return self._confirm(
            "Modifier le dossier validé",
            REOPEN_QUESTION.format(current=revision, next=revision + 1),
            f"Ouvrir la révision {revision + 1}",
            self.reopen,
        )

    def reopen(self) -> None:
        self._busy = self._reopening = True
        self._update_buttons()

        def done() -> None:
            self._busy = self._reopening = False
            self.result_label.setText(
                f"Révision {self.controller.dossier.revision} ouverte : le dossier est de nouveau modifiable. "
                "La version validée précédente reste telle quelle."
            )
            self._show_state()

        self.controller.reopen(done)

    def _reopen_failed(self, message: str) -> None:
        """``controller.reopen`` reports its failure through ``save_failed`` (it takes no failure callback)."""
        if self._reopening:
            self._busy = self._reopening = False
            self.result_label.setText(message)
            self._show_state()

    # ------------------------------------------------------------------ frozen revisions

    def load_snapshots(self) -> None:
        ws, edition_id = self.controller.ws, self.controller.edition.id
        self.runner.run(lambda: ws.snapshots(edition_id), self._show_snapshots, self._snapshots_failed, owner=self)

    def _show_snapshots(self, snapshots: list[SnapshotInfo]) -> None:
        self.snapshots = list(snapshots)
        self.snapshot_model.removeRows(0, self.snapshot_model.rowCount())
        for snap in sorted(self.snapshots, key=lambda s: s.revision, reverse=True):
            cells = [
                str(snap.revision),
                local_time(snap.validated_at),
                short_fingerprint(snap.sha256),
                local_time(snap.sent_at) or "non envoyée",
                snap.receipt_id or "—",
            ]
            row = []
            for text in cells:
                item = QStandardItem(text)
                item.setEditable(False)
                item.setToolTip(f"Empreinte SHA-256 complète : {snap.sha256}")
                row.append(item)
            self.snapshot_model.appendRow(row)
        self.snapshot_view.setVisible(bool(self.snapshots))
        self.snapshots_label.setVisible(bool(self.snapshots))
        self.no_snapshot_label.setVisible(not self.snapshots)
        self._layout.setStretchFactor(self.snapshots_box, 1 if self.snapshots else 0)
        d = self.controller.dossier
        current = next((x for x in self.snapshots if x.revision == d.revision), None)
        if self.controller.read_only and current is not None and not self.result_label.text():
            self._show_result("Version validée", current)
        self.snapshots_shown.emit()

    def _snapshots_failed(self, exc: BaseException) -> None:
        message = failure_message(exc, "La liste des versions validées n'a pas pu être lue.")
        self.no_snapshot_label.setText(message)
        self.no_snapshot_label.setVisible(True)
        self.snapshot_view.setVisible(False)
