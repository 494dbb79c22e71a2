"""The store's errors, in a module of their own so that importing them loads neither SQLite nor SQLAlchemy.

Each message is a French sentence for the user. ``app.errors`` re-exports them: the window and the
command line reach them through ``app/``, never through ``localdb`` directly.
"""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """The store file cannot be used; the message is a French sentence for the user."""


class StoreLocked(StoreError):
    """Another program holds the store's write lock."""


class StoreUnreadable(StoreError):
    """The file is not an SQLite database, is damaged, or cannot be opened."""


class StoreDamaged(StoreUnreadable):
    """An Arobase file whose pages are damaged (``PRAGMA quick_check`` fails): a backup may be restored."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class StoreTooNew(StoreError):
    """The file was written by a newer Arobase whose schema this version does not know."""
