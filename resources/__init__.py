"""Data shipped with Arobase: questionnaire editions, the list of communes, fonts, the example dossier."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def folder(package: str) -> Path:
    """A data package's folder as a real path, from a source tree, a wheel or a PyInstaller bundle alike.

    In a bundle the data files sit under ``sys._MEIPASS`` (packaging/arobase.spec puts them there), and
    neither ``str(importlib.resources.files(...))`` nor the package's ``__file__`` is a usable path.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle, *package.split("."))
    module = importlib.import_module(package)
    if module.__file__ is None:  # pragma: no cover - a namespace package: not ours
        raise FileNotFoundError(package)
    return Path(module.__file__).resolve().parent
