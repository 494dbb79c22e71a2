"""The filters above the actions table: theme, sub-theme (narrowed to the theme), level and words.

A choice in a list filters at once; typed words filter once the typing pauses, so that "ecole" refilters
once, not five times. The widget only says that the filters ``changed`` and what they are (``values``);
the actions page hands them to its filter model.
"""

from __future__ import annotations

from app.edition import Edition
from ui.models.actions_model import ActionsFilterProxy
from ui.qt import QComboBox, QGridLayout, QLabel, QLineEdit, QTimer, QWidget, Signal

ALL_THEMES = "Tous les thèmes"
ALL_SUBTHEMES = "Tous les sous-thèmes"
ALL_LEVELS = "Tous les niveaux"
NO_LEVEL = "Niveau non renseigné"
SEARCH_DELAY_MS = 150  # typing "ecole" refilters once, after the last letter


class ActionFilters(QWidget):
    """Four labelled filters on one row; ``changed`` fires when the table should be filtered again."""

    changed = Signal()

    def __init__(self, edition: Edition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edition = edition
        self.theme_combo = QComboBox(self)
        self.theme_combo.setAccessibleName("Filtrer par thème")
        self.subtheme_combo = QComboBox(self)
        self.subtheme_combo.setAccessibleName("Filtrer par sous-thème")
        self.level_combo = QComboBox(self)
        self.level_combo.setAccessibleName("Filtrer par niveau de réalisation")
        self.search_edit = QLineEdit(self)
        self.search_edit.setAccessibleName("Rechercher dans les actions")
        self.search_edit.setAccessibleDescription(
            "Mots cherchés dans le titre, la synthèse, les résultats, les outils, les partenaires, "
            "les adresses et les services, sans tenir compte des accents ni des majuscules."
        )
        self.search_edit.setPlaceholderText("titre, synthèse, partenaire, commune…")
        self.search_edit.setClearButtonEnabled(True)
        for combo in (self.theme_combo, self.subtheme_combo, self.level_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        self.theme_combo.addItem(ALL_THEMES, None)
        for theme in edition.themes:
            self.theme_combo.addItem(theme.title, theme.id)
        self.level_combo.addItem(ALL_LEVELS, None)
        for level in edition.levels:
            self.level_combo.addItem(level.label, level.id)
        self.level_combo.addItem(NO_LEVEL, ActionsFilterProxy.NO_LEVEL_FILTER)
        self._fill_subthemes()

        self.filter_bar = QGridLayout(self)
        self.filter_bar.setContentsMargins(0, 0, 0, 0)
        labels = (
            ("Thè&me :", self.theme_combo),
            ("&Sous-thème :", self.subtheme_combo),
            ("&Niveau :", self.level_combo),
            ("&Rechercher :", self.search_edit),
        )
        for column, (text, widget) in enumerate(labels):
            label = QLabel(text, self)
            label.setBuddy(widget)
            self.filter_bar.addWidget(label, 0, column)
            self.filter_bar.addWidget(widget, 1, column)
            self.filter_bar.setColumnStretch(column, 2 if widget is self.search_edit else 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.changed)
        self.theme_combo.currentIndexChanged.connect(self._theme_changed)
        self.subtheme_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.level_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.changed)

    def values(self) -> dict[str, object]:
        """The filters as ``ActionsFilterProxy.set_filters`` takes them."""
        self._search_timer.stop()
        return {
            "theme": self.theme_combo.currentData(),
            "subtheme": self.subtheme_combo.currentData(),
            "level": self.level_combo.currentData(),
            "text": self.search_edit.text(),
        }

    def clear(self) -> None:
        """Every filter back to « Tous… » and no words, without filtering on the way (the caller does once)."""
        for combo in (self.theme_combo, self.subtheme_combo, self.level_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._fill_subthemes()
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)

    def _theme_changed(self) -> None:
        self._fill_subthemes()
        self.changed.emit()

    def _fill_subthemes(self) -> None:
        theme_id = self.theme_combo.currentData()
        current = self.subtheme_combo.currentData()
        edition = self.edition
        themes = [edition.theme(theme_id)] if theme_id else list(edition.themes)
        self.subtheme_combo.blockSignals(True)
        try:
            self.subtheme_combo.clear()
            self.subtheme_combo.addItem(ALL_SUBTHEMES, None)
            for theme in themes:
                for st in theme.subthemes:
                    self.subtheme_combo.addItem(st.title, st.id)
            at = self.subtheme_combo.findData(current) if current else 0
            self.subtheme_combo.setCurrentIndex(max(at, 0))
        finally:
            self.subtheme_combo.blockSignals(False)
