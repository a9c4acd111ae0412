"""How a change to a ticket reads to people: one vocabulary for the history tab and the conflict dialog.

The audit trail speaks the database's language (`public_reply`, `resolution_due_at`, `assignee_id`, ISO
times in UTC, status keys). Agents read "Public reply", "Resolution due", "Assignee", their own clock and
the desk's status labels. Both views that show changes word them here, so a field is called the same in
both and a new field or action is named once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.views.conversation import format_local_time

NOTHING = "—"

# What the agent (or the system) did. Keys are the audit's actions: the service's mutations, the database
# functions' (route, move, handback, sla_due), message kinds, and intake's account priority rule.
ACTION_LABELS: Mapping[str, str] = {
    "create": "Ticket created",
    "update": "Edited",
    "status": "Status changed",
    "reopen": "Reopened",
    "assign": "Assigned",
    "escalate": "Escalated",
    "merge": "Merged",
    "link": "Linked",
    "route": "Routed",
    "move": "Moved",
    "handback": "Handed back",
    "release": "Unassigned (the assignee no longer works the queue)",
    "sla_due": "SLA due times",
    "sla_escalate": "SLA escalation",
    "acknowledge": "Acknowledged",
    "link_account": "Account linked",
    "account priority rule": "Account priority rule",
    "customer_message": "Customer message",
    "public_reply": "Public reply",
    "internal_note": "Internal note",
    "system_event": "System event",
}

# What changed. Keys are the audit's field names, and the names the conflict carries ("assignee").
FIELD_LABELS: Mapping[str, str] = {
    "assignee_id": "Assignee",
    "assignee": "Assignee",
    "queue_id": "Queue",
    "queue": "Queue",
    "customer_id": "Customer",
    "merged_into_id": "Merged into",
    "merged into": "Merged into",
    "linked": "Linked with",
    "status": "Status",
    "priority": "Priority",
    "subject": "Subject",
    "tags": "Tags",
    "type": "Type",
    "channel": "Channel",
    "language": "Language",
    "custom_fields": "Custom fields",
    "number": "Number",
    "created_at": "Created",
    "first_response_at": "First response",
    "first_response_due_at": "First response due",
    "next_response_due_at": "Next response due",
    "resolution_due_at": "Resolution due",
    "sla_due_at": "SLA due",
    "resolved_at": "Resolved",
    "closed_at": "Closed",
    "escalation": "Escalation",
    "external_account_id": "Customer account",
    "message": "Message",
}

# A message row has no old and new value worth showing; this says what happened to the message instead.
MESSAGE_OUTCOMES: Mapping[str, str] = {
    "customer_message": "Received from the customer",
    "public_reply": "Sent to the customer",
    "internal_note": "Added, visible to agents only",
    "system_event": "Recorded",
}

# Which field's action goes without saying ("Status", not "Status (status changed)"); an edit ("update")
# goes without saying for every field.
_IMPLIED_ACTIONS: Mapping[str, frozenset[str]] = {
    "status": frozenset({"status"}),
    "assign": frozenset({"assignee_id", "assignee"}),
    "merge": frozenset({"merged_into_id", "merged into"}),
    "link": frozenset({"linked"}),
    "link_account": frozenset({"external_account_id"}),
}

# How an id reads when the database gave no name for it (removed, or not visible to this login).
_UNNAMED: Mapping[str, str] = {
    "assignee_id": "agent {}",
    "assignee": "agent {}",
    "queue_id": "queue {}",
    "queue": "queue {}",
    "customer_id": "customer {}",
    "merged_into_id": "ticket id {}",
    "merged into": "ticket id {}",
    "linked": "ticket id {}",
}

_CAPITALISED = frozenset({"priority", "type", "channel"})


def humanised(key: str) -> str:
    """A key nobody named yet ("waiting_on_vendor", "cost_centre_id") as words, not as code."""
    words = key.removesuffix("_id").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def field_label(name: str | None) -> str:
    return FIELD_LABELS.get(name, humanised(name)) if name else ""


def action_label(action: str | None) -> str:
    return ACTION_LABELS.get(action, humanised(action)) if action else ""


def is_message(field_name: str | None) -> bool:
    return field_name == "message"


@dataclass(frozen=True)
class ChangeWords:
    """Words for one desk's changes. `status_labels` maps status keys to the desk's own labels (admins add
    statuses), for changes that carry keys; a value the service already named is shown as named.

    Attributes:
        status_labels: status key → label, from the vocabulary; empty: keys are humanised.
    """

    status_labels: Mapping[str, str] = field(default_factory=dict)

    def what(self, action: str | None, field_name: str | None, new_value: Any = None) -> str:
        """The "What" column: the field that changed, with the action that changed it when that adds
        something ("First response (public reply)"); a message by its kind ("Internal note")."""
        if is_message(field_name):
            return action_label(_message_kind(action, new_value)) or field_label(field_name)
        if field_name is None or (action == "create" and field_name == "status"):
            return action_label(action) or "Changed"
        label = field_label(field_name)
        if action in (None, "update") or field_name in _IMPLIED_ACTIONS.get(action or "", frozenset()):
            return label
        return f"{label} ({_mid_sentence(action_label(action))})"

    def change(
        self, field_name: str | None, old: Any, new: Any, old_name: str | None = None, new_name: str | None = None
    ) -> str:
        """The "Change" column: "old → new" in words; what happened to a message; a creation's status."""
        if is_message(field_name):
            return MESSAGE_OUTCOMES.get(_message_kind(None, new) or "", "Added")
        before = self.value(field_name, old, old_name)
        after = self.value(field_name, new, new_name)
        return after if old is None and field_name == "status" else f"{before} → {after}"

    def value(self, field_name: str | None, value: Any, name: str | None = None) -> str:
        """One old or new value: a name when the service found one, a time on the agent's clock, a status
        by its label, an unnamed id as "agent 3", never a raw ISO time or key."""
        if name is not None:
            return name
        if value is None or value == [] or value == {}:
            return NOTHING
        if field_name is not None and field_name.endswith("_at"):
            return _time_text(value)
        if field_name == "status":
            return self.status_labels.get(str(value)) or _status_text(str(value))
        return _plain_value(field_name, value)


def _plain_value(field_name: str | None, value: Any) -> str:
    """A value no vocabulary names: ids that went unnamed, enumerations, lists and custom fields."""
    unnamed = _UNNAMED.get(field_name or "")
    if unnamed is not None and isinstance(value, int):
        return unnamed.format(value)
    if field_name in _CAPITALISED and isinstance(value, str):
        return value.replace("_", " ").capitalize()
    if field_name == "escalation" and isinstance(value, int):
        return f"level {value}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{humanised(str(key))}: {item}" for key, item in value.items())
    return str(value)


def _time_text(value: Any) -> str:
    """A stored time (JSON text, as the audit holds it, or a datetime) on the agent's clock."""
    if isinstance(value, dt.datetime):
        return format_local_time(value)
    try:
        return format_local_time(dt.datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _status_text(value: str) -> str:
    """A status no label was given for: a key is humanised, anything else (a label already) left alone."""
    return humanised(value) if value == value.lower() and " " not in value else value


def _message_kind(action: str | None, new_value: Any) -> str | None:
    """A message row's kind: the audit's action is the kind; a conflict carries it in the new value."""
    if action in MESSAGE_OUTCOMES:
        return action
    if isinstance(new_value, dict):
        kind = new_value.get("kind")
        return str(kind) if kind is not None else None
    return None


def _mid_sentence(label: str) -> str:
    """ "Public reply" reads "public reply" inside brackets; "SLA due times" keeps its capitals."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label
