"""A row of two groups that stacks them when it is too narrow for both side by side.

The composer's "then set status" and its Send buttons share a row under the text; in a narrow ticket pane
(the account panel open beside it) the row was squeezed and the status choice cut to "(unchanged: Pendir".
Qt's box layouts shrink a widget below its size hint rather than wrap, so this row changes direction
itself: side by side when both groups fit at their size hints, otherwise the first above the second.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLayout, QSizePolicy, QWidget


class WrappingRow(QWidget):
    """`first` (left-aligned) and `second` (right-aligned) side by side, or stacked when narrower than both.

    Fill it with `add_first` and `add_second`, in order.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Never taller than its rows: stacked, the second group's stretch would otherwise claim the height
        # a queue's table or a reply's text should get.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.first = QHBoxLayout()
        self.first.addStretch()  # stacked, the first group stays at the left
        self.second = QHBoxLayout()
        self.second.addStretch()  # and the second at the right
        self._row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # narrower than both: it stacks
        self._row.addLayout(self.first)
        self._row.addLayout(self.second, 1)

    def add_first(self, widget: QWidget) -> None:
        self.first.insertWidget(self.first.count() - 1, widget)  # before the stretch

    def add_second(self, widget: QWidget) -> None:
        self.second.addWidget(widget)

    @property
    def stacked(self) -> bool:
        return self._row.direction() == QBoxLayout.Direction.TopToBottom

    def wide_enough(self) -> int:
        """The width both groups need side by side at their size hints (the same in either direction)."""
        return self.first.sizeHint().width() + self._row.spacing() + self.second.sizeHint().width()

    def minimumSizeHint(self) -> QSize:
        """As narrow as the wider group: below what both need, the row stacks instead of cutting them. As
        high as the groups are now arranged: stacked, both; side by side, the taller (a side-by-side row that
        asked for both heights left a gap above a queue's table)."""
        first, second = self.first.minimumSize(), self.second.minimumSize()
        high = (
            first.height() + self._row.spacing() + second.height()
            if self.stacked
            else max(first.height(), second.height())
        )
        return QSize(max(first.width(), second.width()), high)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit(event.size().width())
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a group's hint changed (a longer status, say)
            self._fit(self.width())
        return super().event(event)

    def _fit(self, width: int) -> None:
        wanted = QBoxLayout.Direction.LeftToRight if width >= self.wide_enough() else QBoxLayout.Direction.TopToBottom
        if self._row.direction() != wanted:
            self._row.setDirection(wanted)
            self.updateGeometry()  # the row's height changed: the composer's layout makes room
