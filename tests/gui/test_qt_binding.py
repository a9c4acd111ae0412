"""The Qt binding itself: PySide6 6.12.0 released True/False once too often on every signal delivered to a
Python slot (on Python 3.11), and the process died with 'bool_dealloc' after a few thousand signals."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    number = Signal(int)
    flag = Signal(bool)


EMITS = 1000
# Other threads of the process (a background task of an earlier test finishing, the garbage collector) move
# the counts of True and False by a few dozen; the broken binding lowered them by one a delivered signal.
NOISE = 100


def test_signals_to_python_slots_keep_reference_counts_intact() -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.number.connect(received.append)
    emitter.flag.connect(lambda value: received.append(value))
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(EMITS):
        emitter.number.emit(1)
        emitter.flag.emit(True)
    received.clear()
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert all(now > then - NOISE for now, then in zip(after, before, strict=True)), (before, after)
