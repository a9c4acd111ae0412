"""One agent's weekly shift (several intervals a day, in their own time zone) and out of office (through a
date, with a substitute), as a lead edits them from the routing settings dialog. Nothing is saved here: the
dialog hands back the facts that changed, which the settings dialog previews and saves with the rest
through `set_agent_routing()`. Everything is reachable by keyboard (each field has its Alt+letter)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import InvalidInput
from app.services.routing.dto import AgentRoutingFacts
from app.services.routing.shifts import day_hours, describe_shift, parse_week

DAY_LABELS = ("&Monday", "&Tuesday", "&Wednesday", "T&hursday", "&Friday", "S&aturday", "Su&nday")
NO_SUBSTITUTE = "(nobody)"
_ZONES: list[str] = []


def time_zones() -> list[str]:
    """The IANA zone names, sorted, read once (a few hundred file names)."""
    if not _ZONES:
        _ZONES.extend(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))
    return _ZONES


def schedule_text(facts: AgentRoutingFacts, changes: dict[str, Any] | None = None) -> str:
    """A one-line summary for the agents table: the time zone, the working days' hours, the out of office."""
    changes = changes or {}
    zone = changes.get("time_zone", facts.time_zone)
    shift = changes.get("shift", facts.shift)
    until = changes.get("out_of_office_until", facts.out_of_office_until)
    hours = "; ".join(describe_shift(shift)) if shift else "no schedule"
    away = f"; out of office through {until.isoformat()}" if until else ""
    return f"{zone}: {hours}{away}"


class AgentScheduleDialog(QDialog):
    """Attributes:
    time_zone: an editable list of time zones (type to complete).
    days: seven line edits, Monday first: "09:00-12:00, 13:00-17:00"; blank for a day off.
    away_until: out of office through this date of their time zone (YYYY-MM-DD; blank: at work).
    substitute: who takes their customers meanwhile (another agent of the queue), or nobody.
    message: why what was typed cannot be read (the dialog stays open).
    """

    def __init__(
        self,
        facts: AgentRoutingFacts,
        colleagues: list[AgentRoutingFacts],
        changes: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Shift and out of office: {facts.name}")
        self.facts = facts
        changes = changes or {}
        self._colleagues = {c.login: c.agent_id for c in colleagues if c.agent_id != facts.agent_id}

        self.time_zone = QComboBox()
        self.time_zone.setEditable(True)
        self.time_zone.addItems(time_zones())
        self.time_zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter(self.time_zone.model(), self.time_zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.time_zone.setCompleter(completer)
        self.time_zone.setCurrentText(changes.get("time_zone", facts.time_zone))
        shift = changes.get("shift", facts.shift)
        self.days = [QLineEdit(day_hours(shift, day)) for day in range(7)]
        for line in self.days:
            line.setPlaceholderText("day off")
        until = changes.get("out_of_office_until", facts.out_of_office_until)
        self.away_until = QLineEdit(until.isoformat() if until else "")
        self.away_until.setPlaceholderText("YYYY-MM-DD; blank: at work")
        self.substitute = QComboBox()
        self.substitute.addItem(NO_SUBSTITUTE, None)
        for colleague in colleagues:
            if colleague.agent_id != facts.agent_id:
                self.substitute.addItem(colleague.name, colleague.agent_id)
        current = changes.get("substitute", self._colleagues.get(facts.substitute or "", facts.substitute))
        index = self.substitute.findData(current)
        if index < 0 and facts.substitute:  # a colleague of another of their queues: kept as it is
            self.substitute.addItem(facts.substitute, facts.substitute)
            index = self.substitute.count() - 1
        self.substitute.setCurrentIndex(max(index, 0))
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)

        form = QFormLayout()
        zone_label = QLabel("Time &zone")
        zone_label.setBuddy(self.time_zone)
        form.addRow(zone_label, self.time_zone)
        for text, line in zip(DAY_LABELS, self.days, strict=True):
            label = QLabel(text)
            label.setBuddy(line)
            form.addRow(label, line)
        away_label = QLabel("&Out of office through")
        away_label.setBuddy(self.away_until)
        form.addRow(away_label, self.away_until)
        substitute_label = QLabel("Su&bstitute")
        substitute_label.setBuddy(self.substitute)
        form.addRow(substitute_label, self.substitute)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        hint = QLabel(
            "Hours in the agent's own time zone, e.g. 09:00-12:00, 13:00-17:00. Leave every day blank for no "
            "schedule: at work whenever available."
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.changes: dict[str, Any] = {}

    def edited_facts(self) -> dict[str, Any]:
        """The facts that differ from the agent's stored ones, as `set_agent_routing()` takes them. Raises
        InvalidInput for hours or a time zone that cannot be read."""
        zone = self.time_zone.currentText().strip()
        known = time_zones()  # empty without a zone database here: the database's own list decides
        if zone != self.facts.time_zone and (not zone or (known and zone not in known)):
            raise InvalidInput(f"{zone or 'An empty name'} is not a time zone such as Europe/Berlin")
        shift = parse_week([line.text() for line in self.days])
        until: dt.date | None = None
        if typed := self.away_until.text().strip():
            try:
                until = dt.date.fromisoformat(typed)
            except ValueError:
                raise InvalidInput(f"{typed} is not a date such as 2026-12-24 (year-month-day)") from None
        changed: dict[str, Any] = {}
        if zone != self.facts.time_zone:
            changed["time_zone"] = zone
        if shift != parse_week([day_hours(self.facts.shift, day) for day in range(7)]):
            changed["shift"] = shift
        if until != self.facts.out_of_office_until:
            changed["out_of_office_until"] = until
        substitute = self.substitute.currentData()
        if isinstance(substitute, int | type(None)) and substitute != self._colleagues.get(
            self.facts.substitute or "", self.facts.substitute
        ):
            changed["substitute"] = substitute
        return changed

    def accept(self) -> None:
        try:
            self.changes = self.edited_facts()
        except InvalidInput as error:
            self.message.setText(str(error))
            return
        super().accept()
