"""A real client process for the crash test: signs in as alice, opens the first ticket, presses R and types a
reply key by key, and keeps running until it is killed. Prints `TYPED <ticket id>` as soon as the last key
has been handled (its letter is on the screen), so the test can kill it before any timer could fire."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import make_url

from app.desktop import application
from app.services.desk import HelpDesk
from app.views.drafts import DraftStore
from app.views.main_window import MainWindow
from app.views.tasks import TaskRunner
from tests.support.world import runtime_as

TEXT = "Typed before the crash"


def main(url: str, drafts: Path) -> None:
    app = application()
    window = MainWindow(HelpDesk(runtime_as(make_url(url), "alice")), TaskRunner(), DraftStore(drafts))
    window.show()
    while window.editor.detail is None:
        app.processEvents()
        time.sleep(0.01)
    window.activateWindow()
    window.table.setFocus()
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_R)  # Reply: the keyboard goes to the composer
    QTest.keyClicks(QApplication.focusWidget() or window.editor.composer, TEXT)
    assert window.editor.composer.toPlainText() == TEXT, window.editor.composer.toPlainText()
    print(f"TYPED {window.editor.detail.ticket.id}", flush=True)
    while True:  # until killed
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
