"""Guard against a Qt binding that corrupts the interpreter (PySide6 6.12.0 on Python 3.11 frees None).

Every void call of that build dropped a reference to None without taking one, so the window aborted
with "Fatal Python error: none_dealloc" after a few thousand calls. pyproject.toml excludes it; this
test fails if a future upgrade brings such a bug back.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
from ui.qt import QApplication, QWidget
app = QApplication([])
w = QWidget()
before = sys.getrefcount(None)
for _ in range(100_000):
    w.setEnabled(True)
    w.setToolTip("")
after = sys.getrefcount(None)
print(before, after)
sys.exit(0 if after >= before - 1000 else 1)
"""


def test_void_calls_leave_none_alone() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    assert result.returncode == 0, result.stderr[-2000:]
