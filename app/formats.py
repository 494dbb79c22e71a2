"""Format rules of French identifiers and contacts, shared by the completeness check and the forms."""

from __future__ import annotations

import re

INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
POSTAL_RE = re.compile(r"^\d{5}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
# Département 20 no longer exists: Corsica has been 2A and 2B since 1976.
DEPARTEMENT_RE = re.compile(r"^(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|2[AB]|97[1-8]|98[4-9])$")


def is_insee(code: str) -> bool:
    """A commune's code officiel géographique: 5 digits, or 2A/2B and 3 digits for Corsica."""
    return bool(INSEE_RE.match(code.strip().upper()))


def is_siren(code: str) -> bool:
    """A SIREN (9 digits) whose Luhn checksum holds."""
    digits = code.replace(" ", "")
    if not (len(digits) == 9 and digits.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def is_postal_code(code: str) -> bool:
    return bool(POSTAL_RE.match(code.strip()))


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value.strip()))


def is_phone(value: str) -> bool:
    """A French number, national (10 digits starting with 0) or international (+33…)."""
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    return bool(re.fullmatch(r"0[1-9]\d{8}", digits))


def is_departement(value: str) -> bool:
    return bool(DEPARTEMENT_RE.match(value.strip().upper()))


def is_web_link(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/$.?#][^\s]*$", value.strip(), re.IGNORECASE))


def thousands(n: int) -> str:
    """French digit grouping with a narrow no-break space: 230 890."""
    return f"{n:,}".replace(",", "\u202f")


def file_size(n: int) -> str:
    """French sizes, on screen and on paper alike: "1 octet", "850 octets", "12 ko", "3,4 Mo".

    French writes the kilo-octet "ko" (lower-case k, as every SI kilo); the mega-octet is "Mo".
    """
    if n < 1024:
        return f"{n} octet{'s' if n > 1 else ''}"
    if n < 1024 * 1024:
        return f"{round(n / 1024)} ko"
    return f"{n / (1024 * 1024):.1f} Mo".replace(".", ",")


def plural(n: int, words: str, plural_words: str | None = None) -> str:
    """ "0 problème bloquant", "1 page", "15 pages", "2 services couverts": French keeps 0 and 1 singular.

    Every word of ``words`` takes an "s" when ``n`` is 2 or more, unless ``plural_words`` spells the
    plural out (for words that do not simply take an "s": "travail" → "travaux").
    """
    if n > 1:
        words = plural_words if plural_words is not None else " ".join(w + "s" for w in words.split(" "))
    return f"{thousands(n)} {words}"


def short_fingerprint(sha256: str, digits: int = 16) -> str:
    """The start of a SHA-256 as a code one can read out or compare by eye: "8096 2839 f215 1e08"."""
    head = sha256[:digits]
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))
