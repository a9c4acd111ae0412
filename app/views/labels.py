"""Small text helpers the ticket widgets share: customer data as plain text (audit values: change_labels)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain_label(text: str = "") -> QLabel:
    """Customer data is never rich text: a subject like <b>x</b> shows as typed."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
