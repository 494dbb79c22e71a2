"""The one error family users may see: each carries a French sentence that says what to do."""

from __future__ import annotations


class ArobaseError(Exception):
    """An expected failure whose message is a complete French sentence for the user."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class InvalidInput(ArobaseError):
    """Text or a value typed by the user that cannot be stored as it is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
