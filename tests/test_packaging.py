"""The PyInstaller bundle really runs: data files found, CLI, PDF, PNG and the window (slow: make test-slow)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# The Linux bundle was 245 MiB (du -sh) with every Qt plugin PySide6's hooks pulled in; 209 MiB now.
BUNDLE_MAX_BYTES = 225 * 2**20


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
    size = sum(p.lstat().st_size for p in exe.parent.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"\nPaquet autonome : {size / 2**20:.0f} Mio ({exe.parent.name})")
    assert size < BUNDLE_MAX_BYTES, f"{size / 2**20:.0f} MiB: an unused Qt module came back into the bundle"
    env = {**_env(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env, timeout=120)
    assert version.returncode == 0 and version.stdout.strip() == "Arobase 0.1.0", version
    self_test = subprocess.run([str(exe), "--self-test"], capture_output=True, text=True, env=env, timeout=300)
    assert self_test.returncode == 0, self_test.stderr
    db = tmp_path / "bundle.sqlite"
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
    assert [p.name for p in exe.parent.rglob("*.qm")] == ["qtbase_fr.qm"], "Qt's French texts, and only them"
    assert list(exe.parent.rglob("*Qt6Pdf*")), "QtPdf stays: the print preview"
    assert list(exe.parent.rglob("arobase-256.png")), "the window icon (ui/app_icon.py)"
    licence = exe.parent / "_internal" / "LICENSE"  # PyInstaller's folder of data files, beside the program
    assert licence.read_bytes() == (ROOT / "LICENSE").read_bytes(), "the EUPL's text goes with every copy"
    # The window, up to the dossier on screen (the marker bench_startup.py waits for).
    window = subprocess.run(
        [str(exe), "--db", str(db)],
        env={**env, "AROBASE_QUIT_WHEN_READY": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert window.returncode == 0, window.stderr
    assert "AROBASE_READY" in window.stdout


def _env(tmp_path: Path) -> dict[str, str]:
    """A home of its own: the user's data, cache, settings and log folders all inside tmp_path."""
    return {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "QT_QPA_PLATFORM": "offscreen",
    }


def test_the_version_is_the_packages_everywhere() -> None:
    import re
    import tomllib

    from app.version import VERSION

    assert tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"] == VERSION
    metainfo = (ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    assert re.search(r'<release version="([^"]+)"', metainfo)[1] == VERSION  # type: ignore[index]
    iss = (ROOT / "packaging" / "windows" / "arobase.iss").read_text(encoding="utf-8")
    assert f'#define AppVersion "{VERSION}"' in iss


def test_the_licence_is_the_eupl_everywhere_and_its_text_ships() -> None:
    """The EUPL (article 5) wants its text with every copy: LICENSE, in the wheel and in the bundle."""
    import tomllib

    from ui.dialogs.about_dialog import LICENCE

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "EUPL-1.2"
    assert "LICENSE" in project["license-files"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2\n")
    metainfo = (ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    assert "<project_license>EUPL-1.2</project_license>" in metainfo
    assert "EUPL-1.2" in LICENCE
    assert '(str(ROOT / "LICENSE"), ".")' in (ROOT / "packaging" / "arobase.spec").read_text(encoding="utf-8")


def test_version_and_self_test_from_source(tmp_path: Path) -> None:
    env = _env(tmp_path)
    version = subprocess.run(
        [sys.executable, "-m", "ui.launcher", "--version"], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert version.returncode == 0 and version.stdout.strip() == "Arobase 0.1.0", version
    result = subprocess.run(
        [sys.executable, "-m", "ui.launcher", "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Auto-test d'Arobase 0.1.0 réussi" in result.stdout
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "data").rglob("*.sqlite")), "the user's default store is never created"


APP_ID = "fr.villesinternet.Arobase"
LINUX_CHECKS = (
    ("desktop-file-validate", [str(ROOT / "packaging" / "linux" / f"{APP_ID}.desktop")]),
    ("appstreamcli", ["validate", "--no-net", str(ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml")]),
)


@pytest.mark.parametrize(("tool", "args"), LINUX_CHECKS, ids=[t for t, _a in LINUX_CHECKS])
def test_linux_desktop_entry_and_metainfo_are_valid(tool: str, args: list[str]) -> None:
    import shutil

    if shutil.which(tool) is None:
        # .ci/run installs desktop-file-utils and appstream: in CI the check always runs.
        assert not os.environ.get("CI"), f"{tool} is missing in CI (.ci/run installs it)"
        pytest.skip(f"{tool} absent (paquets Debian desktop-file-utils / appstream) : la vérification n'a pas lieu")
    result = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_windows_and_macos_workflow_passes_actionlint() -> None:
    """No forge runs the workflow here: actionlint checks its syntax, expressions, runner labels and action
    versions, and shellcheck its bash steps (both binaries come with the test extra)."""
    from tests.test_windows_installer import ISCC_PACKAGE

    workflow = ROOT / ".github" / "workflows" / "bundle.yml"
    actionlint, shellcheck = (Path(sys.executable).parent / tool for tool in ("actionlint", "shellcheck"))
    assert shellcheck.is_file(), "actionlint silently skips the shell steps without shellcheck"
    result = subprocess.run(
        [str(actionlint), "-no-color", "-shellcheck", str(shellcheck), str(workflow)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ISCC_PACKAGE in workflow.read_text(encoding="utf-8"), "the compiler the Wine test checks"
