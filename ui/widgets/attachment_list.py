"""The files attached to an action (photos, PDF…): add, open with the system's viewer, remove.

Files are checked here first (exists, is a file, name storable, size under the limit) so that an
oversized photo gets a clear sentence before anything is copied; the copy and the hashing then run on
the database worker through ``controller.add_attachment``. Files may also be dropped on the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from app.errors import InvalidInput
from app.formats import file_size
from app.model import AttachmentRef
from app.text import check_text
from app.workspace_types import MAX_ATTACHMENT_BYTES
from ui.dossier_controller import DossierController
from ui.qt import (
    QAbstractItemView,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QFileDialog,
    QLabel,
    QListView,
    QPushButton,
    QStandardItem,
    QStandardItemModel,
    QStandardPaths,
    Qt,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.widgets.common import button_row, chain_tab_order, plain_label

SHA_ROLE = int(Qt.ItemDataRole.UserRole) + 1
FILE_FILTER = (
    "Photos et documents PDF (*.jpg *.jpeg *.png *.gif *.bmp *.tif *.tiff *.webp *.heic *.pdf *.JPG *.JPEG *.PNG *.PDF)"
    ";;Tous les fichiers (*)"
)
MISSING = "fichier introuvable dans le dossier des pièces jointes"
KINDS = {"image": "photo ou image", "application/pdf": "document PDF"}

UrlOpener = Callable[[QUrl], object]


def kind_of(media_type: str) -> str:
    if media_type.startswith("image/"):
        return KINDS["image"]
    return KINDS.get(media_type, "fichier")


def too_big_message(name: str, size: int) -> str:
    limit = MAX_ATTACHMENT_BYTES // (1024 * 1024)
    return (
        f"Le fichier « {name} » pèse {file_size(size)} : une pièce jointe ne peut pas dépasser {limit} Mo. "
        "Il n'a pas été joint. Réduisez-le (photo redimensionnée, PDF compressé) ou indiquez plutôt un lien web "
        "vers le document."
    )


def check_file(path: Path) -> str:
    """Why this file cannot be attached (a French sentence), or "" if it can."""
    try:
        check_text(path.name, "Nom du fichier", multiline=False)
    except InvalidInput as exc:
        return exc.message
    try:
        size = path.stat().st_size
    except OSError:
        return f"Le fichier « {path.name} » est introuvable ou illisible."
    if not path.is_file():
        return f"« {path.name} » n'est pas un fichier : choisissez un fichier (photo, PDF…)."
    if size > MAX_ATTACHMENT_BYTES:
        return too_big_message(path.name, size)
    return ""


class AttachmentList(QWidget):
    """Attachments of the current action; ``add_files`` is what the file dialog and drops call."""

    files_added = Signal(int)  # how many files were handed to the worker

    def __init__(
        self,
        controller: DossierController,
        parent: QWidget | None = None,
        open_url: UrlOpener | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.open_url: UrlOpener = open_url or QDesktopServices.openUrl
        self._uuid: str | None = None
        self._read_only = False
        self._pending: list[str] = []
        self._refs: tuple[AttachmentRef, ...] = ()
        self.setAcceptDrops(True)

        self.list_label = QLabel("Pièces &jointes (photos, PDF) :", self)
        self.model = QStandardItemModel(self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAccessibleName("Pièces jointes de l'action")
        self.view.setAccessibleDescription("Entrée ouvre la pièce jointe sélectionnée.")
        self.view.setMaximumHeight(self.fontMetrics().height() * 6)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # long names are elided
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.setUniformItemSizes(True)
        self.view.activated.connect(lambda _i: self.open_current())
        self.list_label.setBuddy(self.view)
        self.empty_label = QLabel("Aucune pièce jointe.", self)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)

        self.add_button = QPushButton("Ajouter un fichier…", self)
        self.add_button.setAccessibleName("Ajouter une pièce jointe")
        self.add_button.setToolTip(
            f"Photo, image ou PDF de {MAX_ATTACHMENT_BYTES // (1024 * 1024)} Mo au plus ; "
            "vous pouvez aussi glisser des fichiers sur la liste."
        )
        self.open_button = QPushButton("Ouvrir", self)
        self.open_button.setAccessibleName("Ouvrir la pièce jointe sélectionnée")
        self.remove_button = QPushButton("Retirer", self)  # short: the three buttons fit a narrow fiche
        self.remove_button.setAccessibleName("Retirer la pièce jointe sélectionnée")
        for button in (self.add_button, self.open_button, self.remove_button):
            button.setAutoDefault(False)
        self.add_button.clicked.connect(self.choose_files)
        self.open_button.clicked.connect(self.open_current)
        self.remove_button.clicked.connect(self.remove_current)

        self.status_label = QLabel(self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Copie des pièces jointes")
        self.status_label.hide()
        self.error_label = plain_label(self, "Erreur de pièce jointe")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        self.view.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        controller.save_failed.connect(self._worker_failed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list_label)
        layout.addWidget(self.view)
        layout.addWidget(self.empty_label)
        layout.addLayout(button_row(self.add_button, self.open_button, self.remove_button))
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        chain_tab_order([self.view, self.add_button, self.open_button, self.remove_button])
        self._update_buttons()

    # ------------------------------------------------------------------ public

    @property
    def action_uuid(self) -> str | None:
        return self._uuid

    def set_action(self, action_uuid: str | None) -> None:
        if action_uuid != self._uuid:
            self._uuid = action_uuid
            self._pending.clear()
            self._show_error("")
            self._show_status()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the attachments of the action from the controller (only if they changed)."""
        data = self.controller.action(self._uuid) if self._uuid else None
        refs = data.attachments if data else ()
        if refs == self._refs and self.model.rowCount() == len(refs):
            self._update_buttons()
            return
        current = self.current_sha()
        self._refs = refs
        self.model.clear()
        for ref in refs:
            text = f"{ref.name} — {kind_of(ref.media_type)}, {file_size(ref.size)}"
            if not self.controller.ws.has_file(ref.sha256):
                text += f" ({MISSING})"
            item = QStandardItem(text)
            item.setEditable(False)
            item.setToolTip(text)
            item.setData(ref.sha256, SHA_ROLE)
            self.model.appendRow(item)
            if ref.sha256 == current:
                self.view.setCurrentIndex(item.index())
        if refs and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.model.index(0, 0))
        self.empty_label.setVisible(not refs)
        self._update_buttons()

    def names(self) -> list[str]:
        return [ref.name for ref in self._refs]

    def current_sha(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(SHA_ROLE) if index.isValid() else None

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.setAcceptDrops(not read_only)
        self._update_buttons()

    def choose_files(self) -> None:
        if self._read_only or self._uuid is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation) or str(Path.home())
        names, _ = QFileDialog.getOpenFileNames(self, "Joindre des fichiers à l'action", folder, FILE_FILTER)
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: Iterable[Path]) -> int:
        """Attach the files that can be (copied off the GUI thread); say why the others cannot. Returns how many."""
        if self._read_only or self._uuid is None:
            return 0
        errors: list[str] = []
        accepted = 0
        action_uuid = self._uuid
        for path in paths:
            path = Path(path)
            why = check_file(path)
            if why:
                errors.append(why)
                continue
            accepted += 1
            self._pending.append(path.name)
            self.controller.add_attachment(action_uuid, path, lambda name=path.name: self._added(action_uuid, name))
        self._show_error("\n".join(errors))
        self._show_status()
        if accepted:
            self.files_added.emit(accepted)
        return accepted

    def open_current(self) -> None:
        sha = self.current_sha()
        if sha is None:
            return
        if not self.controller.ws.has_file(sha):
            self._show_error(
                "Le fichier de cette pièce jointe est introuvable dans le dossier des pièces jointes "
                "d'Arobase : retirez-la et joignez le fichier à nouveau."
            )
            return
        self._show_error("")
        self.open_url(QUrl.fromLocalFile(str(self.controller.ws.attachment_path(sha))))

    def remove_current(self) -> None:
        sha = self.current_sha()
        if sha is None or self._read_only or self._uuid is None:
            return
        self._show_error("")
        self.controller.remove_attachment(self._uuid, sha)
        self.refresh()

    def focus_first(self) -> None:
        target = self.view if self._refs or self._read_only else self.add_button
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._read_only and self._uuid and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.add_files(paths)
            event.acceptProposedAction()

    # ------------------------------------------------------------------ internals

    def _added(self, action_uuid: str, name: str) -> None:
        if action_uuid != self._uuid:
            return
        if name in self._pending:
            self._pending.remove(name)
        self._show_status()
        self.refresh()

    def _worker_failed(self, message: str) -> None:
        if not self._pending:
            return
        self._pending.clear()
        self._show_status()
        self._show_error(message)

    def _show_status(self) -> None:
        if self._pending:
            names = ", ".join(f"« {n} »" for n in self._pending)
            self.status_label.setText(f"Copie en cours : {names}…")
        self.status_label.setVisible(bool(self._pending))

    def _show_error(self, message: str) -> None:
        self.error_label.setText(f"⚠ {message}" if message else "")
        self.error_label.setVisible(bool(message))

    def _update_buttons(self) -> None:
        has = self.view.currentIndex().isValid()
        self.add_button.setEnabled(not self._read_only and self._uuid is not None)
        self.open_button.setEnabled(has)
        self.remove_button.setEnabled(has and not self._read_only)
