"""Fichier › Réglages réseau…: follow the system's proxy settings (the default) or use the proxy typed here.

Town halls often reach the Internet through their intercommunality's proxy. Arobase follows the system's
settings on its own; this dialog is for the PC whose system settings do not say it. The address is
checked before it is kept (``sync.client.check_proxy_url``: never a password, which would land in the
settings file) and stored in the window's settings under ``ui.send_context.PROXY_KEY``.
"""

from __future__ import annotations

from app.errors import InvalidInput
from app.network import checked_proxy
from ui.qt import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QRadioButton,
    QSettings,
    QVBoxLayout,
    QWidget,
)
from ui.send_context import PROXY_KEY, SendContext
from ui.widgets.common import plain_label

INTRO = (
    "Arobase passe par le proxy indiqué dans les réglages du système, s'il y en a un. Si la mairie passe "
    "par un proxy que le système ne connaît pas (celui de l'intercommunalité, par exemple), indiquez son "
    "adresse ici. Un proxy qui demande un identifiant se règle dans les paramètres du système."
)


class NetworkDialog(QDialog):
    """The choice between the system's settings and a typed proxy; ``proxy`` is the answer once accepted."""

    def __init__(self, current: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Réglages réseau")
        self.proxy: str | None = current
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(self, text=INTRO))
        self.system_choice = QRadioButton("Suivre les réglages du &système (recommandé)")
        self.typed_choice = QRadioButton("Passer par ce &proxy\u00a0:")
        group = QButtonGroup(self)
        for button in (self.system_choice, self.typed_choice):
            group.addButton(button)
            layout.addWidget(button)
        self.address = QLineEdit(current or "")
        self.address.setPlaceholderText("proxy.mairie.local:3128")
        self.address.setAccessibleName("Adresse du proxy")
        self.address.textEdited.connect(lambda _text: self.typed_choice.setChecked(True))
        self.typed_choice.clicked.connect(self.address.setFocus)  # chosen with the mouse: type at once
        layout.addWidget(self.address)
        self.problem = plain_label(self, "Problème")
        self.problem.setObjectName("problem")
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.typed_choice if current else self.system_choice).setChecked(True)
        self.resize(560, self.sizeHint().height())

    def accept(self) -> None:
        """Keep the dialog open, the address as typed and the reason shown, until the address is one."""
        if self.system_choice.isChecked():
            self.proxy = None
            super().accept()
            return
        try:
            proxy = checked_proxy(self.address.text())
        except InvalidInput as exc:
            self.problem.setText(exc.message)
            self.problem.show()
            self.address.setFocus()
            return
        if proxy is None:
            self.problem.setText("Saisissez l'adresse du proxy, ou choisissez les réglages du système.")
            self.problem.show()
            self.address.setFocus()
            return
        self.proxy = proxy
        super().accept()


def edit_network_settings(parent: QWidget, settings: QSettings, context: SendContext) -> bool:
    """Fichier › Réglages réseau…: ask, then keep the answer and use it from the next connection on."""
    dialog = NetworkDialog(context.proxy, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    settings.setValue(PROXY_KEY, dialog.proxy or "")
    context.set_proxy(dialog.proxy)
    return True
