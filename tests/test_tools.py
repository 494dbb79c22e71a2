"""The developers' tools at the root (tools/), outside every shipped package, still do their job."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.edition import EditionCatalog
from app.interchange import from_document
from tests.conftest import ROOT

EXAMPLE = ROOT / "resources" / "exemples" / "dossier-exemple-2019.json"


def test_build_example_writes_the_shipped_example(tmp_path: Path) -> None:
    out = tmp_path / "exemple.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_example.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    edition = EditionCatalog().get("2019")
    built = from_document(json.loads(out.read_text(encoding="utf-8")), edition)
    shipped = from_document(json.loads(EXAMPLE.read_text(encoding="utf-8")), edition)
    assert built == shipped and len(built.actions) == 8


def test_the_shipped_example_folder_holds_data_only() -> None:
    assert sorted(p.name for p in (ROOT / "resources" / "exemples").iterdir() if p.suffix == ".py") == ["__init__.py"]
