"""Which promise applies to a ticket, which clocks run in which status, and what the sweep owes now: pure
functions over policies the database holds (no I/O here).

- **Policies** are tried in their explicit order; the first whose conditions all match wins (an empty
  condition matches anything), and the default policy, with no conditions, comes last. A condition may
  name an attribute of the customer's account as the worker verified it (`"account.tier": "vip"` or
  `"account.region": ["EU", "UK"]`, case ignored; issue 16, migration 0030): a ticket whose customer has no
  verified account, or no such attribute, does not match it.
- **Clocks per status** follow the status's category unless the status overrides them: open runs every
  clock, paused (waiting on the customer) pauses next response and resolution, done stops them all; a
  "pending on a third party" status typically overrides to pause the next response only.
- **The sweep** warns once at a share of the target (default 80 %) and climbs the policy's ladder after a
  breach; each (target, step) happens once, which the caller guarantees with a unique row.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.services.sla.clocks import Clock, Target
from app.vocabulary import Priority, StatusCategory

# The bounds `save_sla_policy()` keeps too: a year of minutes is more than any service level promises,
# and a due time so far out that the calendar arithmetic overflowed stopped the sweep for every queue.
MAX_TARGET_MINUTES = 525_600

DEFAULT_WARN_SHARE = 0.8
WARN_LEVEL = 0  # the pre-breach warning, before the ladder's levels 1, 2, 3 …


class Action(enum.StrEnum):
    NOTIFY_ASSIGNEE = "notify_assignee"
    NOTIFY_LEAD = "notify_lead"  # and raise the priority one step
    MOVE_TO_QUEUE = "move_to_queue"
    BACK_TO_ROUTING = "back_to_routing"


@dataclass(frozen=True)
class TicketTerms:
    """What a policy's conditions look at."""

    queue_id: int
    priority: Priority
    type: str
    channel: str
    tags: frozenset[str] = frozenset()
    organisation_id: int | None = None
    tier: str | None = None  # the customer's tier or an account attribute (connectors fill it)
    account: Mapping[str, str] = field(default_factory=dict)  # the verified account's attributes (tier, region …)


@dataclass(frozen=True)
class Conditions:
    """What a policy's tickets have in common. Types, channels, tags and tiers are held folded (`folded`)
    and compared so: "Phone" and "VIP" were kept as written and matched no ticket (a ticket's tags are
    lower case), without a word."""

    queue_ids: frozenset[int] = frozenset()
    priorities: frozenset[Priority] = frozenset()
    types: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    any_tags: frozenset[str] = frozenset()
    organisation_ids: frozenset[int] = frozenset()
    tiers: frozenset[str] = frozenset()
    account: tuple[tuple[str, frozenset[str]], ...] = ()  # (attribute, its allowed values casefolded)

    def matches(self, terms: TicketTerms) -> bool:
        if not self.account_matches(terms.account):
            return False
        checks: list[tuple[frozenset[object], Iterable[object]]] = [
            (self.queue_ids, [terms.queue_id]),
            (self.priorities, [terms.priority]),
            (self.types, [folded(terms.type)]),
            (self.channels, [folded(terms.channel)]),
            (self.any_tags, [folded(tag) for tag in terms.tags]),
            (self.organisation_ids, [terms.organisation_id]),
            (self.tiers, [folded(terms.tier)] if terms.tier is not None else []),
        ]
        return all(not wanted or any(value in wanted for value in values) for wanted, values in checks)

    def account_matches(self, attributes: Mapping[str, str]) -> bool:
        """Every account condition holds (as `connectors.attributes.account_matches`, without its I/O)."""
        for name, allowed in self.account:
            value = attributes.get(name)
            if value is None or value.casefold() not in allowed:
                return False
        return True

    @property
    def is_empty(self) -> bool:
        return not any(vars(self).values())


def folded(name: str) -> str:
    """A name of a condition as conditions compare it: trimmed, case aside."""
    return name.strip().casefold()


@dataclass(frozen=True)
class LadderStep:
    level: int
    after_breach_minutes: int  # calendar minutes after the breach
    action: Action
    queue_id: int | None = None  # for MOVE_TO_QUEUE


@dataclass(frozen=True)
class Policy:
    id: int
    name: str
    position: int
    conditions: Conditions
    targets: Mapping[Priority, Mapping[Target, int]]  # minutes per priority and target
    business_hours: bool = True
    calendar_id: int | None = None
    warn_share: float = DEFAULT_WARN_SHARE
    ladder: tuple[LadderStep, ...] = ()
    version: int = 1

    def minutes(self, priority: Priority, target: Target) -> int | None:
        return self.targets.get(priority, {}).get(target)


class NoPolicy(LookupError):
    """No policy matched and there is no default: the ticket has no promise to keep."""


def choose_policy(policies: Sequence[Policy], terms: TicketTerms) -> Policy:
    """The first policy in order whose conditions match."""
    for policy in sorted(policies, key=lambda p: (p.position, p.id)):
        if policy.conditions.matches(terms):
            return policy
    raise NoPolicy("No SLA policy matches this ticket and there is no default policy (one without conditions).")


DEFAULT_CLOCKS: Mapping[StatusCategory, frozenset[Target]] = {
    StatusCategory.OPEN: frozenset(Target),
    StatusCategory.PAUSED: frozenset({Target.FIRST_RESPONSE}),
    StatusCategory.DONE: frozenset(),
}


def running_clocks(
    status: str, category: StatusCategory, overrides: Mapping[str, frozenset[Target]] | None = None
) -> frozenset[Target]:
    """The clocks that run while a ticket is in this status."""
    if overrides and status in overrides:
        return overrides[status]
    return DEFAULT_CLOCKS[category]


@dataclass(frozen=True)
class Step:
    """Something the sweep owes a ticket now: the warning (level 0) or a ladder level."""

    target: Target
    level: int
    action: Action | None  # None for the warning
    due_at: dt.datetime
    queue_id: int | None = None


def owed_steps(clock: Clock, policy: Policy, now: dt.datetime, done: Iterable[tuple[Target, int]] = ()) -> list[Step]:
    """The warning and ladder levels due for this clock now and not yet done, lowest first. Only a running
    clock is owed anything: a ticket waiting on its customer is not escalated while it waits."""
    already = set(done)
    owed: list[Step] = []
    if not clock.running:
        return owed
    if clock.elapsed_minutes + 1e-9 >= policy.warn_share * clock.target_minutes and clock.due_at is not None:
        owed.append(Step(clock.target, WARN_LEVEL, None, min(now, clock.due_at)))
    if clock.breached_at is not None:
        for step in sorted(policy.ladder, key=lambda s: s.level):
            due = clock.breached_at + dt.timedelta(minutes=step.after_breach_minutes)
            if due <= now:
                owed.append(Step(clock.target, step.level, step.action, due, step.queue_id))
    return [step for step in owed if (step.target, step.level) not in already]


@dataclass(frozen=True)
class PolicyBook:
    """The policies with their status overrides, as loaded once per sweep or per transaction."""

    policies: tuple[Policy, ...]
    status_clocks: Mapping[str, frozenset[Target]] = field(default_factory=dict)

    @property
    def uses_account(self) -> bool:
        """Whether any policy looks at the customer's account (else nobody needs to read the cache)."""
        return any(policy.conditions.account for policy in self.policies)
