"""Account priority rules: "a VIP tier raises priority" (issue 16), from the verified accounts (migration 0030).

    switchboard connector rule set VIP --when account.tier=vip --priority high

A new ticket whose customer's verified account meets every condition of an active rule gets at least that
rule's priority (the highest of the rules that match); a ticket that already asks more keeps its own.
It runs as an in-transaction policy on `TicketCreated` (registered in `app/bootstrap.py`, before push
routing, so routing weighs the raised priority), reads the verified account only (`account_verified`, what
the worker's own lookups found: never what an agent's client stored for the panel, never the tool, so no
HTTP call ever runs inside the intake's transaction) and writes as whoever opens the ticket. A customer the
worker has not verified yet has no verified account and nothing is raised on intake; when the worker's
`account_verify` pass then finds a matching account, it raises the customer's open tickets the same way
(`connectors.verify`, the same audit action).

Rules are written only by `set_account_priority_rule()` (admins; the database checks what is stored);
every active staff member reads them, since intake runs as whoever opens a ticket.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from app.models import AccountPriorityRule, Ticket
from app.services.connectors.attributes import account_attributes, account_matches
from app.services.connectors.conditions import account_condition
from app.services.errors import InvalidInput, NotFound
from app.services.platform import config_cache
from app.services.platform.database.failures import refusal
from app.services.platform.events import PriorityChanged, TicketCreated
from app.services.platform.uow import UnitOfWork
from app.vocabulary import Priority

INTAKE_ACTION = "account priority rule"  # the audit rows' action for a raise on intake


@dataclass(frozen=True)
class PriorityRule:
    name: str
    conditions: Mapping[str, Any]
    priority: Priority
    position: int
    is_active: bool
    version: int

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "conditions": dict(self.conditions),
            "priority": self.priority.label,
            "position": self.position,
            "active": self.is_active,
            "version": self.version,
        }

    def line(self) -> str:
        when = ", ".join(f"{key} = {_shown(value)}" for key, value in self.conditions.items())
        state = "" if self.is_active else " (retired)"
        return f"{self.position:>5}  {self.name}{state}: when {when} → at least {self.priority.label}"


def _shown(value: object) -> str:
    return " or ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def parse_conditions(pairs: Sequence[str]) -> dict[str, Any]:
    """`account.tier=vip`, `account.region=EU,UK` (one of several) as a rule's conditions."""
    conditions = dict(account_condition(pair) for pair in pairs)
    if not conditions:
        raise InvalidInput("A rule needs at least one condition (--when account.tier=vip).")
    return conditions


def list_rules(uow: UnitOfWork, *, include_retired: bool = False) -> list[PriorityRule]:
    query = select(AccountPriorityRule).order_by(AccountPriorityRule.position, AccountPriorityRule.id)
    if not include_retired:
        query = query.where(AccountPriorityRule.is_active)
    return [_rule(row) for row in uow.session.scalars(query)]


def set_rule(
    uow: UnitOfWork,
    name: str,
    *,
    conditions: Mapping[str, Any],
    priority: Priority,
    position: int = 100,
    active: bool = True,
) -> PriorityRule:
    """Add the rule, or change it by name (its version goes up); the database decides who may."""
    try:
        uow.session.execute(
            text(
                "SELECT switchboard.set_account_priority_rule("
                ":name, CAST(:conditions AS jsonb), :priority, :position, :active)"
            ),
            {
                "name": name,
                "conditions": json.dumps(dict(conditions)),
                "priority": int(priority),
                "position": position,
                "active": active,
            },
        )
    except DBAPIError as error:
        raise (refusal(error) or error) from None
    return show_rule(uow, name.strip())


def retire_rule(uow: UnitOfWork, name: str) -> PriorityRule:
    """The rule no longer applies (it is kept, never deleted)."""
    rule = show_rule(uow, name)
    return set_rule(
        uow, rule.name, conditions=rule.conditions, priority=rule.priority, position=rule.position, active=False
    )


def show_rule(uow: UnitOfWork, name: str) -> PriorityRule:
    row = uow.session.scalar(select(AccountPriorityRule).where(AccountPriorityRule.name == name))
    if row is None:
        raise NotFound(f"No account priority rule is named {name!r}.")
    return _rule(row)


def _rule(row: AccountPriorityRule) -> PriorityRule:
    return PriorityRule(row.name, row.conditions, Priority(row.priority), row.position, row.is_active, row.version)


def priority_for(rules: Sequence[PriorityRule], attributes: Mapping[str, str]) -> Priority | None:
    """The highest priority of the active rules the account meets (None: no rule matches). Pure."""
    matched = [
        rule.priority
        for rule in rules
        if rule.is_active and attributes and account_matches(attributes, rule.conditions)
    ]
    return max(matched, default=None)


def kept_rules(uow: UnitOfWork) -> list[PriorityRule]:
    """The active rules as `list_rules` reads them, kept by the process while no rule changes
    (`config_cache`): intake and the worker's verification ask on every ticket and every changed customer."""
    return config_cache.cached(uow, "account priority rules", list_rules)


def raise_priority_on_intake(uow: UnitOfWork, event: TicketCreated) -> None:
    """The in-transaction policy: at least the matching rules' priority for the new ticket. Reads the rules
    (one small query) and, only when there are some, the customer's verified account."""
    rules = kept_rules(uow)
    if not rules:
        return
    row = uow.session.execute(select(Ticket.customer_id, Ticket.priority).where(Ticket.id == event.ticket_id)).first()
    if row is None or row.customer_id is None:
        return
    wanted = priority_for(rules, account_attributes(uow, row.customer_id))
    if wanted is not None:
        # Part of the creation (same transaction, same version): the client that opened it holds version 1.
        raise_priorities(uow, {event.ticket_id: Priority(row.priority)}, wanted, new_version=False)


def raise_priorities(
    uow: UnitOfWork, current: Mapping[int, Priority], wanted: Priority, *, new_version: bool = True
) -> list[int]:
    """At least `wanted` for these tickets (by id, with the priority they have now): the ones below it are
    raised, never lowered, audited as INTAKE_ACTION, with a `PriorityChanged` each (so their SLA due times
    follow in the same transaction). `new_version`: the raise is a change of its own (a verified account
    changed after the ticket was opened); on intake it is part of the creation. Returns the raised ids."""
    below = sorted(ticket_id for ticket_id, priority in current.items() if priority < wanted)
    if not below:
        return []
    values: dict[str, Any] = {"priority": wanted}
    if new_version:
        values["version"] = Ticket.version + 1
    uow.session.execute(select(func.set_config("switchboard.action", INTAKE_ACTION, True)))
    raised = uow.session.scalars(
        update(Ticket)
        .where(Ticket.id.in_(below), Ticket.priority < wanted)
        .values(**values)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    ).all()
    uow.session.execute(select(func.set_config("switchboard.action", "", True)))
    changed = set(raised)
    for ticket in uow.session.identity_map.values():
        if isinstance(ticket, Ticket) and ticket.id in changed:
            uow.session.expire(ticket, ["priority", "version"])
    for ticket_id in sorted(changed):
        uow.record(PriorityChanged(ticket_id, int(current[ticket_id]), int(wanted)))
    return sorted(changed)
