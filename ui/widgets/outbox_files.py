"""The Envoi page's files: a bundle for another computer, the receipt it brings back, the receipt on paper.

« Exporter pour un envoi depuis un autre ordinateur… » writes the ``.arobase`` file of a revision
waiting to be sent (``app.bundle.export_bundle``); « Importer un accusé de réception… » stores the
receipt file brought back on a USB key (``app.bundle.import_receipt``: a changed, forged or foreign
receipt is refused in French); « Imprimer l'accusé de réception » opens the print preview of the
one-page receipt, its signature checked now against the keys pinned at sign-in. Each acts on the
selected entry when it fits, else on the latest entry that does: a town hall has one or two.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app import account as accounts
from app import outbox
from ui.excepthook import expected_message
from ui.file_dialogs import documents_folder
from ui.messages import show_file_written, show_warning
from ui.qt import QFileDialog, QHBoxLayout, QPushButton, QWidget, Signal
from ui.tasks import Lane

if TYPE_CHECKING:
    from ui.pages.send_page import SendPage

BUNDLE_FILTER = "Envois Arobase (*.arobase);;Tous les fichiers (*)"
RECEIPT_FILTER = "Accusés de réception (*.json);;Tous les fichiers (*)"
NOTHING_TO_EXPORT = "Aucun envoi n'attend\u00a0: validez d'abord le dossier, puis exportez-le."
NO_RECEIPT_YET = "Aucun accusé de réception pour l'instant\u00a0: il arrive quand l'association a reçu le dossier."
SIGN_IN_TO_IMPORT = (
    "Connectez-vous d'abord (bouton «\u00a0Se connecter\u00a0»)\u00a0: la signature de l'accusé est vérifiée "
    "avec la clé du serveur enregistrée à la connexion."
)
EXPORTED = (
    "Le dossier (édition {edition}, révision {revision}) est prêt à partir depuis un ordinateur connecté à "
    "Internet. Copiez ce fichier sur une clé USB, puis, sur cet ordinateur, déposez-le sur la page {depot} "
    "(avec le code d'activation de la mairie) ou envoyez-le avec Arobase (commande «\u00a0arobase send --bundle "
    "FICHIER\u00a0»). Rapportez le fichier d'accusé de réception obtenu et importez-le ici. Le fichier\u00a0:"
)


class OutboxFiles(QWidget):
    exported = Signal(str)  # the bundle's path
    imported = Signal(str)  # the receipt number stored
    refused = Signal(str)  # the French reason a file was refused or not written

    def __init__(self, page: SendPage) -> None:
        super().__init__(page)
        self.page = page
        self.export_button = QPushButton("E&xporter pour un envoi depuis un autre ordinateur…", self)
        self.export_button.setToolTip(
            "Pour une mairie sans Internet\u00a0: un fichier à envoyer depuis un autre ordinateur (clé USB)"
        )
        self.import_button = QPushButton("&Importer un accusé de réception…", self)
        self.import_button.setToolTip("Le fichier d'accusé rapporté de l'ordinateur qui a envoyé le dossier")
        self.print_button = QPushButton("Imprimer &l'accusé de réception", self)
        self.print_button.setToolTip("L'accusé de réception de l'association sur une page, à imprimer ou en PDF")
        self.export_button.clicked.connect(self.choose_export)
        self.import_button.clicked.connect(self.choose_import)
        self.print_button.clicked.connect(self.print_receipt)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for b in (self.export_button, self.import_button, self.print_button):
            row.addWidget(b)
        row.addStretch(1)

    def target(self, states: tuple[str, ...]) -> outbox.Entry | None:
        """The selected entry when it is in one of ``states``, else the latest such entry."""
        chosen = self.page.selected_entry()
        if chosen is not None and chosen.state in states:
            return chosen
        model = self.page.model
        fitting = [e for e in (model.entry(r) for r in range(model.rowCount())) if e and e.state in states]
        return fitting[-1] if fitting else None

    def update_buttons(self, sending: bool) -> None:
        self.export_button.setEnabled(not sending and self.target(outbox.PENDING) is not None)
        self.import_button.setEnabled(not sending)
        self.print_button.setEnabled(self.target(("envoye",)) is not None)

    def _refused(self, exc: BaseException) -> None:
        from ui.pages.send_page import UNEXPECTED  # the page's one sentence for a bug (it imports this module)

        message = expected_message(exc) or UNEXPECTED
        self.page.report_label.setText(message)
        show_warning(self.window(), message)
        self.refused.emit(message)

    # ---- exporter ------------------------------------------------------------------------------------
    def choose_export(self) -> None:
        entry = self.target(outbox.PENDING)
        if entry is None:
            self.page.report_label.setText(NOTHING_TO_EXPORT)
            return
        suggested = documents_folder() / f"envoi-{entry.edition}-revision-{entry.revision}.arobase"
        name, _ = QFileDialog.getSaveFileName(
            self.window(), "Exporter pour un envoi depuis un autre ordinateur", str(suggested), BUNDLE_FILTER
        )
        if name:
            self.export_to(Path(name) if Path(name).suffix else Path(name).with_suffix(".arobase"), entry)

    def export_to(self, path: Path, entry: outbox.Entry) -> None:
        """Write the bundle off the GUI thread (it reads every attachment), then say where it went."""
        from app.bundle import export_bundle

        ws, edition = self.page.controller.ws, entry.edition

        account = accounts.load(self.page.context.account_path)
        depot = (account.server if account else self.page.server_edit.text().strip()).rstrip("/") + "/depot"

        def done(written: Path) -> None:
            said = EXPORTED.format(edition=edition, revision=entry.revision, depot=depot)
            show_file_written(self.window(), said, written)
            self.exported.emit(str(written))

        self.page.runner.run(lambda: export_bundle(ws, edition, path), done, self._refused, owner=self,
                             lane=Lane.BACKGROUND)  # fmt: skip

    # ---- importer l'accusé ---------------------------------------------------------------------------
    def choose_import(self) -> None:
        if accounts.load(self.page.context.account_path) is None:
            self.page.report_label.setText(SIGN_IN_TO_IMPORT)
            return
        name, _ = QFileDialog.getOpenFileName(
            self.window(), "Importer un accusé de réception", str(documents_folder()), RECEIPT_FILTER
        )
        if name:
            self.import_from(Path(name))

    def import_from(self, path: Path) -> None:
        """Check and store the receipt (store lane: it moves the dossier to « reçu »), then show it."""
        from app.bundle import import_receipt

        account = accounts.load(self.page.context.account_path)
        if account is None:
            self.page.report_label.setText(SIGN_IN_TO_IMPORT)
            return
        ws = self.page.controller.ws

        def done(number: str) -> None:
            self.page.report_label.setText(
                f"Accusé de réception n°\u00a0{number} enregistré\u00a0: le dossier est reçu par l'association."
            )
            self.page.refresh()
            self.page.controller.load()
            self.imported.emit(number)

        self.page.runner.run(lambda: import_receipt(ws, account, path), done, self._refused, owner=self)

    # ---- imprimer l'accusé ---------------------------------------------------------------------------
    def print_receipt(self) -> None:
        from ui.dialogs.print_preview import open_receipt_preview

        entry = self.target(("envoye",))
        if entry is None:
            self.page.report_label.setText(NO_RECEIPT_YET)
            return
        page = self.page
        self.preview = open_receipt_preview(
            self.window(), page.controller, page.runner, entry.edition, page.context.public_keys
        )
