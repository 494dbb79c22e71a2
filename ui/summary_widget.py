"""The collectivity and the state of its dossier at a glance: the home page the dossier editor grows from."""

from __future__ import annotations

from app.formats import plural, thousands
from app.model import KIND_LABELS, STATE_LABELS
from app.workspace_types import Status
from ui.qt import QFormLayout, QGroupBox, QLabel, Qt, QVBoxLayout, QWidget

NOT_STARTED = "Dossier pas encore commencé"
LOADING = "Chargement…"
UNKNOWN = "non renseigné"

# key: (form label, accessible name); order is display order. No Alt+letter: the summary sits beside each
# page's own fields and the menus, whose letters come first.
PROFILE_ROWS = {
    "name": ("Nom :", "Nom de la collectivité"),
    "kind": ("Type :", "Type de collectivité"),
    "code": ("Code INSEE :", "Code INSEE ou SIREN"),
    "departement": ("Département :", "Département"),
    "population": ("Population :", "Population"),
}
DOSSIER_ROWS = {
    "edition": ("Édition :", "Édition du questionnaire"),
    "state": ("État :", "État du dossier"),
    "revision": ("Révision :", "Révision du dossier"),
    "actions": ("Actions :", "Nombre d'actions"),
    "coverage": ("Couverture :", "Couverture des services"),
    "problems": ("Problèmes :", "Problèmes à régler"),
}


class DossierSummaryWidget(QWidget):
    """Read-only view of a :class:`app.workspace.Status`; the window fills it, it never loads anything."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Résumé du dossier")
        self.message = QLabel(LOADING, self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._values: dict[str, QLabel] = {}
        self.profile_box, self._profile_form = self._group("Collectivité", PROFILE_ROWS)
        self.dossier_box, self._dossier_form = self._group("Dossier", DOSSIER_ROWS)
        self.not_started = QLabel(NOT_STARTED, self.dossier_box)
        self.not_started.setAccessibleName(NOT_STARTED)
        self._dossier_form.addRow(self.not_started)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.profile_box)
        layout.addWidget(self.dossier_box)
        layout.addStretch(1)
        self.show_loading()

    def _group(self, title: str, rows: dict[str, tuple[str, str]]) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title, self)
        box.setAccessibleName(title)
        form = QFormLayout(box)
        for key, (label_text, accessible) in rows.items():
            value = QLabel(box)
            value.setObjectName(f"summary-{key}")
            value.setAccessibleName(accessible)
            # Selectable by keyboard so that the label's mnemonic (its buddy) reaches it and text can be copied.
            value.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            label = QLabel(label_text, box)
            label.setBuddy(value)
            form.addRow(label, value)
            self._values[key] = value
        return box, form

    def text(self, key: str) -> str:
        """The displayed value of a row (``name``, ``state``, ``coverage``…)."""
        return self._values[key].text()

    def show_loading(self) -> None:
        self._show_message(LOADING)

    def show_error(self, message: str) -> None:
        """An expected failure to load: its French sentence replaces the summary."""
        self._show_message(message)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        self.profile_box.setVisible(False)
        self.dossier_box.setVisible(False)

    def show_status(self, status: Status) -> None:
        p = status.profile
        epci = p.kind == "epci"
        self._set("name", p.name or UNKNOWN)
        self._set("kind", KIND_LABELS.get(p.kind, p.kind))
        code_label = self._profile_form.labelForField(self._values["code"])
        if isinstance(code_label, QLabel):
            code_label.setText("&Code SIREN :" if epci else "&Code INSEE :")
        self._set("code", p.code or UNKNOWN)
        self._set("departement", p.departement or UNKNOWN)
        self._set("population", f"{thousands(p.population)} habitants" if p.population is not None else UNKNOWN)

        self._set("edition", f"{status.edition.id} — {status.edition.title}")
        started = status.summary is not None and status.coverage is not None
        for key in DOSSIER_ROWS:
            if key != "edition":
                self._dossier_form.setRowVisible(self._values[key], started)
        self._dossier_form.setRowVisible(self.not_started, not started)
        if status.summary is not None and status.coverage is not None:
            s, c = status.summary, status.coverage
            self._set("state", STATE_LABELS.get(s.state, s.state))
            self._set("revision", str(s.revision))
            self._set("actions", thousands(s.action_count))
            self._set("coverage", f"{c.covered} / {plural(c.total, 'service')}")
            self._set("problems", f"{plural(status.blocking, 'bloquant')}, {plural(status.warnings, 'conseil')}")
        else:
            for key in ("state", "revision", "actions", "coverage", "problems"):
                self._set(key, "")
        self.message.setVisible(False)
        self.profile_box.setVisible(True)
        self.dossier_box.setVisible(True)

    def _set(self, key: str, text: str) -> None:
        self._values[key].setText(text)
