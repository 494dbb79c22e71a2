"""French plurals, digit grouping and the short fingerprint shared by the window (and usable by the PDF, CLI)."""

from __future__ import annotations

from app.formats import plural, short_fingerprint, thousands


def test_french_keeps_zero_and_one_singular() -> None:
    assert plural(0, "bloquant") == "0 bloquant"
    assert plural(1, "page") == "1 page"
    assert plural(15, "page") == "15 pages"
    assert plural(2, "problème bloquant") == "2 problèmes bloquants"
    assert plural(3, "service repris", "services repris") == "3 services repris"
    assert plural(1, "service repris", "services repris") == "1 service repris"
    assert plural(1200, "action") == "1\u202f200 actions"
    assert "(s)" not in plural(2, "conseil")


def test_thousands_and_short_fingerprint() -> None:
    assert thousands(230890) == "230\u202f890"
    sha = "80962839f2151e08ea7446931a59132ccd6de39bdfd3a3ee0f80e04d945356e7"
    assert short_fingerprint(sha) == "8096 2839 f215 1e08"
    assert short_fingerprint(sha).replace(" ", "") == sha[:16]


def test_one_file_size_for_screen_and_paper() -> None:
    """French writes "ko" (a lower-case kilo), the same in the fiche's list and in the printed dossier."""
    from app.formats import file_size

    assert file_size(1) == "1 octet"
    assert file_size(850) == "850 octets"
    assert file_size(2048) == "2 ko"
    assert file_size(int(3.4 * 1024 * 1024)) == "3,4 Mo"


def test_no_second_size_formatter() -> None:
    """Every size shown goes through app.formats.file_size: no "Ko" and no other "def …size(" formatter."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = []
    for folder in ("app", "ui"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"[\d}] Ko\b", text) or (
                path.name != "formats.py" and re.search(r"def \w*(human|file)_size\(", text)
            ):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
