"""Exports of the mosaïque: SVG (pure Python), reportlab Drawing and PNG, and ``arobase mosaique``."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from app.edition import Edition
from app.interchange import to_document
from app.mosaic_layout import compute_layout
from app.mosaic_reportlab import build_drawing, cell_count
from app.mosaic_shapes import MosaicLayout
from app.mosaic_svg import to_svg, write_svg
from app.workspace import Workspace
from tests.conftest import run_cli
from tests.test_mosaic_layout import known_dossier

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</title><script>alert('x')</script> & \"guillemets\" \x0b ]]>"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def has_png_renderer() -> bool:
    try:
        from reportlab.graphics import renderPM

        renderPM._getPMBackend()
    except Exception:
        return False
    return True


@pytest.fixture
def layout(edition: Edition) -> MosaicLayout:
    return compute_layout(edition, known_dossier(edition))


def svg_cells(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id", "")[len("service-") :]: g for g in root.iter(f"{SVG}g") if g.get("class") == "service"}


def test_svg_has_every_service_its_state_and_escaped_text(tmp_path: Path, edition: Edition) -> None:
    dossier = known_dossier(edition)
    hostile = replace(dossier, actions=(dossier.actions[0].updated(title=HOSTILE), *dossier.actions[1:]))
    layout = compute_layout(edition, hostile)
    out = tmp_path / "mosaique.svg"
    write_svg(layout, out, 1200)
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "1200" and float(root.get("height", "0")) == pytest.approx(1200 * layout.aspect, 0.01)
    assert root.get("viewBox") == f"0 0 1000 {layout.height:g}"
    cells = svg_cells(root)
    assert set(cells) == {s.id for s in edition.services}
    assert all(root.find(f".//*[@id='service-{s.id}']") is not None for s in edition.services)
    assert len(root.findall(f".//{SVG}script")) == 0
    for c in layout.cells:
        rect = cells[c.service_id].find(f"{SVG}rect")
        assert rect is not None and rect.get("fill") == c.fill
        assert cells[c.service_id].get("data-state") == c.state_key
    title = cells["identite-01"].find(f"{SVG}title")
    assert title is not None and "• </title><script>alert('x')</script> & \"guillemets\"  ]]>" in (title.text or "")
    assert not list(tmp_path.glob(".mosaique-*"))  # the temporary file was renamed, not left behind


def test_svg_without_a_width_uses_layout_units(layout: MosaicLayout) -> None:
    root = ET.fromstring(to_svg(layout))
    assert root.get("width") == "1000"


def test_reportlab_drawing_holds_the_same_cells_at_the_layout_aspect(layout: MosaicLayout) -> None:
    drawing = build_drawing(layout, 500.0)
    assert drawing.width == 500 and drawing.height == pytest.approx(500 * layout.aspect)
    assert cell_count(drawing) == len(layout.cells) == 138
    fills = [group.contents[0].fillColor.hexval().upper().replace("0X", "#") for group in drawing.cells.contents]
    assert fills == [c.fill for c in layout.cells]
    strings = [s.text for s in drawing.getContents() if hasattr(s, "text")]
    for q in layout.quadrants:
        assert q.figure in strings


def test_reportlab_png_is_right_or_refused_in_french(tmp_path: Path, layout: MosaicLayout) -> None:
    """The optional backend (rlPyCairo): a PNG of the asked width when present, else a French sentence, no file."""
    from app.mosaic_reportlab import MosaicPngError, write_png

    out = tmp_path / "mosaique.png"
    if has_png_renderer():
        write_png(layout, out, 600)
        width, height = png_size(out)
        assert width == 600 and abs(height - 600 * layout.aspect) <= 1
    else:
        with pytest.raises(MosaicPngError, match="rlPyCairo"):
            write_png(layout, out, 600)
        assert list(tmp_path.iterdir()) == []


@pytest.fixture
def store_with_dossier(ws: Workspace, edition: Edition) -> Path:
    ws.import_document(to_document(known_dossier(edition)))
    path = ws.path
    ws.close()
    return path


def test_cli_writes_an_svg_with_every_service(tmp_path: Path, store_with_dossier: Path, edition: Edition) -> None:
    out = tmp_path / "mosaique.svg"
    result = run_cli("mosaique", "--db", str(store_with_dossier), "--out", str(out), "--width", "800")
    assert result.returncode == 0, result.stderr
    assert "6 services couverts sur 138" in result.stdout
    root = ET.parse(out).getroot()
    assert set(svg_cells(root)) == {s.id for s in edition.services}
    assert root.get("width") == "800"


def test_cli_writes_a_png_of_the_asked_width(tmp_path: Path, store_with_dossier: Path, edition: Edition) -> None:
    """Through the installed ``arobase`` entry point, which draws with Qt offscreen (no display needed)."""
    import os
    import subprocess
    import sys

    out = tmp_path / "mosaique.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    arobase = Path(sys.executable).parent / "arobase"
    result = subprocess.run(
        [str(arobase), "mosaique", "--out", str(out), "--width", "640", "--db", str(store_with_dossier)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    aspect = compute_layout(edition, known_dossier(edition)).aspect
    width, height = png_size(out)
    assert width == 640 and abs(height - 640 * aspect) <= 1


def test_cli_refuses_an_unknown_extension_in_french(tmp_path: Path, store_with_dossier: Path) -> None:
    for name, width in (("mosaique.gif", None), ("mosaique", None), ("mosaique.svg", "large")):
        out = tmp_path / name
        args = ["mosaique", "--db", str(store_with_dossier), "--out", str(out)]
        result = run_cli(*args, *(["--width", width] if width else []))
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("arobase : ") and "Traceback" not in result.stderr
        assert ".png ou .svg" in lines[0] or "largeur" in lines[0]
        assert not out.exists()


def test_cli_evolution_needs_an_earlier_dossier(tmp_path: Path, store_with_dossier: Path) -> None:
    result = run_cli("mosaique", "--db", str(store_with_dossier), "--out", str(tmp_path / "m.svg"), "--evolution")
    assert result.returncode == 2 and "aucun dossier d'une édition antérieure à 2019" in result.stderr
