"""A one-line field that checks its format as the user types and says what is wrong in words, under it.

The value is never blocked: what the user typed stays in the field (and the page stores it as work in
progress); the message only explains. Errors appear "late" and disappear "early": while the text can still
become right (``35`` on the way to ``35238``) nothing is said; a message shows when the user leaves the
field or types something that can never be right (a letter in a postal code), and it goes away at the
keystroke that fixes the value. A message given from outside (``set_error``: text the store refuses)
takes precedence over the format message until it is cleared.

The mark is a warning icon and a sentence, never a colour alone; the sentence is also the field's
accessible description, so a screen reader reads it with the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ui.qt import QAction, QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QStyle, Qt, QWidget, is_alive


def _always(_text: str) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Rule:
    """How to judge a value: ``check`` gives the French message for a finished value ("" when it is fine);
    ``partial`` says whether a value still being typed may become right (no message yet)."""

    check: Callable[[str], str]
    partial: Callable[[str], bool] = _always


class FieldMessage(QWidget):
    """A warning icon and a sentence under a field; hidden when there is nothing to say."""

    def __init__(self, editor: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editor = editor
        self._description = editor.accessibleDescription() if editor is not None else ""
        self.icon = QLabel(self)  # its pixmap is drawn with the first message (a page holds dozens of fields)
        self.icon.setAccessibleName("Attention")
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Message du champ")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.setVisible(False)

    def text(self) -> str:
        return self.label.text()

    def show_message(self, message: str) -> None:
        """Show ``message`` ("" hides the line) and describe the editor with it for screen readers."""
        if message and self.icon.pixmap().isNull():
            size = self.fontMetrics().height()
            warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.icon.setPixmap(warning.pixmap(size, size))
        self.label.setText(message)
        self.setHidden(not message)
        if self._editor is not None:
            self._editor.setAccessibleDescription(message or self._description)


class ValidatedLineEdit(QLineEdit):
    """A QLineEdit with a format rule and a :class:`FieldMessage`; lay out ``message_widget`` under it."""

    def __init__(self, parent: QWidget | None = None, rule: Rule | None = None) -> None:
        super().__init__(parent)
        self._rule = rule
        self._external = ""
        self._format = ""
        self._mark: QAction | None = None  # the warning icon in the field, added with the first message
        self.message_widget = FieldMessage(self, parent)
        self.textChanged.connect(lambda _text: self.validate(final=False))
        self.editingFinished.connect(lambda: self.validate(final=True))

    # -- rule and messages ----------------------------------------------------------------------------------

    def set_rule(self, rule: Rule | None) -> None:
        """Change the rule (the code field's depends on the kind of collectivity) and judge the text again."""
        self._rule = rule
        self.validate(final=bool(self._format) or not self.hasFocus())

    def set_error(self, message: str) -> None:
        """A message from outside (text refused by the store); "" clears it."""
        self._external = message
        self._show()

    @property
    def refused(self) -> bool:
        """The store refused the text on screen: it is not saved, and the page must not overwrite it."""
        return bool(self._external)

    def message(self) -> str:
        """The sentence shown under the field ("" when none)."""
        return self._external or self._format

    def format_message(self, text: str | None = None) -> str:
        """What the rule says of ``text`` (default: the current text) once finished; "" if fine or empty."""
        value = self.text() if text is None else text
        if self._rule is None or not value.strip():
            return ""
        return self._rule.check(value)

    def validate(self, *, final: bool) -> str:
        """Judge the text: ``final`` when the user is done with it, else as typed (see module doc)."""
        message = self.format_message()
        if message and not final and not self._format and self._rule is not None and self._rule.partial(self.text()):
            message = ""  # still on the way to a right value: say nothing yet
        self._format = message
        self._show()
        return message

    def _show(self) -> None:
        if not is_alive(self.message_widget) or (self._mark is not None and not is_alive(self._mark)):
            return  # editingFinished fired while the field is being destroyed
        message = self.message()
        self.message_widget.show_message(message)
        if message and self._mark is None:
            self._mark = self.addAction(
                self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
                QLineEdit.ActionPosition.TrailingPosition,
            )
            self._mark.setToolTip("Ce champ est à vérifier : voir le message sous le champ.")
        if self._mark is not None:
            self._mark.setVisible(bool(message))
