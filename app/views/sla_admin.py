"""SLA policies and business calendars for team leads and admins, opened from the supervisor view
(Ctrl+Shift+L there). Policies are listed in their match order (Ctrl+Up/Ctrl+Down move one; the move is
dry-run first and applied on request); a policy opens in an editor (conditions, times per priority and
target, business or calendar time, the calendar, the warning share, the escalation ladder) whose Save stays
disabled until the edits shown were dry-run: "N open tickets would move, M would become breached". The
calendar editor keeps the time zone, several intervals a day, a country's and region's public holidays
(the `holidays` package, offline), the team's own dates and an .ics import (admins: calendars are shared).

Everything slow runs in the background (`TaskRunner`); the database decides who may save what, and a
refusal is shown as its sentence while everything typed stays where it was. Names are data: plain text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.connectors.conditions import ACCOUNT_PREFIX, account_condition
from app.services.desk_api import SlaAdminArea
from app.services.errors import InvalidInput
from app.services.platform.plain_text import clean_line
from app.services.sla.admin_dto import (
    MANY_CLOSED_DAYS,
    MAX_DATE_NAME,
    WEEKDAYS,
    CalendarInfo,
    DryRun,
    PolicyInfo,
    SlaSetup,
    busiest_year,
)
from app.services.sla.clocks import Target
from app.services.sla.dto import minutes_from_words, minutes_words
from app.services.sla.policy import MAX_TARGET_MINUTES, Action
from app.views.appearance import is_dark
from app.views.dialog_keys import enter_presses, tab_leaves
from app.views.errors import explain_failure
from app.views.labels import plain_label, plain_tip
from app.views.sizing import resize_on_screen
from app.views.tasks import TaskRunner
from app.views.unsaved import AsksBeforeDiscarding
from app.vocabulary import Priority

WIDEST_POLICY_TEXT = 320  # pixels of a policy's name or conditions in the list (the tooltip has them whole)
BEYOND_LED = "This policy applies beyond the queues you lead: an admin saves changes to it (you may dry-run them)."
DRY_RUN_FIRST = "Dry-run the change on the open tickets before saving it."
ACTIONS = {  # short enough for the ladder's column; the whole sentence is the item's tooltip
    Action.NOTIFY_ASSIGNEE: ("Notify the assignee", "Notify the ticket's assignee"),
    Action.NOTIFY_LEAD: (
        "Notify lead, raise priority",
        "Notify the team lead and raise the ticket's priority one step",
    ),
    Action.MOVE_TO_QUEUE: ("Move to a queue", "Move the ticket to the queue chosen in the next column"),
    Action.BACK_TO_ROUTING: ("Hand back to routing", "Hand the ticket back to routing"),
}
LEVEL, AFTER, ACTION, QUEUE = range(4)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NO_COUNTRY = "(no public holidays)"
TICKED_CONDITIONS = ("queue_ids", "priorities")  # the two check lists, in this order
WORD_CONDITIONS = ("types", "channels", "any_tags", "tiers")  # the comma lists, in this order
SHOWN_AS = {"priorities": "", "types": "type ", "channels": "channel ", "any_tags": "tag ", "tiers": "tier "}


DATE_NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # an own date's name, beside its ISO date (UserRole)


def dry_run_words(outcome: DryRun) -> str:
    breached = "".join(f"\n  #{t.number} {t.subject} [{t.queue}]" for t in outcome.newly_breached[:5])
    more = outcome.newly_breached_count - min(5, len(outcome.newly_breached))
    return f"{outcome.summary()}{breached}" + (f"\n  … and {more} more" if more > 0 else "") + "\nNothing was written."


def split_words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def values_of(value: Any) -> list[Any]:
    """A condition's values: an account condition holds one value or a list, the others a list."""
    return list(value) if isinstance(value, list) else [value]


def applies_to(policy: PolicyInfo, queue_names: Mapping[int, str]) -> str:
    """Every condition of the policy in words, known or not: a list that leaves one out says "every ticket"
    of a policy that applies to a few (the VIP policy's account condition once read so)."""
    conditions = policy.conditions
    if not conditions:
        return "every ticket (the default)"
    parts = [condition_words(key, values_of(conditions[key]), queue_names) for key in sorted(conditions, key=_place)]
    return "; ".join(part for part in parts if part) or "every ticket"


def _place(key: str) -> int:
    """Where a condition comes in the words: the editor's fields in their order, then account ones, then others."""
    order = (*TICKED_CONDITIONS, *WORD_CONDITIONS)
    return order.index(key) if key in order else len(order) + (not key.startswith(ACCOUNT_PREFIX))


def condition_words(key: str, values: list[Any], queue_names: Mapping[int, str]) -> str:
    """One condition in words: "Billing, Tech", "type incident/question", "account tier: vip/gold"."""
    if not values:
        return ""
    if key == "queue_ids":
        return ", ".join(queue_names.get(q, f"queue {q}") if isinstance(q, int) else str(q) for q in values)
    shown = "/".join(str(v).capitalize() if key == "priorities" else str(v) for v in values)  # "High/Urgent"
    if key in SHOWN_AS:
        return SHOWN_AS[key] + shown
    if key.startswith(ACCOUNT_PREFIX):
        return f"account {key.removeprefix(ACCOUNT_PREFIX)}: {shown}"
    return f"{key.replace('_', ' ')}: {shown}"


def editable(key: str, value: Any) -> bool:
    """Whether a field of the editor shows this condition as it is stored: a list of plain values (one
    value too, for an account condition) that a comma list can say again. Any other is kept verbatim."""
    if key in TICKED_CONDITIONS or key in WORD_CONDITIONS:
        if not isinstance(value, list):
            return False
    elif not key.startswith(ACCOUNT_PREFIX) or key == ACCOUNT_PREFIX or any(c in key for c in "=;"):
        return False
    return all(
        isinstance(v, str | int) and not isinstance(v, bool) and not any(c in str(v) for c in ",;")
        for v in values_of(value)
    )


def account_line(conditions: Mapping[str, Any]) -> str:
    """The account conditions as the editor's line shows them: `account.tier = vip, gold; account.region = EU`."""
    return "; ".join(
        f"{key} = {', '.join(str(v) for v in values_of(value))}"
        for key, value in conditions.items()
        if key.startswith(ACCOUNT_PREFIX) and editable(key, value)
    )


def parse_account_line(text: str) -> dict[str, Any]:
    """The editor's account line as conditions, each pair read as `switchboard connector rule set --when`
    reads it (`account_condition`). Only the shape is read here; the service judges the conditions on the
    dry run and the save (`apply_spec`), since this module may not import it (it reaches the database)."""
    conditions: dict[str, Any] = {}
    for pair in (part.strip() for part in text.split(";")):
        if not pair:
            continue
        try:
            key, value = account_condition(pair)
        except InvalidInput as error:
            raise InvalidInput(f"Account: {error}") from None
        if key in conditions:
            raise InvalidInput(f"Account: {key} is named twice; give it one list of values (value, value).")
        conditions[key] = value
    return conditions


def same_values(stored: Any, value: Any) -> bool:
    """The same condition in another order or shape ([1, 2] and [2, 1]; "vip" and ["vip"]; 3 and "3")."""
    return sorted(str(v) for v in values_of(stored)) == sorted(str(v) for v in values_of(value))


