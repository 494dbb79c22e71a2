"""Kill the real application right after a keystroke's autosave: the text is in the store file.

The child process builds the real window on a real store, types into the synthesis of an action with
key events, waits for the autosave to commit, says so on stdout, and then keeps running until the test
kills it with SIGKILL: no close event, no flush, exactly like a crash or a power cut.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from app.edition import Edition, EditionCatalog
from app.interchange import to_document
from app.workspace import Workspace
from tests.conftest import ROOT
from tests.factories import complete_dossier, fixed_clock

TYPED = "Texte tapé juste avant la panne <b>&amp; 🙂"

CHILD = r"""
import sys, time
from pathlib import Path
from PySide6.QtTest import QTest
from app.edition import EditionCatalog
from app.workspace import Workspace
from ui.application import build_main_window, configure_application
from ui.qt import QApplication, QSettings

store, settings_path, text = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
app = configure_application(["arobase"])
window = build_main_window(Workspace.open(store, EditionCatalog()),
                           settings=QSettings(settings_path, QSettings.Format.IniFormat))
window.show()
deadline = time.monotonic() + 30
while not window.controller.dossier.actions and time.monotonic() < deadline:
    QApplication.processEvents()
window.view.navigate("action:" + window.controller.dossier.actions[0].uuid)
field = window.view.actions_page.editor.widgets["synthesis"]
field.setFocus()
field.selectAll()
saved = []
window.controller.saved.connect(saved.append)
for ch in text:  # key events; QTest.keyClick mangles non-ASCII characters, so those are inserted
    if ord(ch) < 128:
        QTest.keyClick(field, ch)
    else:
        field.insertPlainText(ch)
while not saved and time.monotonic() < deadline:
    QApplication.processEvents()
    time.sleep(0.005)
print("SAVED" if saved else "NOT SAVED", flush=True)
while True:  # go on running until killed
    QApplication.processEvents()
    time.sleep(0.01)
"""


def test_text_survives_a_kill_right_after_the_autosave(
    tmp_path: Path, store_path: Path, edition: Edition, catalog: EditionCatalog
) -> None:
    ws = Workspace.open(store_path, catalog, clock=fixed_clock)
    ws.import_document(to_document(complete_dossier(edition, n_actions=2)))
    first = ws.load("2019").actions[0].uuid
    ws.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store_path), str(tmp_path / "reglages.ini"), TYPED],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == "SAVED", child.stderr.read() if child.poll() is not None else line
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    after = Workspace.open(store_path, catalog, clock=fixed_clock)
    try:
        assert after.store.integrity_ok()
        assert after.load("2019").action(first).synthesis == TYPED
    finally:
        after.close()
