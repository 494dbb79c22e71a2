"""Pick the collectivity from the official list: type a few letters of the name or a postal code, choose.

The list (``app.communes.CommuneIndex``, about 36 000 communes and EPCIs) is read in the background through
the window's TaskRunner the first time the picker is used; the field stays a plain line edit meanwhile, so
nothing typed before the list is ready is lost: the suggestions appear as soon as it is. The suggestions
are a QCompleter popup over :class:`PlaceListModel`, refilled by ``CommuneIndex.search`` at each keystroke
(the search is a few binary searches, fast enough for the GUI thread). Keyboard: Down/Up move in the list,
Enter chooses (the first suggestion if none is highlighted), Escape closes it, Down opens it again.

Nothing here writes to the dossier: choosing emits ``place_chosen(Place)`` and the page fills its fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.communes import EPCI_TYPE_LABELS, CommuneIndex, Place
from app.errors import ArobaseError
from app.formats import thousands
from ui.excepthook import report_exception
from ui.qt import (
    QAbstractItemView,
    QAbstractListModel,
    QCompleter,
    QEvent,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import Lane, TaskRunner

IndexLoader = Callable[[], CommuneIndex]

PLACEHOLDER = "Nom ou code postal, par exemple « Saint-Aubin » ou « 35500 »"
LOADING = "Chargement de la liste officielle des communes…"
HELP = "Flèches haut et bas pour parcourir les suggestions, Entrée pour choisir, Échap pour fermer la liste."
NOT_FOUND = "Aucune collectivité trouvée : vérifiez l'orthographe, ou remplissez les champs ci-dessous à la main."
LOAD_FAILED = "La liste des communes n'a pas pu être lue : remplissez les champs ci-dessous à la main."
PLACE_ROLE = Qt.ItemDataRole.UserRole + 1  # the Place of a row


def population_text(population: int | None) -> str:
    if population is None:
        return "population inconnue"
    return f"{thousands(population)} hab."


def epci_form(place: Place) -> str:
    return EPCI_TYPE_LABELS.get(place.epci_type or "", "Intercommunalité")


def place_text(place: Place) -> str:
    """One suggestion: 'Rennes (35) — 35000, 35200, 35700, 230 890 hab.'
    or 'Rennes Métropole (Métropole) — SIREN 243500139'."""
    if place.kind == "epci":
        return f"{place.name} ({epci_form(place)}) — SIREN {place.code}"
    codes = ", ".join(place.postal_codes[:3]) + (", …" if len(place.postal_codes) > 3 else "")
    head = f"{place.name} ({place.departement or '?'})"
    return (
        f"{head} — {codes}, {population_text(place.population)}"
        if codes
        else f"{head} — {population_text(place.population)}"
    )


def place_details(place: Place) -> str:
    """A longer description for the tooltip and the line under the picker."""
    if place.kind == "epci":
        members = f", {place.member_count} communes" if place.member_count else ""
        return (
            f"{place.name} — {epci_form(place).lower()}{members}, {population_text(place.population)}, "
            f"SIREN {place.code}."
        )
    parts = [f"{place.name} — commune, code INSEE {place.code}, département {place.departement or 'inconnu'}"]
    if place.postal_codes:
        label = "codes postaux" if len(place.postal_codes) > 1 else "code postal"
        parts.append(f"{label} {', '.join(place.postal_codes)}")
    parts.append(population_text(place.population))
    if place.epci_name:
        parts.append(f"membre de « {place.epci_name} »")
    return ", ".join(parts) + "."


def attribution(metadata: Mapping[str, str] | None) -> str:
    """The credit the Licence Ouverte asks for, with the version from the data's metadata once it is read."""
    metadata = metadata or {}
    version = metadata.get("version", "")
    year = metadata.get("millesime", "")
    edition = " ".join(part for part in (version, f"({year})" if year else "") if part)
    return (
        "Source : Etalab, découpage administratif (COG INSEE, DGCL, La Poste)"
        + (f", version {edition}" if edition else "")
        + ", Licence Ouverte."
    )


