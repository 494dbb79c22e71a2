"""Arobase's icon: the committed files are what tools/make_icons.py draws from today's SVG, the Windows
and macOS files hold every size, and the window shows it."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.conftest import ROOT
from tools import make_icons
from ui.app_icon import SIZES, window_icon
from ui.qt import QImage

ICONS = ROOT / "resources" / "icons"


def _mean_difference(a: Path, b: Path) -> float:
    first, second = QImage(str(a)), QImage(str(b))
    assert first.size() == second.size(), (a.name, first.size(), second.size())
    raw_a = bytes(first.convertToFormat(QImage.Format.Format_RGBA8888).constBits())
    raw_b = bytes(second.convertToFormat(QImage.Format.Format_RGBA8888).constBits())
    return sum(abs(x - y) for x, y in zip(raw_a, raw_b, strict=True)) / len(raw_a)


def test_the_committed_icons_are_todays_drawing(tmp_path: Path) -> None:
    written = make_icons.write_all(tmp_path)
    assert {p.name for p in written} <= {p.name for p in ICONS.iterdir()}
    for size in make_icons.PNG_SIZES:
        # Another Qt release may antialias a little differently: a redrawn SVG moves far more than this.
        difference = _mean_difference(make_icons.png_path(size), make_icons.png_path(size, tmp_path))
        assert difference < 1.0, f"{size} px : relancez tools/make_icons.py ({difference:.2f})"
    assert make_icons.PNG_SIZES == SIZES


def test_windows_and_macos_files_hold_every_size() -> None:
    with Image.open(ICONS / "arobase.ico") as ico:
        assert ico.ico.sizes() == {(s, s) for s in make_icons.ICO_SIZES}
    with Image.open(ICONS / "arobase.icns") as icns:
        assert {(w, h) for w, h, _ in icns.info["sizes"]} >= {(s, s) for s in (16, 32, 128, 256, 512)}


def test_the_window_icon_has_every_size_and_none_without_the_files(tmp_path: Path) -> None:
    icon = window_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == list(SIZES)
    assert not icon.pixmap(32, 32).isNull()
    assert window_icon(tmp_path).isNull()


def test_the_application_carries_the_icon(qapp) -> None:  # type: ignore[no-untyped-def]
    from ui.application import configure_application

    app = configure_application(["arobase"])
    assert app is qapp
    assert sorted(s.width() for s in app.windowIcon().availableSizes()) == list(SIZES)
    assert app.desktopFileName() == "fr.villesinternet.Arobase"
