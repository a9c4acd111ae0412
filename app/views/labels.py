"""Small text helpers the ticket widgets share: customer data as plain text, audit values as words."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain_label(text: str = "") -> QLabel:
    """Customer data is never rich text: a subject like <b>x</b> shows as typed."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def shown_value(value: Any) -> str:
    """An old or new value from the audit trail, as the history and the conflict dialog show it."""
    if value is None or value == []:
        return "—"
    if isinstance(value, dict):
        return str(value.get("kind", json.dumps(value)))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
