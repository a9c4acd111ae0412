"""Enter in a dialog does what the dialog is for, whichever field has the keyboard.

Qt makes every push button in a dialog an "auto default" one: a button that has had the focus becomes the
one Enter presses. In the SLA policy editor Enter after typing a name added an escalation step (Add step
had been the default), in routing settings it opened "Shift and out of office…" instead of the preview,
in the SLA policies dialog it opened a new policy instead of editing the chosen one.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QPushButton, QWidget


def enter_presses(dialog: QWidget, button: QPushButton) -> None:
    """Make `button` the one Enter presses in `dialog`, and no other button (call once all are built)."""
    for other in dialog.findChildren(QPushButton):
        other.setAutoDefault(other is button)
    button.setDefault(True)


def tab_leaves(*tables: QAbstractItemView) -> None:
    """Tab moves on to the next field instead of from cell to cell (the arrow keys do that): in the
    calendar's opening hours and a policy's targets Tab went round the cells for ever, and the fields after
    the table were out of the keyboard's reach."""
    for table in tables:
        table.setTabKeyNavigation(False)
