"""The composer's status-and-Send row in a narrow pane: it stacks instead of cutting the status choice
(it showed "(unchanged: Pendir" beside the account panel), and goes back side by side when there is room."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.views.labels import plain_label
from app.views.wrapping_row import WrappingRow


def composer_like_row(qtbot: QtBot) -> tuple[QWidget, WrappingRow, QComboBox]:
    pane = QWidget()
    qtbot.addWidget(pane)
    status = QComboBox()
    status.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    status.addItem("(unchanged: Pending third party)")
    row = WrappingRow()
    row.add_first(plain_label("then set status"))
    row.add_first(status)
    row.add_second(QPushButton("Send"))
    row.add_second(QPushButton("Send && next"))
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(row)
    layout.addStretch()  # the row at its own height, as under the composer's text
    pane.show()
    qtbot.waitExposed(pane)
    return pane, row, status


def test_a_narrow_pane_stacks_the_row_and_the_status_choice_keeps_its_width(qtbot: QtBot) -> None:
    pane, row, status = composer_like_row(qtbot)
    pane.resize(row.wide_enough() + 100, 200)
    qtbot.waitUntil(lambda: not row.stacked)
    side_by_side = row.height()

    pane.resize(row.wide_enough() // 2 + 60, 200)  # as narrow as a ticket pane beside the account panel
    qtbot.waitUntil(lambda: row.stacked)
    qtbot.waitUntil(lambda: status.width() >= status.sizeHint().width())  # the whole status is shown
    assert row.height() > side_by_side  # a row more, not a cut
    assert pane.width() < row.wide_enough()

    pane.resize(row.wide_enough() + 100, 200)
    qtbot.waitUntil(lambda: not row.stacked)


def test_a_longer_status_stacks_a_row_that_was_wide_enough_before(qtbot: QtBot) -> None:
    pane, row, status = composer_like_row(qtbot)
    pane.resize(row.wide_enough() + 20, 200)
    qtbot.waitUntil(lambda: not row.stacked)
    status.addItem("(unchanged: Waiting for the customer's finance department)")
    status.setCurrentIndex(1)
    qtbot.waitUntil(lambda: row.stacked)  # the combo's hint grew, the pane did not
    qtbot.waitUntil(lambda: status.width() >= status.sizeHint().width())
