"""Arobase's version, known without reading the package metadata (absent from a PyInstaller bundle unless
copied, and 25 ms at start). ``tests/test_packaging.py`` keeps it equal to pyproject.toml's."""

from __future__ import annotations

VERSION = "0.1.0"
