"""The one door to PySide6: every other ui module imports its Qt names from here.

Keeping the binding behind a single module (as Anki's ``aqt.qt`` does) lets a future switch of
binding or version, and any compatibility shim, happen in one place. The three modules are
re-exported whole so that a new widget never needs an edit here.
"""

from __future__ import annotations

from PySide6.QtCore import *  # noqa: F403
from PySide6.QtGui import *  # noqa: F403
from PySide6.QtWidgets import *  # noqa: F403
from shiboken6 import isValid as is_alive

__all__ = ["is_alive"]  # plus every public name of QtCore, QtGui and QtWidgets
