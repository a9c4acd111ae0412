"""Routing settings for a queue's lead or an admin: the queue's weights and its agents' facts (capacity,
skills, languages; time zone, weekly shift and out of office in a small dialog of their own, Alt+H), with a
dry-run preview of the last 30 days, shifts and out of office replayed, before anything is saved.

Save stays disabled until the edits shown were previewed: any change after a preview asks for a new one.
Everything slow (reading the settings, the dry-run, saving) runs in the background; the database decides
who may change what, and its refusal is shown as the sentence it is. Names are data: plain text only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import RoutingArea
from app.services.errors import InvalidInput
from app.services.routing.dto import WEIGHT_FACTORS, AgentRoutingFacts, DryRunPreview, QueueRoutingSettings
from app.services.routing.parsing import parse_languages, parse_skills, split_list
from app.views.agent_schedule import AgentScheduleDialog, schedule_text
from app.views.dialog_keys import enter_presses, tab_leaves
from app.views.errors import explain_failure
from app.views.labels import plain_label
from app.views.sizing import resize_on_screen
from app.views.tasks import TaskRunner
from app.views.unsaved import AsksBeforeDiscarding

FACTOR_LABELS = {
    "skill": "&Skill",
    "language": "&Language",
    "room": "&Room under capacity",
    "stickiness": "S&tickiness to the customer's agent",
    "track_record": "Track &record",
    "sla_risk": "SLA ris&k",
}
AGENT_COLUMNS = ["Agent", "Capacity", "Skills (name:level)", "Languages", "Shift and out of office (Alt+H)"]
PREVIEW_COLUMNS = ["Agent", "Would get", "Got"]
NAME, CAPACITY, SKILLS, LANGUAGES, SCHEDULE = range(5)
PREVIEW_FIRST = "Preview the change on the last 30 days before saving it."


def skills_text(facts: AgentRoutingFacts) -> str:
    return ", ".join(f"{name}:{level}" for name, level in facts.skills)


def summary_words(preview: DryRunPreview) -> str:
    """The replay in words: what the settings as edited would have done with the last days' tickets, beside
    who got them — by hand, by a claim, or under earlier settings and rosters (a lead read "104 would have
    gone to someone else" of settings not changed at all as a contradiction) — and an agent the settings
    would give most of the work to."""
    nobody = f"; {preview.no_eligible_agent} would find nobody eligible" if preview.no_eligible_agent else ""
    relaxed = (
        "; rules relaxed: " + ", ".join(f"{rule} ({count} tickets)" for rule, count in preview.relaxed)
        if preview.relaxed
        else ""
    )
    return (
        f"Replayed {preview.tickets} tickets of the last {preview.days} days with these settings:"
        f" {preview.changed} would have gone to someone other than who got them (assigned by hand, claimed,"
        f" or routed under earlier settings){nobody}{relaxed}.{_most_to_one(preview)} Nothing was written."
    )


MOST_TO_ONE = 0.5  # a share of the replayed tickets one agent would get that a lead should see said


def _most_to_one(preview: DryRunPreview) -> str:
    if len(preview.agents) < 2 or preview.tickets == 0:
        return ""
    busiest = max(preview.agents, key=lambda tally: tally.would_get)
    share = busiest.would_get / preview.tickets
    if share <= MOST_TO_ONE:
        return ""
    return f" {busiest.name} alone would get {busiest.would_get} of them ({share:.0%}): check their capacity."


class RoutingSettingsDialog(AsksBeforeDiscarding):
    """Attributes:
    state: "loading", "ready", "previewing", "previewed", "saving", "failed" or "nothing to lead".
    queue_choice: the queues one leads (all of them for an admin).
    weight_boxes: one spin box per factor; overflow_cap, urgent_weight: spin boxes.
    agents: the queue's agents, one row each; capacity, skills and languages are edited in place.
    schedule_button: opens the current agent's shift and out of office (`schedule_dialog`) to edit.
    preview_button: runs the dry-run on the edits shown; save_button: enabled once those were previewed.
    preview_table: per agent, how many tickets they would have got and got; summary, message: sentences.
    saved_version: the settings version the last save made.
    """

    def __init__(self, routing: RoutingArea, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Routing settings")
        self.routing, self.runner = routing, runner
        self.state = "loading"
        self.saved_version: int | None = None
        self._settings: QueueRoutingSettings | None = None
        self._agents: list[AgentRoutingFacts] = []
        self._previewed: tuple[Any, Any] | None = None
        self._filling = False
        self._schedules: dict[int, dict[str, Any]] = {}  # agent id -> shift, time zone, out of office changed
        self.schedule_dialog: AgentScheduleDialog | None = None

        self.queue_choice = QComboBox()
        self.queue_choice.currentIndexChanged.connect(self._load_queue)
        self.version = plain_label()
        self.weight_boxes: dict[str, QDoubleSpinBox] = {}
        weights = QGroupBox("Weights: how much each factor counts")
        grid = QGridLayout(weights)
        for index, factor in enumerate(WEIGHT_FACTORS):
            box = QDoubleSpinBox()
            box.setRange(0, 100)
            box.setDecimals(1)
            box.setSingleStep(0.5)
            box.valueChanged.connect(self._edited)
            self.weight_boxes[factor] = box
            label = QLabel(FACTOR_LABELS[factor])  # our own words, with their Alt+letter
            label.setBuddy(box)
            grid.addWidget(label, index // 2, (index % 2) * 2)
            grid.addWidget(box, index // 2, (index % 2) * 2 + 1)
        self.overflow_cap, self.urgent_weight = QSpinBox(), QSpinBox()
        self.overflow_cap.setRange(0, 10)
        self.urgent_weight.setRange(1, 10)
        self.overflow_cap.valueChanged.connect(self._edited)
        self.urgent_weight.valueChanged.connect(self._edited)
        rules = QHBoxLayout()
        for text, spin in (
            ("Tickets past capacity when nobody has room", self.overflow_cap),
            ("An urgent ticket counts as", self.urgent_weight),
        ):
            rules.addWidget(QLabel(text))
            rules.addWidget(spin)
        rules.addStretch()
        self.agents = QTableWidget(0, len(AGENT_COLUMNS))
        self.agents.setHorizontalHeaderLabels(AGENT_COLUMNS)
        self.agents.verticalHeader().hide()
        self.agents.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.agents.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.agents.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.agents.horizontalHeader().setStretchLastSection(True)
        self.agents.itemChanged.connect(self._edited)
        self.schedule_button = QPushButton("S&hift and out of office…")
        self.schedule_button.clicked.connect(self.edit_schedule)
        self.preview_table = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.preview_table.setHorizontalHeaderLabels(PREVIEW_COLUMNS)
        self.preview_table.verticalHeader().hide()
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            self.preview_table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.summary = plain_label(PREVIEW_FIRST)
        self.summary.setWordWrap(True)
        self.message = plain_label()
        self.message.setWordWrap(True)
        self.preview_button = QPushButton("&Preview (last 30 days)")
        self.preview_button.clicked.connect(self.preview)
        self.save_button = QPushButton("Sa&ve")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ApplyRole)
        buttons.rejected.connect(self.close_asked)

        top = QHBoxLayout()
        top.addWidget(plain_label("Queue"))
        top.addWidget(self.queue_choice, 1)
        top.addWidget(self.version)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(weights)
        layout.addLayout(rules)
        layout.addWidget(plain_label("Its agents (edit a cell: type, Enter)"))
        layout.addWidget(self.agents, 2)
        schedule_row = QHBoxLayout()
        schedule_row.addWidget(self.schedule_button)
        schedule_row.addStretch()
        layout.addLayout(schedule_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.preview_table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._set_editable(False)
        resize_on_screen(self, 760, 700)
        enter_presses(self, self.preview_button)  # not Shift and out of office…
        tab_leaves(self.agents, self.preview_table)
        runner.run(routing.led_queues, self._queues_arrived, self._failed)

    # --- loading ---------------------------------------------------------------------------------------------

    def _queues_arrived(self, queues: list[tuple[int, str]]) -> None:
        if not queues:
            self.state = "nothing to lead"
            self.message.setText("Routing settings are changed by a queue's lead or an admin: you lead no queue.")
            self.preview_button.setEnabled(False)
            return
        self._filling = True
        for queue_id, name in queues:
            self.queue_choice.addItem(name, queue_id)
        self._filling = False
        self._load_queue()

    def _load_queue(self) -> None:
        if self._filling or self.queue_choice.currentIndex() < 0:
            return
        queue_id = int(self.queue_choice.currentData())
        self.state = "loading"
        self._set_editable(False)
        routing = self.routing
        self.runner.run(
            lambda: (routing.queue_settings(queue_id), routing.queue_agents(queue_id)), self._arrived, self._failed
        )

    def _arrived(self, loaded: tuple[QueueRoutingSettings, list[AgentRoutingFacts]]) -> None:
        settings, agents = loaded
        if self.queue_choice.currentData() != settings.queue_id:
            return  # another queue was chosen meanwhile; its answer is on its way
        self._settings, self._agents = settings, agents
        self._schedules = {}
        self._filling = True
        for factor, value in settings.weights:
            self.weight_boxes[factor].setValue(value)
        self.overflow_cap.setValue(settings.overflow_cap)
        self.urgent_weight.setValue(settings.urgent_weight)
        self.agents.setRowCount(len(agents))
        for row, facts in enumerate(agents):
            name = QTableWidgetItem(facts.name)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.agents.setItem(row, NAME, name)
            self.agents.setItem(row, CAPACITY, QTableWidgetItem(str(facts.capacity)))
            self.agents.setItem(row, SKILLS, QTableWidgetItem(skills_text(facts)))
            self.agents.setItem(row, LANGUAGES, QTableWidgetItem(", ".join(facts.languages)))
            schedule = QTableWidgetItem(schedule_text(facts))
            schedule.setFlags(schedule.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.agents.setItem(row, SCHEDULE, schedule)
        self.agents.resizeColumnsToContents()
        self._filling = False
        whose = "its own" if settings.own else ("the default's" if settings.version else "built in")
        self.version.setText(f"version {settings.version} ({whose})")
        self.state = "ready"
        self._set_editable(True)
        self._edited()

    # --- editing, preview, save ------------------------------------------------------------------------------

    def _set_editable(self, editable: bool) -> None:
        for widget in (
            *self.weight_boxes.values(),
            self.overflow_cap,
            self.urgent_weight,
            self.agents,
            self.schedule_button,
        ):
            widget.setEnabled(editable)
        self.preview_button.setEnabled(editable)
        if not editable:
            self.save_button.setEnabled(False)

    def _edited(self, *_: object) -> None:
        if self._filling:
            return
        self._previewed = None
        self.save_button.setEnabled(False)
        self.summary.setText(PREVIEW_FIRST)
        self.preview_table.setRowCount(0)

    def edits(self) -> tuple[dict[str, Any] | None, dict[int, dict[str, Any]]]:
        """The settings to store (None when they did not change) and each changed agent's new facts.
        Raises InvalidInput for a cell that cannot be read."""
        assert self._settings is not None
        current = self._settings
        weights = {factor: round(box.value(), 1) for factor, box in self.weight_boxes.items()}
        settings = current.with_changes(
            weights, overflow_cap=self.overflow_cap.value(), urgent_weight=self.urgent_weight.value()
        )
        unchanged = (
            all(round(value, 1) == weights[factor] for factor, value in current.weights)
            and self.overflow_cap.value() == current.overflow_cap
            and self.urgent_weight.value() == current.urgent_weight
        )
        changes: dict[int, dict[str, Any]] = {}
        for row, facts in enumerate(self._agents):
            edited = self._row_facts(row, facts) | self._schedules.get(facts.agent_id, {})
            if edited:
                changes[facts.agent_id] = edited
        return (None if unchanged else settings), changes

    def _row_facts(self, row: int, facts: AgentRoutingFacts) -> dict[str, Any]:
        def cell(column: int) -> str:
            item = self.agents.item(row, column)
            return item.text().strip() if item is not None else ""

        try:
            capacity = int(cell(CAPACITY))
        except ValueError:
            raise InvalidInput(f"{facts.name}: the capacity is a whole number of tickets") from None
        if not 0 <= capacity <= 500:
            raise InvalidInput(f"{facts.name}: the capacity is 0 to 500 tickets")
        try:
            skills = parse_skills(split_list(cell(SKILLS)))
            languages = parse_languages(split_list(cell(LANGUAGES)))
        except InvalidInput as error:  # whose, and which value: the table has a row per agent
            raise InvalidInput(f"{facts.name}: {error}") from None
        changed: dict[str, Any] = {}
        if capacity != facts.capacity:
            changed["capacity"] = capacity
        if skills != dict(facts.skills):
            changed["skills"] = skills
        if languages != sorted(facts.languages):
            changed["languages"] = languages
        return changed

    def edit_schedule(self) -> None:
        """The current row's agent's shift and out of office, in a dialog of their own (window-modal)."""
        row = self.agents.currentRow()
        if self.state not in ("ready", "previewed"):
            return
        if not 0 <= row < len(self._agents):
            self.message.setText("Choose an agent in the table first (the arrow keys), then Alt+H.")
            return
        facts = self._agents[row]
        if self.schedule_dialog is not None:
            self.schedule_dialog.deleteLater()  # the last one, closed (one is open at a time: window-modal)
        dialog = AgentScheduleDialog(facts, self._agents, self._schedules.get(facts.agent_id), self)
        dialog.accepted.connect(lambda: self._schedule_edited(row, dialog))
        self.schedule_dialog = dialog
        dialog.open()

    def _schedule_edited(self, row: int, dialog: AgentScheduleDialog) -> None:
        facts = dialog.facts
        if row >= len(self._agents) or self._agents[row].agent_id != facts.agent_id:
            return  # the queue was reloaded meanwhile
        if dialog.changes:
            self._schedules[facts.agent_id] = dialog.changes
        else:
            self._schedules.pop(facts.agent_id, None)
        item = self.agents.item(row, SCHEDULE)
        if item is not None:
            self._filling = True
            item.setText(schedule_text(facts, dialog.changes))
            self._filling = False
        self._edited()

    def preview(self) -> None:
        if self.state not in ("ready", "previewed") or self._settings is None:
            return
        try:
            settings, changes = self.edits()
        except InvalidInput as error:
            self.message.setText(str(error))
            return
        self.message.setText("")
        self.state = "previewing"
        self.summary.setText("Replaying the last 30 days…")
        self.preview_button.setEnabled(False)
        queue_id, routing = self._settings.queue_id, self.routing
        replay: Mapping[str, Any] = settings if settings is not None else dict(self._settings.settings)
        self.runner.run(
            lambda: routing.preview(queue_id, replay, changes),
            lambda preview: self._preview_arrived(preview, (settings, changes)),
            self._failed,
        )

    def _preview_arrived(self, preview: DryRunPreview, edits: tuple[Any, Any]) -> None:
        self.state = "previewed"
        self.preview_button.setEnabled(True)
        try:
            still = self.edits() == edits
        except InvalidInput:
            still = False
        self._previewed = edits if still else None
        self.summary.setText(summary_words(preview) if still else PREVIEW_FIRST)
        self.preview_table.setRowCount(len(preview.agents))
        for row, tally in enumerate(preview.agents):
            self.preview_table.setItem(row, 0, QTableWidgetItem(tally.name))
            for column, value in ((1, tally.would_get), (2, tally.actually_got)):
                item = QTableWidgetItem(str(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.preview_table.setItem(row, column, item)
        self.save_button.setEnabled(still and edits != (None, {}))
        if still and edits == (None, {}):
            self.message.setText(
                "Nothing edited: this is what the current settings would have done (who got the tickets"
                " differs where they were assigned by hand, claimed, or routed under earlier settings)."
            )

    def save(self) -> None:
        if self._previewed is None or self._settings is None or self.state != "previewed":
            return
        settings, changes = self._previewed
        queue_id, routing = self._settings.queue_id, self.routing
        self.state = "saving"
        self._set_editable(False)
        self.runner.run(lambda: routing.save_settings(queue_id, settings, changes), self._saved, self._failed)

    def _saved(self, version: int) -> None:
        self.saved_version = version
        self.message.setText(f"Saved: {self.queue_choice.currentText()} routes by settings version {version}.")
        self._load_queue()

    discard_what = "the routing settings"

    def has_unsaved_edits(self) -> bool:
        """Close (Esc) asks before dropping these: edits not saved, previewed or not."""
        if self._settings is None or self.state not in ("ready", "previewing", "previewed"):
            return False
        try:
            settings, changes = self.edits()
        except InvalidInput:
            return True  # a cell typed into that cannot be read is an edit too
        return settings is not None or bool(changes)

    def _failed(self, error: Exception) -> None:
        self.state = "failed" if self._settings is None else "ready"
        self.message.setText(explain_failure(error))
        if self._settings is not None:
            self._set_editable(True)
            self._edited()