def kept_words(kept: Mapping[str, Any], unlisted: Mapping[str, list[Any]]) -> str:
    """What the editor keeps without a field for it, named so a person knows the policy has it."""
    parts = [f"{key} = {', '.join(str(v) for v in values_of(value))}" for key, value in kept.items()]
    parts += [f"{key} also {', '.join(str(v) for v in values)} (not in the list)" for key, values in unlisted.items()]
    return "Also kept as stored (not editable here): " + "; ".join(parts) if parts else ""


def hours_of_day(weekly: Mapping[str, Any], day: int) -> str:
    intervals = weekly.get(str(day), ())
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in intervals)


class VisibleCheckDelegate(QStyledItemDelegate):
    """Fusion outlines a check box in a darker shade of the palette's Window colour; on the dark palette's
    Base that outline is as dark as the list behind it and an unticked box vanishes. These lists' items
    are drawn with a light Window colour instead, so the outline shows; the palette and every other view
    stay as they are."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        if is_dark(option.palette):
            palette = QPalette(option.palette)
            palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.PlaceholderText).lighter(130))
            option.palette = palette


class PolicyListModel(QAbstractTableModel):
    """The policies in match order (active ones first), retired ones last when shown.

    Attributes:
        policies: the rows, as shown; queue_names: queue id → name for the "applies to" column.
    """

    COLUMNS = ("Position", "Policy", "Applies to", "Counts", "Version")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.policies: list[PolicyInfo] = []
        self.queue_names: dict[int, str] = {}

    def set_policies(self, policies: Sequence[PolicyInfo], queue_names: Mapping[int, str], *, retired: bool) -> None:
        self.beginResetModel()
        shown = [p for p in policies if p.is_active or retired]
        self.policies = sorted(shown, key=lambda p: (not p.is_active, p.position, p.id))
        self.queue_names = dict(queue_names)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.policies)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section] if 0 <= section < len(self.COLUMNS) else None
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.policies):
            return None
        policy = self.policies[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return policy.id
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (1, 2):  # a long one is cut in the column
            return plain_tip(policy.name if index.column() == 1 else applies_to(policy, self.queue_names))
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return str(policy.position) if policy.is_active else "retired"
        if column == 1:
            return policy.name
        if column == 2:
            return applies_to(policy, self.queue_names)
        if column == 3:
            return (
                f"business hours of {policy.calendar}" if policy.business_hours and policy.calendar else "calendar time"
            )
        return str(policy.version)


class SlaPolicyEditor(AsksBeforeDiscarding):
    """One policy, new or existing. Save stays disabled until the edits shown were dry-run.

    Attributes:
        state: "ready", "dry-running", "checked", "saving", "saved".
        name_edit, position_box, active_box; queue_list, priority_list (checkable); types_edit,
        channels_edit, tags_edit, tiers_edit (comma lists); account_edit ("account.tier = vip, gold; …");
        kept (conditions no field shows, saved verbatim), unlisted (stored queue ids and priorities the lists
        lack, saved too), kept_note (names both); targets (priority by target, minutes; empty: none);
        business_hours_box, calendar_choice, warn_box; ladder (level, minutes after breach, action, queue).
        dry_run_button, save_button; summary (the dry run's answer), message (a refusal or a bad input).
        saved: the policy as stored after a save.
    Signals:
        policy_saved(object): the PolicyInfo stored.
    """

    policy_saved = Signal(object)

    def __init__(
        self,
        area: SlaAdminArea,
        runner: TaskRunner,
        setup: SlaSetup,
        policy: PolicyInfo | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.area, self.runner, self.setup_, self.policy = area, runner, setup, policy
        self.setWindowTitle(f"SLA policy — {policy.name}" if policy else "New SLA policy")
        self.state = "ready"
        self.saved: PolicyInfo | None = None
        self._checked: dict[str, Any] | None = None
        self._filling = True
        self.kept: dict[str, Any] = {}
        self.unlisted: dict[str, list[Any]] = {}
        self._filled: dict[str, str] = {}  # the text fields as filled: unchanged ones save the stored value

        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        self.position_box = QSpinBox()
        self.position_box.setRange(0, 1_000_000)
        self.active_box = QCheckBox("&Active (retired policies apply to nothing)")
        self.queue_list, self.priority_list = QListWidget(), QListWidget()
        for queue_id, name in setup.queues:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, queue_id)
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.queue_list.addItem(item)
        for priority in Priority:
            item = QListWidgetItem(priority.label.capitalize())  # as the queue says it; the key is its data
            item.setData(Qt.ItemDataRole.UserRole, priority.label)
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.priority_list.addItem(item)
        for widget in (self.queue_list, self.priority_list):
            widget.setMaximumHeight(96)
            widget.setItemDelegate(VisibleCheckDelegate(widget))
            widget.itemChanged.connect(self._edited)
        self.types_edit, self.channels_edit, self.tags_edit, self.tiers_edit = (QLineEdit() for _ in range(4))
        for line_edit in (self.types_edit, self.channels_edit, self.tags_edit, self.tiers_edit):
            line_edit.setPlaceholderText("a comma list: any of them")
        self.account_edit = QLineEdit()
        self.account_edit.setPlaceholderText("account.tier = vip, gold; account.region = EU")
        self.account_edit.setToolTip(
            "The customer's verified account: NAME = a value, or several (any of them); conditions are "
            "separated by ';' and all must match. 'tier = vip' means account.tier."
        )
        self.kept_note = plain_label()
        self.kept_note.setWordWrap(True)
        self.targets = QTableWidget(len(Priority), len(Target))
        self.targets.setHorizontalHeaderLabels([t.label.capitalize() for t in Target])
        self.targets.setVerticalHeaderLabels([p.label.capitalize() for p in Priority])
        self.targets.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.targets.itemChanged.connect(self._edited)
        self.business_hours_box = QCheckBox("Count &business minutes of the calendar")
        self.calendar_choice = QComboBox()
        self.calendar_choice.addItem("(none: calendar time)", "")
        for calendar in setup.calendars:
            self.calendar_choice.addItem(calendar.name, calendar.name)
        self.warn_box = QSpinBox()
        self.warn_box.setRange(1, 99)
        self.warn_box.setSuffix(" % of the target")
        self.ladder = QTableWidget(0, 4)
        self.ladder.setHorizontalHeaderLabels(["Level", "After the breach", "Action", "Queue (for a move)"])
        after_header = self.ladder.horizontalHeaderItem(AFTER)
        assert after_header is not None
        after_header.setToolTip("How long after the breach (0, 30, 1 h 30 min …)")
        ladder_header = self.ladder.horizontalHeader()
        for column in (LEVEL, AFTER, ACTION):  # the action's column as wide as its longest choice
            ladder_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        ladder_header.setSectionResizeMode(QUEUE, QHeaderView.ResizeMode.Stretch)
        self.ladder.verticalHeader().hide()
        self.ladder.itemChanged.connect(self._edited)
        self.add_step_button = QPushButton("Add &step")
        self.add_step_button.clicked.connect(lambda: self._add_step(None))
        self.remove_step_button = QPushButton("Remove s&tep")
        self.remove_step_button.clicked.connect(self._remove_step)
        for line_edit in (*self._word_fields(), self.account_edit, self.name_edit):
            line_edit.textEdited.connect(self._edited)
        self.position_box.valueChanged.connect(self._edited)
        self.warn_box.valueChanged.connect(self._edited)
        self.active_box.toggled.connect(self._edited)
        self.business_hours_box.toggled.connect(self._edited)
        self.calendar_choice.currentIndexChanged.connect(self._edited)
        self.calendar_choice.currentIndexChanged.connect(self._calendar_chosen)

        self.summary = plain_label(DRY_RUN_FIRST)
        self.summary.setWordWrap(True)
        self.message = plain_label()
        self.message.setWordWrap(True)
        self.dry_run_button = QPushButton("&Dry run")
        self.dry_run_button.clicked.connect(self.dry_run)
        self.save_button = QPushButton("Sa&ve")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.dry_run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ApplyRole)
        buttons.rejected.connect(self.close_asked)

        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Position (tried in this order)", self.position_box)
        form.addRow("", self.active_box)
        conditions = QGroupBox("Conditions (all must match; nothing chosen matches every ticket)")
        grid = QFormLayout(conditions)
        grid.addRow("&Queues", self.queue_list)
        grid.addRow("P&riorities", self.priority_list)
        grid.addRow("T&ypes", self.types_edit)
        grid.addRow("C&hannels", self.channels_edit)
        grid.addRow("Any of the ta&gs", self.tags_edit)
        grid.addRow("Customer t&iers", self.tiers_edit)
        grid.addRow("Acc&ount", self.account_edit)
        grid.addRow(self.kept_note)
        clock = QFormLayout()
        clock.addRow("", self.business_hours_box)
        clock.addRow("&Calendar", self.calendar_choice)
        clock.addRow("&Warn at", self.warn_box)
        steps = QHBoxLayout()
        steps.addWidget(self.add_step_button)
        steps.addWidget(self.remove_step_button)
        steps.addStretch(1)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addLayout(form)
        left.addWidget(conditions)
        left.addStretch(1)  # the conditions' rows stay together; the space left goes below them
        right.addWidget(plain_label("Targets per priority (90, 1 h 30 min or 1:30; empty: no promise)"))
        right.addWidget(self.targets)
        right.addLayout(clock)
        right.addWidget(plain_label("Escalation ladder (after a breach)"))
        right.addWidget(self.ladder)
        right.addLayout(steps)
        columns = QHBoxLayout()
        columns.addLayout(left, 4)
        columns.addLayout(right, 5)  # the targets' three columns and the ladder's four need more
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._fill(policy)
        self.kept_note.setText(kept_words(self.kept, self.unlisted))
        self.kept_note.setVisible(bool(self.kept_note.text()))
        self._filling = False
        self._as_opened = self._spec_or_none()  # what Esc compares with before it drops anything
        self.beyond_led = policy is not None and not self._led_only(policy.conditions)
        if self.beyond_led:
            self.message.setText(BEYOND_LED)
        resize_on_screen(self, 1100, 740)
        enter_presses(self, self.dry_run_button)  # not Add step: Enter in a field dry-runs
        tab_leaves(self.targets, self.ladder)
        self._calendar_chosen()

    # --- filling and reading ------------------------------------------------------------------------------

    def _fill(self, policy: PolicyInfo | None) -> None:
        if policy is None:
            lowest = max((p.position for p in self.setup_.policies if p.is_active and p.conditions), default=0)
            self.position_box.setValue(lowest + 10)
            self.active_box.setChecked(True)
            self.business_hours_box.setChecked(True)
            self.warn_box.setValue(80)
            if not self.setup_.everyone:  # a lead's policy names the queues they lead
                for row in range(self.queue_list.count()):
                    item = self.queue_list.item(row)
                    if item.data(Qt.ItemDataRole.UserRole) in self.setup_.led:
                        item.setCheckState(Qt.CheckState.Checked)
            return
        self.name_edit.setText(policy.name)
        self.position_box.setValue(policy.position)
        self.active_box.setChecked(policy.is_active)
        self._fill_conditions(policy.conditions)
        for row, priority in enumerate(Priority):
            per_target = policy.targets.get(priority.label, {})
            for column, target in enumerate(Target):
                minutes = per_target.get(target.value)
                self.targets.setItem(row, column, QTableWidgetItem("" if minutes is None else minutes_words(minutes)))
        self.business_hours_box.setChecked(policy.business_hours)
        index = self.calendar_choice.findData(policy.calendar or "")
        self.calendar_choice.setCurrentIndex(max(index, 0))
        self._calendar_chosen()
        self.warn_box.setValue(round(policy.warn_share * 100))
        for step in policy.ladder:
            self._add_step(step)

    def _fill_conditions(self, conditions: Mapping[str, Any]) -> None:
        """Each condition into its field; one no field can show is kept verbatim (`kept`, `unlisted`) and
        named under the fields, so a save never drops a condition nobody saw (the VIP policy's account
        condition once was, and the policy then applied to every ticket)."""
        self.kept = {key: value for key, value in conditions.items() if not editable(key, value)}
        for key, widget in zip(TICKED_CONDITIONS, self._ticked_lists(), strict=True):
            if key in self.kept:  # not a list of ids or names: what is typed would not be saved
                widget.setEnabled(False)
            elif key in conditions and (missing := self._tick(widget, conditions[key])):
                self.unlisted[key] = missing
        for key, edit in zip(WORD_CONDITIONS, self._word_fields(), strict=True):
            edit.setEnabled(key not in self.kept)
            edit.setText(", ".join(str(v) for v in conditions.get(key, ())) if key not in self.kept else "")
        self.account_edit.setText(account_line(conditions))
        self._filled = {key: edit.text() for key, edit in self._text_fields()}

    def _tick(self, widget: QListWidget, chosen: list[Any]) -> list[Any]:
        """Tick the chosen values; returns those the list has no item for."""
        wanted, found = {str(v) for v in chosen}, set()
        for row in range(widget.count()):
            item = widget.item(row)
            if (value := str(self._value_of(item))) in wanted:
                item.setCheckState(Qt.CheckState.Checked)
                found.add(value)
        return [v for v in chosen if str(v) not in found]

    @staticmethod
    def _value_of(item: QListWidgetItem) -> Any:
        return item.data(Qt.ItemDataRole.UserRole)  # a queue's id, a priority's key

    def _ticked_lists(self) -> tuple[QListWidget, QListWidget]:
        return self.queue_list, self.priority_list

    def _word_fields(self) -> tuple[QLineEdit, ...]:
        return self.types_edit, self.channels_edit, self.tags_edit, self.tiers_edit

    def _text_fields(self) -> list[tuple[str, QLineEdit]]:
        """The fields typed as text, by condition ("account." for the account line)."""
        return [*zip(WORD_CONDITIONS, self._word_fields(), strict=True), (ACCOUNT_PREFIX, self.account_edit)]

    def _add_step(self, step: Mapping[str, Any] | None) -> None:
        row = self.ladder.rowCount()
        self.ladder.insertRow(row)
        level = int(step["level"]) if step else row + 1
        self.ladder.setItem(row, LEVEL, QTableWidgetItem(str(level)))
        after = step.get("after_breach_minutes", 0) if step else 0
        self.ladder.setItem(
            row, AFTER, QTableWidgetItem(minutes_words(after) if isinstance(after, int) else str(after))
        )
        action = QComboBox()
        action.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for value, (label, sentence) in ACTIONS.items():
            action.addItem(label, value.value)
            action.setItemData(action.count() - 1, sentence, Qt.ItemDataRole.ToolTipRole)
        action.currentIndexChanged.connect(lambda: action.setToolTip(action.currentData(Qt.ItemDataRole.ToolTipRole)))
        action.setCurrentIndex(max(action.findData(step["action"] if step else Action.NOTIFY_ASSIGNEE.value), 0))
        action.setToolTip(action.currentData(Qt.ItemDataRole.ToolTipRole))
        action.currentIndexChanged.connect(self._edited)
        self.ladder.setCellWidget(row, ACTION, action)
        queue = QComboBox()
        queue.addItem("—", None)
        for queue_id, name in self.setup_.queues:
            queue.addItem(name, queue_id)
        queue.setCurrentIndex(max(queue.findData(step.get("queue_id") if step else None), 0))
        queue.currentIndexChanged.connect(self._edited)
        self.ladder.setCellWidget(row, QUEUE, queue)
        self._edited()

    def _remove_step(self) -> None:
        row = self.ladder.currentRow()
        if row < 0:
            row = self.ladder.rowCount() - 1
        if row >= 0:
            self.ladder.removeRow(row)
            self._edited()

    def conditions(self) -> dict[str, Any]:
        """The conditions as shown, over those stored: what no field shows is saved as it was, and a field
        that says what is stored saves the stored value itself (its order, a value or a list of one), so
        opening and saving unchanged stores the very same conditions."""
        conditions = dict(self.kept)
        for key, widget in zip(TICKED_CONDITIONS, self._ticked_lists(), strict=True):
            if key not in self.kept:
                ticked = [
                    self._value_of(item)
                    for row in range(widget.count())
                    if (item := widget.item(row)).checkState() == Qt.CheckState.Checked
                ]
                self._settle(conditions, key, [*ticked, *self.unlisted.get(key, ())])
        for key, edit in self._text_fields():
            if edit.text() == self._filled.get(key, ""):
                conditions.update(self._stored_for(key))
            elif key == ACCOUNT_PREFIX:
                for name, value in parse_account_line(edit.text()).items():
                    self._settle(conditions, name, value)
            elif key not in self.kept:
                self._settle(conditions, key, split_words(edit.text()))
        return conditions

    def _stored_for(self, field: str) -> dict[str, Any]:
        """The stored conditions a text field shows (the account line: every account one it shows)."""
        stored = self.policy.conditions if self.policy else {}
        return {
            key: value
            for key, value in stored.items()
            if key not in self.kept and (key.startswith(ACCOUNT_PREFIX) if field == ACCOUNT_PREFIX else key == field)
        }

    def _settle(self, conditions: dict[str, Any], key: str, value: Any) -> None:
        """The value under its key; the stored value when it says the same; nothing when it is empty."""
        stored = self.policy.conditions if self.policy else {}
        if key in stored and same_values(stored[key], value):
            conditions[key] = stored[key]
        elif value:
            conditions[key] = value

    def _calendar_chosen(self, *_: object) -> None:
        """Business minutes need a calendar: with none, the clocks run in calendar time whatever the box says
        (it stayed ticked beside "(none: calendar time)" and was saved so)."""
        chosen = bool(self.calendar_choice.currentData())
        self.business_hours_box.setEnabled(chosen)
        self.business_hours_box.setToolTip(
            "" if chosen else "Choose a calendar first: without one, every minute counts."
        )

    def spec(self) -> dict[str, Any]:
        """The policy as typed, whole; InvalidInput names the first thing that cannot be read."""
        conditions = self.conditions()
        targets: dict[str, dict[str, int]] = {}
        for row, priority in enumerate(Priority):
            for column, target in enumerate(Target):
                item = self.targets.item(row, column)
                text = item.text().strip() if item is not None else ""
                if not text:
                    continue
                minutes = minutes_from_words(text)
                if minutes is None or not 0 < minutes <= MAX_TARGET_MINUTES:  # the database's bound, by cell
                    raise InvalidInput(
                        f"{priority.label.capitalize()}, {target.label}: a time from 1 minute to "
                        f"{MAX_TARGET_MINUTES:,} minutes (a year), as 90, 1 h 30 min or 1:30."
                    )
                targets.setdefault(priority.label, {})[target.value] = minutes
        ladder = []
        for row in range(self.ladder.rowCount()):
            cells = [self.ladder.item(row, c) for c in (LEVEL, AFTER)]
            level_text, after_text = (cell.text().strip() if cell is not None else "" for cell in cells)
            after = minutes_from_words(after_text)
            if not level_text.isdigit() or after is None:
                raise InvalidInput(
                    f"Ladder step {row + 1}: the level is a whole number, the time after the breach a duration "
                    "(0, 90, 1 h 30 min or 1:30)."
                )
            action = self.ladder.cellWidget(row, ACTION)
            queue = self.ladder.cellWidget(row, QUEUE)
            assert isinstance(action, QComboBox) and isinstance(queue, QComboBox)
            step: dict[str, Any] = {
                "level": int(level_text),
                "after_breach_minutes": after,
                "action": action.currentData(),
            }
            if action.currentData() == Action.MOVE_TO_QUEUE.value:
                if queue.currentData() is None:
                    raise InvalidInput(f"Ladder step {row + 1}: choose the queue to move the ticket to.")
                step["queue_id"] = queue.currentData()
            ladder.append(step)
        return {
            "name": self.name_edit.text().strip(),
            "position": self.position_box.value(),
            "conditions": conditions,
            "targets": targets,
            "business_hours": self.business_hours_box.isChecked(),
            "calendar": self.calendar_choice.currentData() or None,
            "warn_share": self.warn_box.value() / 100,
            "ladder": ladder,
            "active": self.active_box.isChecked(),
        }

    # --- dry run and save ---------------------------------------------------------------------------------

    def _edited(self, *_: object) -> None:
        if self._filling:
            return
        self._checked = None
        self.save_button.setEnabled(False)
        if self.state == "checked":
            self.state = "ready"
        self.summary.setText(DRY_RUN_FIRST)

    def dry_run(self) -> None:
        if self.state not in ("ready", "checked"):
            return
        try:
            spec = self.spec()
        except InvalidInput as error:
            self.message.setText(str(error))
            return
        self.message.setText("")
        self.state = "dry-running"
        self.summary.setText("Computing the open tickets' due times under the change…")
        self.dry_run_button.setEnabled(False)
        key = self.policy.id if self.policy else None
        area = self.area
        self.runner.run(
            lambda: area.dry_run({key: spec}), lambda outcome: self._checked_arrived(outcome, spec), self._failed
        )

    def _checked_arrived(self, outcome: DryRun, spec: dict[str, Any]) -> None:
        self.dry_run_button.setEnabled(True)
        try:
            still = self.spec() == spec
        except InvalidInput:
            still = False
        self.state = "checked" if still else "ready"
        self._checked = spec if still else None
        self.summary.setText(dry_run_words(outcome) if still else DRY_RUN_FIRST)
        beyond = self.beyond_led or not self._led_only(spec.get("conditions", {}))
        self.message.setText(BEYOND_LED if beyond else "")  # Save stays off: the database would refuse it
        self.save_button.setEnabled(still and not beyond)

    def _led_only(self, conditions: Mapping[str, Any]) -> bool:
        """Whether this login may save a policy with these conditions: an admin any; a lead one that names
        only queues they lead (a hint only: the database decides)."""
        if self.setup_.everyone:
            return True
        queues = {int(q) for q in conditions.get("queue_ids", ())}
        return bool(queues) and queues <= self.setup_.led

    def save(self) -> None:
        if self.state != "checked" or self._checked is None:
            return
        spec = self._checked
        policy_id = self.policy.id if self.policy else None
        version = self.policy.version if self.policy else None
        self.state = "saving"
        self.save_button.setEnabled(False)
        self.dry_run_button.setEnabled(False)
        area = self.area
        self.runner.run(lambda: area.save_policy(policy_id, version, spec), self._saved, self._failed)

    def _saved(self, policy: PolicyInfo) -> None:
        self.saved = policy
        self.state = "saved"
        self.message.setText(f"Saved {policy.name} (version {policy.version}); open tickets are recomputed.")
        self.policy_saved.emit(policy)
        self.accept()

    discard_what = "this policy"

    def has_unsaved_edits(self) -> bool:
        """Cancel (Esc) asks before dropping these: the form differs from the policy as it opened."""
        return self.state != "saved" and self._spec_or_none() != self._as_opened

    def _spec_or_none(self) -> dict[str, Any] | None:
        """The policy as the form holds it; None while a field cannot be read (an edit, then, if it could
        when opened)."""
        try:
            return self.spec()
        except InvalidInput:
            return None

    def _failed(self, error: Exception) -> None:
        """A refusal or a failure: its sentence, and everything typed stays as it is."""
        self.state = "ready"
        self._checked = None
        self.dry_run_button.setEnabled(True)
        self.save_button.setEnabled(False)
        self.summary.setText(DRY_RUN_FIRST)
        self.message.setText(explain_failure(error))


class PolicyTable(QTableView):
    """Enter (or a double click) edits the selected policy; Tab leaves for the buttons (the arrows choose)."""

    opened = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        tab_leaves(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.opened.emit(int(self.model().data(self.currentIndex(), Qt.ItemDataRole.UserRole)))
            return
        super().keyPressEvent(event)


class CalendarEditor(QWidget):
    """A business calendar: time zone, weekly hours (several intervals a day), public holidays of a country
    and region, the team's own dates (typed or from an .ics file). Admins save; others read.

    Attributes:
        calendar: the calendar being edited (None: a new one).
        name_edit, zone_choice, hours (a row per weekday: "09:00-12:00, 13:00-17:00"), country_choice,
        region_choice, year_box, holidays (the closed days of the year: date, why), own_dates, date_edit,
        add_date_button, remove_date_button, import_button, dry_run_button, save_button, message.
        choose_ics_file: asks for the .ics file's path ("" when cancelled); a test may replace it.
    Signals:
        calendar_saved(object): the CalendarInfo stored.
    """

    calendar_saved = Signal(object)

    def __init__(self, area: SlaAdminArea, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.area, self.runner = area, runner
        self.calendar: CalendarInfo | None = None
        self.editable = False
        self.saving = False
        self._filling = False
        self._shown: tuple[Any, ...] | None = None  # the form as shown or saved (`has_unsaved_edits`)
        self._settling = False  # the shown calendar's regions are on their way
        self.choose_ics_file: Callable[[], str] = self._ask_for_ics
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        self.zone_choice = QComboBox()
        self.zone_choice.setEditable(True)
        self.hours = QTableWidget(7, 1)
        self.hours.setHorizontalHeaderLabels(["Opening hours (e.g. 09:00-12:00, 13:00-17:00; empty: closed)"])
        self.hours.setVerticalHeaderLabels(list(DAY_NAMES))
        self.hours.horizontalHeader().setStretchLastSection(True)
        self.hours.resizeRowsToContents()
        rows_height = sum(self.hours.rowHeight(day) for day in range(7))
        self.hours.setMinimumHeight(rows_height + self.hours.horizontalHeader().sizeHint().height() + 4)
        self.country_choice, self.region_choice = QComboBox(), QComboBox()
        self.country_choice.currentIndexChanged.connect(self._country_changed)
        self.region_choice.currentIndexChanged.connect(self._show_closed_days)
        self.year_box = QSpinBox()
        self.year_box.setRange(1970, 2200)
        self.year_box.setValue(dt.datetime.now(dt.UTC).year)
        self.year_box.valueChanged.connect(self._show_closed_days)
        self.holidays = QTableWidget(0, 2)
        tab_leaves(self.hours, self.holidays)
        self.holidays.setHorizontalHeaderLabels(["Closed on", "Why"])
        self.holidays.horizontalHeader().setStretchLastSection(True)
        self.holidays.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.holidays.verticalHeader().hide()
        self.holidays.setWordWrap(False)
        self.holidays.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.own_dates = QListWidget()
        self.own_dates.setMaximumHeight(120)
        self.own_dates.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # a bad import at once
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(QDate.currentDate())
        self.why_edit = QLineEdit()
        self.why_edit.setPlaceholderText("Its name, e.g. Inventory day")
        self.why_edit.setMaxLength(MAX_DATE_NAME)
        self.why_edit.returnPressed.connect(self._add_date)
        self.add_date_button = QPushButton("&Add date")
        self.add_date_button.clicked.connect(self._add_date)
        self.remove_date_button = QPushButton("Re&move date")
        self.remove_date_button.clicked.connect(self._remove_date)
        self.import_button = QPushButton("&Import .ics…")
        self.import_button.clicked.connect(self.import_ics)
        self.dry_run_button = QPushButton("&Dry run")
        self.dry_run_button.setToolTip(
            "How many open tickets' due times the calendar as shown would move; saves nothing"
        )
        self.dry_run_button.clicked.connect(self.dry_run)
        self.save_button = QPushButton("&Save calendar")
        self.save_button.clicked.connect(self.save)
        self.message = plain_label()
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Time zone", self.zone_choice)
        where = QHBoxLayout()
        where.addWidget(self.country_choice, 2)
        where.addWidget(self.region_choice, 1)
        holidays_label = QLabel("Public holidays &of")  # our words; a layout gets no buddy by itself
        holidays_label.setBuddy(self.country_choice)
        form.addRow(holidays_label, where)
        dates = QHBoxLayout()  # a date and its name, added; then what else the list takes
        dates.addWidget(self.date_edit)
        dates.addWidget(self.why_edit, 1)
        dates.addWidget(self.add_date_button)
        more_dates = QHBoxLayout()
        more_dates.addStretch(1)
        more_dates.addWidget(self.remove_date_button)
        more_dates.addWidget(self.import_button)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.hours)
        left.addWidget(plain_label("The team's own closed dates"))
        left.addWidget(self.own_dates)
        left.addLayout(dates)
        left.addLayout(more_dates)
        year = QHBoxLayout()
        year.addWidget(plain_label("Closed days in"))
        year.addWidget(self.year_box)
        year.addStretch(1)
        right = QVBoxLayout()
        right.addLayout(year)
        right.addWidget(self.holidays)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.dry_run_button)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)

    def set_choices(self, zones: Sequence[str], countries: Sequence[tuple[str, str]]) -> None:
        self._filling = True
        self.zone_choice.addItems(list(zones))
        self.country_choice.addItem(NO_COUNTRY, "")
        for code, name in countries:
            self.country_choice.addItem(f"{name} ({code})", code)
        self._filling = False

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        for widget in (
            self.name_edit,
            self.zone_choice,
            self.hours,
            self.country_choice,
            self.region_choice,
            self.date_edit,
            self.why_edit,
            self.add_date_button,
            self.remove_date_button,
            self.import_button,
            self.dry_run_button,
            self.save_button,
        ):
            widget.setEnabled(editable)

    def show_calendar(self, calendar: CalendarInfo | None) -> None:
        """A calendar to edit (None: a new one, Monday to Friday 09:00-17:00 in UTC)."""
        self.calendar = calendar
        self._filling = True
        self.name_edit.setText(calendar.name if calendar else "")
        zone = calendar.time_zone if calendar else "UTC"
        self.zone_choice.setCurrentText(zone)
        for day in range(7):
            text = hours_of_day(calendar.weekly_hours, day) if calendar else ("09:00-17:00" if day < 5 else "")
            self.hours.setItem(day, 0, QTableWidgetItem(text))
        self.country_choice.setCurrentIndex(max(self.country_choice.findData(calendar.country if calendar else ""), 0))
        self._filling = False
        self._country_changed(region=calendar.subdivision if calendar else None)
        self._fill_own(calendar.own_dates if calendar else {})
        self.message.setText("")
        self._show_closed_days()
        self._shown, self._settling = self._form(), True

    def has_unsaved_edits(self) -> bool:
        """Whether the form differs from the calendar as shown or last saved (an admin's edits only)."""
        return self.editable and self._shown is not None and self._form() != self._shown

    def _form(self) -> tuple[Any, ...]:
        return (
            self.name_edit.text().strip(),
            self.zone_choice.currentText().strip(),
            tuple(self.hours_lines()),
            str(self.country_choice.currentData() or ""),
            str(self.region_choice.currentData() or ""),
            tuple(sorted(self.own().items())),
        )

    def _country_changed(self, *_: object, region: str | None = None) -> None:
        if self._filling:
            return
        country = str(self.country_choice.currentData() or "")
        area = self.area
        self.runner.run(lambda: area.subdivisions(country), lambda found: self._regions_arrived(country, found, region))

    def _regions_arrived(self, country: str, regions: list[tuple[str, str]], wanted: str | None) -> None:
        if country != (self.country_choice.currentData() or ""):
            return
        self._filling = True
        self.region_choice.clear()
        self.region_choice.addItem("(nationwide holidays only)", "")
        for code, label in regions:
            self.region_choice.addItem(label, code)
        self.region_choice.setCurrentIndex(max(self.region_choice.findData(wanted or ""), 0))
        self._filling = False
        if self._settling:  # the shown calendar's own region: part of the form as shown
            self._shown, self._settling = self._form(), False
        self._show_closed_days()

    def own(self) -> dict[dt.date, str]:
        """The team's own closed dates as listed, with their names ("" for none)."""
        found = {}
        for row in range(self.own_dates.count()):
            item = self.own_dates.item(row)
            found[dt.date.fromisoformat(item.data(Qt.ItemDataRole.UserRole))] = item.data(DATE_NAME_ROLE) or ""
        return dict(sorted(found.items()))

    def _fill_own(self, dates: Mapping[dt.date, str]) -> None:
        self.own_dates.clear()
        for day, name in sorted(dates.items()):
            item = QListWidgetItem(f"{day:%a %Y-%m-%d}" + (f"  {name}" if name else ""))
            item.setData(Qt.ItemDataRole.UserRole, day.isoformat())
            item.setData(DATE_NAME_ROLE, name)
            self.own_dates.addItem(item)

    def _set_own(self, dates: Mapping[dt.date, str]) -> None:
        self._fill_own(dates)
        self._show_closed_days()

    def _add_date(self) -> None:
        """The date chosen, called as typed beside it (a date listed already takes the new name)."""
        if not self.editable:
            return
        chosen = self.date_edit.date().toPython()
        assert isinstance(chosen, dt.date)
        own = self.own()  # a date listed already keeps its name unless another is typed
        self._set_own(own | {chosen: clean_line(self.why_edit.text()) or own.get(chosen, "")})
        self.why_edit.clear()

    def _remove_date(self) -> None:
        """The dates selected (Shift and Ctrl choose several; Ctrl+A all), or the current one."""
        chosen = self.own_dates.selectedItems() or [self.own_dates.currentItem()]
        rows = sorted((self.own_dates.row(item) for item in chosen if item is not None), reverse=True)
        for row in rows:
            self.own_dates.takeItem(row)
        if rows:
            self._show_closed_days()

    def _ask_for_ics(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, "Import closed days", "", "iCalendar files (*.ics)")
        return path

    def import_ics(self) -> None:
        path = self.choose_ics_file()
        if not path:
            return
        area, zone = self.area, self.zone_choice.currentText().strip() or None  # the events' days on its clock
        hours = self.hours_lines()  # and its hours: an event closes a day it takes half the open hours of
        self.runner.run(lambda: area.named_days_from_ics(path, zone, hours), self._ics_arrived, self._failed)

    def _ics_arrived(self, dates: dict[dt.date, str]) -> None:
        own = self.own()
        self._set_own(dates | {day: name for day, name in own.items() if name or day not in dates})
        added = [day for day in dates if day not in own]
        year, most = busiest_year(added)
        many = (
            f" {most} of them in {year}: more than a team closes in a year (a meeting series?); look at the list"
            " before you save (Shift or Ctrl+A and Remove date take them out again)."
            if most > MANY_CLOSED_DAYS
            else ""
        )
        self.message.setText(f"Imported {len(added)} new closed dates from the .ics file (not saved yet).{many}")

    def _show_closed_days(self, *_: object) -> None:
        if self._filling:
            return
        country = str(self.country_choice.currentData() or "") or None
        region = str(self.region_choice.currentData() or "") or None
        own, year, area = self.own(), self.year_box.value(), self.area
        asked = (country, region, tuple(own.items()), year)
        self.runner.run(
            lambda: area.closed_days(country, region, own, year),
            lambda days: self._closed_days_arrived(asked, days),
            self._failed,
        )

    def _closed_days_arrived(self, asked: tuple[Any, ...], days: list[tuple[dt.date, str]]) -> None:
        country = str(self.country_choice.currentData() or "") or None
        region = str(self.region_choice.currentData() or "") or None
        if asked != (country, region, tuple(self.own().items()), self.year_box.value()):
            return  # the choice changed meanwhile; its own answer is on its way
        self.holidays.setRowCount(len(days))
        for row, (day, why) in enumerate(days):
            self.holidays.setItem(row, 0, QTableWidgetItem(f"{day:%a %Y-%m-%d}"))
            reason = QTableWidgetItem(why)
            reason.setToolTip(why)  # a long name is cut in the column
            self.holidays.setItem(row, 1, reason)

    def hours_lines(self) -> list[str]:
        lines = []
        for day in range(7):
            item = self.hours.item(day, 0)
            text = item.text().strip() if item is not None else ""
            if text:
                lines.append(f"{WEEKDAYS[day]} {text}")
        return lines

    def _values(self) -> dict[str, Any]:
        """The form as the area's save and dry run take it."""
        return {
            "name": self.name_edit.text().strip(),
            "time_zone": self.zone_choice.currentText().strip(),
            "hours": self.hours_lines(),
            "country": str(self.country_choice.currentData() or "") or None,
            "subdivision": str(self.region_choice.currentData() or "") or None,
            "closed": self.own(),
        }

    def dry_run(self) -> None:
        """What saving the calendar as shown would do to the open tickets' due times, before it is saved
        (the policy editor's dry run, for a calendar: new hours or closed days move every ticket counting on
        it)."""
        if not self.editable or self.saving:
            return
        calendar_id, area, values, asked = (
            self.calendar.id if self.calendar else None,
            self.area,
            self._values(),
            self._form(),
        )
        self.dry_run_button.setEnabled(False)
        self.message.setText("Dry run: working out the open tickets' due times with the calendar as shown…")
        self.runner.run(
            lambda: area.dry_run_calendar(calendar_id, **values),
            lambda outcome: self._dry_run_arrived(asked, outcome),
            self._failed,
        )

    def _dry_run_arrived(self, asked: tuple[Any, ...], outcome: DryRun) -> None:
        self.dry_run_button.setEnabled(self.editable)
        if asked != self._form():
            self.message.setText("The calendar was changed during the dry run: run it again for the calendar as shown.")
            return
        self.message.setText(dry_run_words(outcome))

    def save(self) -> None:
        if not self.editable or self.saving:
            return
        calendar, area, values = self.calendar, self.area, self._values()
        self.saving = True
        self.save_button.setEnabled(False)
        self.message.setText("Saving…")
        self.runner.run(
            lambda: area.save_calendar(
                calendar.id if calendar else None, calendar.version if calendar else None, **values
            ),
            self._saved,
            self._failed,
        )

    def _saved(self, calendar: CalendarInfo) -> None:
        self.saving = False
        self.save_button.setEnabled(self.editable)
        self.calendar = calendar
        self._shown = self._form()
        self.message.setText(f"Saved {calendar.name} (version {calendar.version}); open tickets are recomputed.")
        self.calendar_saved.emit(calendar)

    def _failed(self, error: Exception) -> None:
        self.saving = False
        self.save_button.setEnabled(self.editable)
        self.dry_run_button.setEnabled(self.editable)
        self.message.setText(explain_failure(error))


class SlaAdminDialog(AsksBeforeDiscarding):
    """Policies in match order and calendars, for team leads (their queues' policies) and admins (all).

    Attributes:
        state: "loading", "ready", "moving" (a move is dry-run or applied), "failed".
        setup: the last SlaSetup read; model, table: the policies; show_retired: retired ones too.
        new_button, edit_button, up_button, down_button; move_summary, apply_move_button: a pending move.
        calendar_list, new_calendar_button, calendar_editor; message: the last refusal or note.
        editor: the policy editor open now (None when none).
    """

    discard_what = "this calendar"

    def __init__(self, area: SlaAdminArea, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("SLA policies and business calendars")
        self.area, self.runner = area, runner
        self.state = "loading"
        self.setup: SlaSetup | None = None
        self._chosen_next: int | None = None  # the policy to show chosen once the list is read again
        self.editor: SlaPolicyEditor | None = None
        self._move: tuple[dict[int, int], dict[int, int]] | None = None

        self.model = PolicyListModel(self)
        self.table = PolicyTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.opened.connect(self.edit_policy)
        self.table.doubleClicked.connect(
            lambda index: self.edit_policy(self.model.data(index, Qt.ItemDataRole.UserRole))
        )
        self.show_retired = QCheckBox("Show &retired policies")
        self.show_retired.toggled.connect(self._show_policies)
        self.new_button = QPushButton("&New policy…")
        self.new_button.clicked.connect(lambda: self.edit_policy(None))
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.clicked.connect(lambda: self.edit_policy(self._current_id()))
        self.up_button = QPushButton("Move &up")
        self.up_button.setToolTip("Ctrl+Up")
        self.up_button.clicked.connect(lambda: self.move_policy(-1))
        self.down_button = QPushButton("Move &down")
        self.down_button.setToolTip("Ctrl+Down")
        self.down_button.clicked.connect(lambda: self.move_policy(1))
        QShortcut(QKeySequence("Ctrl+Up"), self.table, lambda: self.move_policy(-1))
        QShortcut(QKeySequence("Ctrl+Down"), self.table, lambda: self.move_policy(1))
        self.move_summary = plain_label()
        self.move_summary.setWordWrap(True)
        self.apply_move_button = QPushButton("&Apply the move")
        self.apply_move_button.clicked.connect(self.apply_move)
        self.apply_move_button.setEnabled(False)
        self.message = plain_label()
        self.message.setWordWrap(True)

        policies = QWidget()
        side = QVBoxLayout()
        for button in (self.new_button, self.edit_button, self.up_button, self.down_button):
            side.addWidget(button)
        side.addWidget(self.show_retired)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.table, 1)
        top.addLayout(side)
        move = QHBoxLayout()
        move.addWidget(self.move_summary, 1)
        move.addWidget(self.apply_move_button)
        policies_layout = QVBoxLayout(policies)
        policies_layout.addWidget(plain_label("Tried in this order: the first whose conditions match applies."))
        policies_layout.addLayout(top, 1)
        policies_layout.addLayout(move)

        calendars = QWidget()
        self.calendar_list = QListWidget()
        self.calendar_list.currentRowChanged.connect(self._calendar_chosen)
        self.new_calendar_button = QPushButton("New &calendar")
        self.new_calendar_button.clicked.connect(self._new_calendar)
        self.calendar_editor = CalendarEditor(area, runner)
        self.calendar_editor.calendar_saved.connect(self._calendar_saved)
        self.calendar_note = plain_label()
        self.calendar_note.setWordWrap(True)
        pick = QVBoxLayout()
        pick.addWidget(self.calendar_list, 1)
        pick.addWidget(self.new_calendar_button)
        calendar_row = QHBoxLayout()
        calendar_row.addLayout(pick, 1)
        calendar_row.addWidget(self.calendar_editor, 4)
        calendars_layout = QVBoxLayout(calendars)
        calendars_layout.addWidget(self.calendar_note)
        calendars_layout.addLayout(calendar_row, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(policies, "&Policies")
        self.tabs.addTab(calendars, "Business &calendars")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close_asked)  # a calendar's edits not saved: asks first (Esc too)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._set_enabled(False)
        resize_on_screen(self, 1100, 640)
        enter_presses(self, self.edit_button)  # Enter edits the chosen policy (README), not a new one
        self.table.setFocus()
        self.reload()

    # --- reading --------------------------------------------------------------------------------------------

    def reload(self) -> None:
        self.state = "loading"
        area = self.area
        first = self.calendar_editor.zone_choice.count() == 0
        self.runner.run(
            lambda: (area.setup(), (area.time_zones(), area.countries()) if first else None),
            self._arrived,
            self._failed,
        )

    def _arrived(self, loaded: tuple[SlaSetup, tuple[list[str], list[tuple[str, str]]] | None]) -> None:
        setup, choices = loaded
        self._move = None  # a move planned on the old list is planned again
        self.apply_move_button.setEnabled(False)
        self.move_summary.setText("")
        if choices is not None:
            self.calendar_editor.set_choices(*choices)
        self.setup = setup
        chosen, self._chosen_next = self._chosen_next or self._current_id(), None
        self._show_policies()
        self._select(chosen)
        wanted = self.calendar_list.currentItem().text() if self.calendar_list.currentItem() else None
        self.calendar_list.blockSignals(True)
        self.calendar_list.clear()
        for calendar in setup.calendars:
            self.calendar_list.addItem(calendar.name)
        self.calendar_list.blockSignals(False)
        editable = setup.may_edit_calendars
        self.calendar_note.setText(
            "Calendars are shared by every queue: you change them as an admin; the open tickets are recomputed."
            if editable
            else "Calendars are shared by every queue, so an admin changes them; you may read them here."
        )
        self.calendar_editor.set_editable(editable)
        self.new_calendar_button.setEnabled(editable)
        names = [c.name for c in setup.calendars]
        editing = self.calendar_editor.calendar
        if editing is not None and editing.name in names:  # just saved: stays in the editor, chosen in the list
            self.calendar_list.blockSignals(True)
            self.calendar_list.setCurrentRow(names.index(editing.name))
            self.calendar_list.blockSignals(False)
        elif editing is None and not self.calendar_editor.name_edit.text():
            self.calendar_list.setCurrentRow(names.index(wanted) if wanted in names else (0 if names else -1))
            if not names:
                self.calendar_editor.show_calendar(None)
        self.state = "ready"
        self._set_enabled(True)

    def _show_policies(self, *_: object) -> None:
        if self.setup is None:
            return
        chosen = self._current_id()
        self.model.set_policies(self.setup.policies, dict(self.setup.queues), retired=self.show_retired.isChecked())
        self.table.resizeColumnsToContents()
        for column in (1, 2):  # a 100-character name pushed Counts and Version out of sight: elided instead
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), WIDEST_POLICY_TEXT))
        self.table.horizontalHeader().setStretchLastSection(True)
        self._select(chosen)

    def _select(self, policy_id: int | None) -> None:
        for row, policy in enumerate(self.model.policies):
            if policy.id == policy_id or (policy_id is None and row == 0):
                self.table.setCurrentIndex(self.model.index(row, 0))
                return

    def _double_clicked(self, index: QModelIndex) -> None:
        self.edit_policy(self.model.data(index, Qt.ItemDataRole.UserRole))

    def _current_id(self) -> int | None:
        index = self.table.currentIndex()
        return int(self.model.data(index, Qt.ItemDataRole.UserRole)) if index.isValid() else None

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.new_button, self.edit_button, self.up_button, self.down_button):
            widget.setEnabled(enabled)

    def _failed(self, error: Exception) -> None:
        self.state = "failed" if self.setup is None else "ready"
        self._set_enabled(self.setup is not None)
        self.message.setText(explain_failure(error))

    # --- policies -------------------------------------------------------------------------------------------

    def edit_policy(self, policy_id: int | None) -> None:
        if self.setup is None or self.state != "ready":
            return
        policy = next((p for p in self.setup.policies if p.id == policy_id), None)
        self.editor = SlaPolicyEditor(self.area, self.runner, self.setup, policy, self)
        self.editor.policy_saved.connect(self._policy_saved)
        self.editor.open()

    def _policy_saved(self, policy: PolicyInfo) -> None:
        self.message.setText(f"Saved {policy.name} (version {policy.version}); open tickets are recomputed.")
        self._chosen_next = policy.id  # the list then shows the policy just saved, not the one chosen before
        self.reload()

    def move_policy(self, step: int) -> None:
        """Ctrl+Up/Ctrl+Down: the move is dry-run first; Apply the move saves it."""
        policy_id = self._current_id()
        if self.setup is None or self.state != "ready" or policy_id is None:
            return
        setup, area = self.setup, self.area
        self.state = "moving"
        self.apply_move_button.setEnabled(False)
        self.move_summary.setText("Computing the open tickets' due times in the new order…")

        def plan() -> tuple[dict[int, int], DryRun]:
            positions = area.move_policy(setup.policies, policy_id, step)
            return positions, area.dry_run({pid: {"position": pos} for pid, pos in positions.items()})

        def checked(found: tuple[dict[int, int], DryRun]) -> None:
            positions, outcome = found
            versions = {p.id: p.version for p in setup.policies if p.id in positions}
            self._move = positions, versions
            self.state = "ready"
            moved = next(p.name for p in setup.policies if p.id == policy_id)
            self.move_summary.setText(f"Moving {moved} {'up' if step < 0 else 'down'}: {dry_run_words(outcome)}")
            self.apply_move_button.setEnabled(True)

        def failed(error: Exception) -> None:
            self.state = "ready"
            self.move_summary.setText("")
            self.message.setText(explain_failure(error))

        self.runner.run(plan, checked, failed)

    def apply_move(self) -> None:
        if self._move is None or self.state != "ready":
            return
        positions, versions = self._move
        self._move = None
        self.state = "moving"
        self.apply_move_button.setEnabled(False)
        area = self.area

        def failed(error: Exception) -> None:
            self.state = "ready"
            self.move_summary.setText("")
            self.message.setText(explain_failure(error))

        self.runner.run(lambda: area.apply_positions(positions, versions), self._moved, failed)

    def _moved(self, setup: SlaSetup) -> None:
        self.move_summary.setText("")
        self.message.setText("Moved; open tickets are recomputed.")
        self._arrived((setup, None))

    # --- calendars ------------------------------------------------------------------------------------------

    def has_unsaved_edits(self) -> bool:
        return self.calendar_editor.has_unsaved_edits()

    def _calendar_chosen(self, row: int) -> None:
        if self.setup is None or not 0 <= row < len(self.setup.calendars):
            return
        if self._keeps_editing():  # another calendar chosen over edits not saved: back to the one edited
            self._choose_edited_calendar()
            return
        self.calendar_editor.show_calendar(self.setup.calendars[row])

    def _new_calendar(self) -> None:
        if self._keeps_editing():
            return
        self.calendar_list.blockSignals(True)
        self.calendar_list.setCurrentRow(-1)
        self.calendar_list.blockSignals(False)
        self.calendar_editor.show_calendar(None)
        self.calendar_editor.name_edit.setFocus()

    def _choose_edited_calendar(self) -> None:
        editing = self.calendar_editor.calendar
        names = [c.name for c in self.setup.calendars] if self.setup is not None else []
        self.calendar_list.blockSignals(True)
        self.calendar_list.setCurrentRow(names.index(editing.name) if editing and editing.name in names else -1)
        self.calendar_list.blockSignals(False)

    def _calendar_saved(self, calendar: CalendarInfo) -> None:
        self.calendar_editor.calendar = calendar
        self.reload()
