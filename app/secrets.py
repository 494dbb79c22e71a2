"""The secret store: the device's tokens in the OS keyring, or, when there is none, in memory for this session.

A small interface of ours over ``keyring`` so that the rest of the app never sees a backend. When no
backend exists (headless Linux: ``keyring.errors.NoKeyringError``) the fallback is visible — ``warning``
says in French that the sign-in lasts until the program closes — and never a file: no token ever goes
to SQLite, a settings file, a log, an export or a PDF.
"""

from __future__ import annotations

SERVICE = "Arobase"
NO_KEYRING = (
    "Aucun trousseau de mots de passe n'est disponible sur cet ordinateur\u00a0: la connexion au serveur "
    "ne sera gardée que jusqu'à la fermeture d'Arobase (elle n'est écrite nulle part)."
)


class SecretStore:
    """``get``/``set``/``delete`` by name; ``warning`` is set once the keyring proved unavailable."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self.warning: str | None = None
        self._memory: dict[str, str] = {}

    @property
    def persistent(self) -> bool:
        return self.warning is None

    def _fallback(self) -> None:
        self.warning = NO_KEYRING

    def get(self, name: str) -> str | None:
        if name in self._memory or self.warning:
            return self._memory.get(name)
        import keyring
        import keyring.errors

        try:
            return keyring.get_password(self.service, name)
        except keyring.errors.NoKeyringError:
            self._fallback()
        except keyring.errors.KeyringError:
            self._fallback()
        return None

    def set(self, name: str, value: str) -> None:
        import keyring
        import keyring.errors

        if not self.warning:
            try:
                keyring.set_password(self.service, name, value)
                self._memory.pop(name, None)
                return
            except keyring.errors.KeyringError:  # NoKeyringError included
                self._fallback()
        self._memory[name] = value

    def delete(self, name: str) -> None:
        import keyring
        import keyring.errors

        self._memory.pop(name, None)
        if self.warning:
            return
        try:
            keyring.delete_password(self.service, name)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError:
            self._fallback()
