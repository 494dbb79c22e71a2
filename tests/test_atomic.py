"""``app.atomic.write_atomically``: the one way a file of ours is replaced (account, dossier, mosaïque)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.atomic import write_atomically


def test_the_file_is_replaced_whole_and_no_temporary_file_stays(tmp_path: Path) -> None:
    target = tmp_path / "dossier.json"
    target.write_bytes(b"ancien")
    write_atomically(target, b"nouveau", prefix=".essai-", suffix=".json")
    assert target.read_bytes() == b"nouveau"
    assert [p.name for p in tmp_path.iterdir()] == ["dossier.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "mosaique.svg"
    target.write_bytes(b"ancien")
    with pytest.raises(TypeError):
        write_atomically(target, "pas des octets")  # type: ignore[arg-type]  # fails while writing
    assert target.read_bytes() == b"ancien"
    assert [p.name for p in tmp_path.iterdir()] == ["mosaique.svg"]
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "absent" / "x.png", b"x")  # no folder: the caller says it in French