class PlaceListModel(QAbstractListModel):
    """The current suggestions, one row per Place."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._places: list[Place] = []

    def set_places(self, places: list[Place]) -> None:
        self.beginResetModel()
        self._places = list(places)
        self.endResetModel()

    def places(self) -> list[Place]:
        return list(self._places)

    def place(self, row: int) -> Place | None:
        return self._places[row] if 0 <= row < len(self._places) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._places)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        place = self.place(index.row()) if index.isValid() else None
        if place is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return place_text(place)
        if role == Qt.ItemDataRole.EditRole:
            return place.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return place_details(place)
        if role == PLACE_ROLE:
            return place
        return None


class CommunePicker(QWidget):
    """A search field with suggestions from the official list; ``place_chosen(Place)`` when one is chosen."""

    place_chosen = Signal(object)  # app.communes.Place
    index_ready = Signal(object)  # the CommuneIndex, once loaded
    index_failed = Signal(str)  # French sentence: manual entry only

    def __init__(
        self,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        loader: IndexLoader = CommuneIndex.load,
        limit: int = 12,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._loader = loader
        self._limit = limit
        self._index: CommuneIndex | None = None
        self._loading = False
        self._failed = ""

        self.edit = QLineEdit(self)
        self.edit.setObjectName("communeSearch")
        self.edit.setAccessibleName("Rechercher votre collectivité")
        self.edit.setAccessibleDescription(HELP)
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setToolTip(f"Tapez quelques lettres du nom, ou le code postal. {HELP}")
        self.edit.setClearButtonEnabled(True)
        self.setFocusProxy(self.edit)

        self.model = PlaceListModel(self)
        self.completer = QCompleter(self)
        self.completer.setModel(self.model)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCompletionRole(Qt.ItemDataRole.EditRole)
        self.completer.setMaxVisibleItems(10)
        self.completer.setWrapAround(False)
        self.completer.setWidget(self.edit)  # not setCompleter: the picker decides what the text becomes
        popup = self.completer.popup()
        popup.setAccessibleName("Suggestions de collectivités")
        popup.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.completer.activated[QModelIndex].connect(self._activated)

        self.status = QLabel(self)
        self.status.setObjectName("communeSearchStatus")
        self.status.setAccessibleName("État de la recherche")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.status)

        self.edit.textEdited.connect(self._text_edited)
        self.edit.returnPressed.connect(self._return_pressed)
        self.edit.installEventFilter(self)

    # ------------------------------------------------------------------ the list

    @property
    def index(self) -> CommuneIndex | None:
        """The loaded list, or None while it loads (or when it could not be read)."""
        return self._index

    @property
    def loading(self) -> bool:
        return self._loading

    def ensure_loaded(self) -> None:
        """Start reading the list in the background, once; suggestions follow when it is there."""
        if self._index is not None or self._loading or self._failed or self._runner.closed:
            return
        self._loading = True
        if self.edit.text().strip():
            self._set_status(LOADING)
        # Not on the store lane: an autosave must never wait behind this (the list takes ~0.5 s to read).
        self._runner.run(self._loader, self._loaded, self._load_failed, owner=self, lane=Lane.BACKGROUND)

    def _loaded(self, index: CommuneIndex) -> None:
        self._loading = False
        self._index = index
        self.index_ready.emit(index)
        if self.edit.text().strip():
            self._update(show=self.edit.hasFocus())
        else:
            self._set_status("")

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        if isinstance(exc, ArobaseError):
            self._failed = exc.message
        else:
            self._failed = LOAD_FAILED
            report_exception(exc)
        self._set_status(self._failed)
        self.index_failed.emit(self._failed)

    # ------------------------------------------------------------------ typing and choosing

    def results(self) -> list[Place]:
        """The suggestions for the current text."""
        return self.model.places()

    def popup_visible(self) -> bool:
        return self.completer.popup().isVisible()

    def search(self, text: str) -> None:
        """Put ``text`` in the field and search as if it had been typed (for the page and tests)."""
        self.edit.setText(text)
        self._text_edited(text)

    def choose(self, place: Place) -> None:
        """Take ``place`` as the user's choice: the field shows its name and ``place_chosen`` fires."""
        self.completer.popup().hide()
        self.edit.setText(place.name)
        self._set_status(f"Choix fait : {place.name}. Vérifiez les champs ci-dessous.")
        self.place_chosen.emit(place)

    def _text_edited(self, text: str) -> None:
        if self._index is None:
            self.ensure_loaded()
            if self._failed:
                return
            self.model.set_places([])
            self._set_status(LOADING if text.strip() and self._loading else "")
            return
        self._update(show=True)

    def _update(self, *, show: bool) -> None:
        index = self._index
        text = self.edit.text().strip()
        places = index.search(text, self._limit) if index is not None and text else []
        self.model.set_places(places)
        popup = self.completer.popup()
        if not text:
            popup.hide()
            self._set_status("")
            return
        if not places:
            popup.hide()
            self._set_status(NOT_FOUND)
            return
        count = len(places)
        more = " (les plus peuplées d'abord ; précisez pour en voir d'autres)" if count >= self._limit else ""
        self._set_status(f"{count} suggestion{'s' if count > 1 else ''}{more}. {HELP}")
        if show and self.isEnabled():
            popup.setCurrentIndex(QModelIndex())
            self.completer.complete()

    def _activated(self, index: QModelIndex) -> None:
        place = index.data(PLACE_ROLE)
        if isinstance(place, Place):
            self.choose(place)

    def _return_pressed(self) -> None:
        """Enter with the list open and nothing highlighted: take the first suggestion."""
        popup = self.completer.popup()
        if popup.isVisible() and not popup.currentIndex().isValid() and self.model.rowCount() > 0:
            first = self.model.place(0)
            if first is not None:
                self.choose(first)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit:
            if event.type() == QEvent.Type.FocusIn:
                self.ensure_loaded()
            elif (
                event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Down
                and not self.completer.popup().isVisible()
                and self._index is not None
                and self.edit.text().strip()
            ):
                self._update(show=True)
                return True
        return super().eventFilter(watched, event)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
