"""Exit codes of ``arobase-server`` and the error a person can fix (one French line, exit 2)."""

from __future__ import annotations

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 3


class UserError(Exception):
    """Bad input or an unusable store: printed as one French line, exit code 2."""
