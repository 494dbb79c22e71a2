"""The one door to PySide6: every other ui module imports its Qt names from here.

Keeping the binding behind a single module (as Anki's ``aqt.qt`` does) lets a future switch of
binding or version, and any compatibility shim, happen in one place. Every public name of QtCore,
QtGui and QtWidgets is re-exported, so that a new widget never needs an edit here; the names are looked
up on first use (PEP 562 ``__getattr__``), not copied by ``import *``, which costs 0.1 s and 15 MiB
at every start.

Importing PySide6 also replaces ``builtins.__import__`` with its ``__feature__`` hook, which then reads
the source file of every module imported afterwards, in any package, to see whether it asks for
``from __feature__ import snake_case`` (PySide's optional snake-case and property names). Arobase never
does (``tests/test_architecture.py`` checks it), and those reads were a tenth of the start-up (napari
hit the same: napari/napari#8584), so the original import is put back once the bindings are loaded.
"""

from __future__ import annotations

import builtins
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets
from shiboken6 import isValid as is_alive


def _drop_feature_hook() -> None:
    """Put back the import PySide6 replaced (kept by PySide as ``builtins.__orig_import__``)."""
    original = getattr(builtins, "__orig_import__", None)
    if original is not None and builtins.__import__ is getattr(builtins, "__feature_import__", None):
        builtins.__import__ = original


_drop_feature_hook()

_MODULES = (QtCore, QtGui, QtWidgets)


def __getattr__(name: str) -> Any:
    for module in _MODULES:
        value = getattr(module, name, None)
        if value is not None:
            globals()[name] = value  # the next lookup is a plain module attribute
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {n for m in _MODULES for n in dir(m) if not n.startswith("_")})


__all__ = ["is_alive"]  # plus every public name of QtCore, QtGui and QtWidgets, looked up on first use


def network_information() -> Any | None:
    """Qt's view of the network (QtNetwork, imported only here, on first use), or None where Qt has no backend."""
    try:
        from PySide6.QtNetwork import QNetworkInformation
    except ImportError:
        return None
    try:
        if not QNetworkInformation.loadDefaultBackend():
            return None
    except (AttributeError, RuntimeError):
        return None
    return QNetworkInformation.instance()
