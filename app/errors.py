"""The error families users may see: each carries a French sentence that says what to do.

The store's own errors are re-exported here: the window reaches them through ``app/``, never by
importing ``localdb`` (the module they live in loads neither SQLite nor SQLAlchemy).
"""

from __future__ import annotations

from localdb.errors import StoreDamaged, StoreError, StoreLocked, StoreTooNew, StoreUnreadable


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


__all__ = [
    "ArobaseError",
    "InvalidInput",
    "StoreDamaged",
    "StoreError",
    "StoreLocked",
    "StoreTooNew",
    "StoreUnreadable",
]
