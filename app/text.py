"""Rules for text typed by users: stored unchanged, or refused with a sentence that says why.

Text is data, never markup. The only characters refused are those no layer can carry faithfully:
C0 control characters other than tab and line breaks (XML, PDF and many terminals mangle them),
unpaired surrogates (not encodable in UTF-8) and the non-characters U+FFFE / U+FFFF.
"""

from __future__ import annotations

import re

from app.errors import InvalidInput

LONG_TEXT_MAX = 200_000
LINE_TEXT_MAX = 500

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def check_text(value: str, label: str, *, multiline: bool, max_len: int | None = None, field: str | None = None) -> str:
    """Return ``value`` unchanged if it can be stored, else raise InvalidInput naming the field."""
    if not isinstance(value, str):
        raise InvalidInput(f"« {label} » doit être du texte.", field)
    limit = max_len if max_len is not None else (LONG_TEXT_MAX if multiline else LINE_TEXT_MAX)
    if len(value) > limit:
        raise InvalidInput(
            f"« {label} » est trop long ({len(value):,} caractères ; {limit:,} au plus). "
            "Raccourcissez le texte ou joignez un document.".replace(",", "\u202f"),
            field,
        )
    bad = _FORBIDDEN.search(value)
    if bad:
        raise InvalidInput(
            f"« {label} » contient un caractère de contrôle invisible ({_describe(bad.group())}, "
            f"position {bad.start() + 1}) qui ne peut pas être enregistré. Retapez ce passage "
            "au lieu de le coller.",
            field,
        )
    if not multiline and _LINE_BREAK.search(value):
        raise InvalidInput(f"« {label} » doit tenir sur une seule ligne.", field)
    return value
