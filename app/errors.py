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


_OS_REASONS = {
    "EACCES": "accès refusé",
    "EPERM": "accès refusé",
    "EISDIR": "c'est un dossier, pas un fichier",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "ENOENT": "fichier ou dossier introuvable",
    "ENOSPC": "le disque est plein",
    "EROFS": "le disque est en lecture seule",
    "EEXIST": "le fichier existe déjà",
    "ENAMETOOLONG": "nom de fichier trop long",
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in French when the cause is a common one (the system speaks English)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_REASONS.get(name) or exc.strerror or str(exc)


__all__ = [
    "ArobaseError",
    "InvalidInput",
    "StoreDamaged",
    "StoreError",
    "StoreLocked",
    "StoreTooNew",
    "StoreUnreadable",
]
