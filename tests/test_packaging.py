"""The PyInstaller bundle really runs: data files found, CLI, PDF, PNG and the window (slow: make test-slow)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_the_bundle_imports_prints_and_opens(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(ROOT), "pyinstaller"], check=True, timeout=1200)
    subprocess.run(
        [
            str(venv / "bin" / "pyinstaller"),
            "--noconfirm",
            "--distpath",
            str(tmp_path / "dist"),
            "--workpath",
            str(tmp_path / "build"),
            str(ROOT / "packaging" / "arobase.spec"),
        ],
        check=True,
        timeout=1200,
        capture_output=True,
    )
    (exe,) = (tmp_path / "dist").glob("Arobase-*/Arobase")
    db = tmp_path / "bundle.sqlite"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    example = ROOT / "resources" / "exemples" / "dossier-exemple-2019.json"
    for args in (
        ["import", str(example)],
        ["pdf", "--out", str(tmp_path / "d.pdf")],
        ["mosaique", "--out", str(tmp_path / "m.png")],
    ):
        result = subprocess.run(
            [str(exe), "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=300
        )
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF")
    assert list(exe.parent.rglob("qtbase_fr.qm")), "Qt's French texts are bundled"
    window = subprocess.run(
        [str(exe), "--db", str(db)],
        env={**env, "AROBASE_QUIT_AFTER_MS": "1500"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert window.returncode == 0, window.stderr
