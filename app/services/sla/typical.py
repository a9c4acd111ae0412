"""The typical handling time of similar tickets, in business minutes, kept by the worker (issue 14).

The escalation board ranks by business minutes left against how long similar tickets (same queue,
priority and type) typically take. Both sides must be business minutes: a ticket that came in on Friday
at 16:50 and was answered on Monday at 09:10 took twenty minutes of the team's time, not two and a half
days. Each historical ticket is measured on the calendar of the policy that applies to it (calendar
minutes when that policy counts calendar time), by the SLA engine's own pure arithmetic
(`BusinessCalendar.business_minutes`) — too much for the board's one statement, so the worker's
`sla_typical_handling` job does it every `PERIOD` and stores the medians in `sla_typical` (migration 0031),
which the board joins by (queue, priority, type).

What is measured: from creation to the first response (for the first and next response clocks) and to
resolution, of the last `SAMPLE` tickets of each group met within `HISTORY` (read backwards from the
covering partial indexes `ix_ticket_kind_first_response` and `ix_ticket_kind_resolved`, one index descent
per group and target). The median of each, and how many tickets it is the median of. A group with
nothing met in the window has no row, so the board ranks its tickets by minutes left alone.

The job runs as the worker's trusted session (every ticket, every calendar); only such a session may write
the table, and staff read the rows of the queues they see.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.dialects.postgresql import insert

from app.models import SlaTypical
from app.services.platform.uow import UnitOfWork
from app.services.sla.calendar import ALWAYS, BusinessCalendar
from app.services.sla.ledger import SlaBook, accounts_for, load_book
from app.services.sla.policy import TicketTerms
from app.services.sla.prediction import HISTORY
from app.vocabulary import Priority, TicketType

SAMPLE = 200  # the most recent similar tickets a typical time is the median of
PERIOD = dt.timedelta(minutes=15)
MET_COLUMNS = {"first": "first_response_at", "resolution": "resolved_at"}

Group = tuple[int, Priority, str]  # (queue_id, priority, type)


@dataclass(frozen=True)
class Handled:
    """One similar ticket met in the window: what chooses its policy, and when it came in and was met."""

    group: Group
    target: str  # "first" or "resolution"
    created_at: dt.datetime
    met_at: dt.datetime
    channel: str
    tags: frozenset[str]
    customer_id: int | None
    organisation_id: int | None

    def terms(self, account: Mapping[str, str] | None) -> TicketTerms:
        account = account or {}
        return TicketTerms(
            queue_id=self.group[0],
            priority=self.group[1],
            type=self.group[2],
            channel=self.channel,
            tags=self.tags,
            organisation_id=self.organisation_id,
            tier=account.get("tier"),
            account=account,
        )


@dataclass(frozen=True)
class Typical:
    first_minutes: float | None
    first_samples: int
    resolution_minutes: float | None
    resolution_samples: int


def typical_times(
    handled: Iterable[Handled], calendar_of: Callable[[Handled], BusinessCalendar]
) -> dict[Group, Typical]:
    """Per group, the median business minutes to each target, each ticket on its own calendar (pure)."""
    minutes: dict[Group, dict[str, list[float]]] = {}
    for ticket in handled:
        taken = calendar_of(ticket).business_minutes(ticket.created_at, ticket.met_at)
        minutes.setdefault(ticket.group, {"first": [], "resolution": []})[ticket.target].append(taken)
    typical = {}
    for group, by_target in minutes.items():
        first, resolution = by_target["first"], by_target["resolution"]
        typical[group] = Typical(
            round(statistics.median(first), 1) if first else None,
            len(first),
            round(statistics.median(resolution), 1) if resolution else None,
            len(resolution),
        )
    return typical


def refresh_typical_handling(new_uow: Callable[[], UnitOfWork]) -> dict[str, Any]:
    """The worker's job: measure the recent similar tickets of every group and store the medians (the
    rows of groups with nothing met in the window go). One transaction; the board sees the old medians or
    the new ones."""
    with new_uow() as uow:
        now = uow.now()
        handled = recently_met(uow, now - HISTORY)
        book = load_book(uow)
        accounts = accounts_for(uow, book, {h.customer_id for h in handled})  # read only when a policy asks
        memo: dict[tuple[object, ...], BusinessCalendar] = {}  # tickets alike in what chooses the policy

        def calendar(ticket: Handled) -> BusinessCalendar:
            customer = ticket.customer_id if accounts else None
            key = (ticket.group, ticket.channel, ticket.tags, ticket.organisation_id, customer, ticket.created_at.year)
            if key not in memo:
                memo[key] = calendar_of(book, ticket, accounts)
            return memo[key]

        typical = typical_times(handled, calendar)
        if typical:
            statement = insert(SlaTypical).values(
                [
                    {
                        "queue_id": queue_id,
                        "priority": priority,
                        "type": TicketType(kind),
                        "first_minutes": t.first_minutes,
                        "first_samples": t.first_samples,
                        "resolution_minutes": t.resolution_minutes,
                        "resolution_samples": t.resolution_samples,
                        "computed_at": now,
                    }
                    for (queue_id, priority, kind), t in sorted(typical.items())
                ]
            )
            uow.session.execute(
                statement.on_conflict_do_update(
                    index_elements=[SlaTypical.queue_id, SlaTypical.priority, SlaTypical.type],
                    set_={
                        name: statement.excluded[name]
                        for name in (
                            "first_minutes",
                            "first_samples",
                            "resolution_minutes",
                            "resolution_samples",
                            "computed_at",
                        )
                    },
                )
            )
        gone = len(
            uow.session.execute(
                delete(SlaTypical).where(SlaTypical.computed_at != now).returning(SlaTypical.queue_id)
            ).all()
        )
        uow.commit()
    return {"groups": len(typical), "tickets_measured": len(handled), "groups_gone": gone}


def calendar_of(book: SlaBook, ticket: Handled, accounts: Mapping[int, Mapping[str, str]]) -> BusinessCalendar:
    """The calendar of the policy that applies to the ticket now (calendar time when none does)."""
    account = accounts.get(ticket.customer_id) if ticket.customer_id is not None else None
    policy = book.choose(ticket.terms(account))
    return book.calendar(policy, ticket.created_at) if policy is not None else ALWAYS


_RECENT = """
SELECT g.queue_id, g.priority, g.type, r.created_at, r.met_at, r.channel, r.tags, r.customer_id, c.organisation_id
FROM (SELECT q.id AS queue_id, p.priority, k.type
      FROM switchboard.queue q
      CROSS JOIN unnest(CAST(:priorities AS smallint[])) AS p(priority)
      CROSS JOIN unnest(CAST(:types AS text[])) AS k(type)) g
CROSS JOIN LATERAL (
    SELECT t.created_at, t.{met} AS met_at, t.channel, t.tags, t.customer_id
    FROM switchboard.ticket t
    WHERE t.queue_id = g.queue_id AND t.priority = g.priority AND t.type = g.type
      AND t.{met} IS NOT NULL AND t.merged_into_id IS NULL AND t.{met} >= :since
    ORDER BY t.{met} DESC
    LIMIT :sample) r
LEFT JOIN switchboard.customer c ON c.id = r.customer_id
"""


def recently_met(uow: UnitOfWork, since: dt.datetime) -> list[Handled]:
    """The last `SAMPLE` tickets of every (queue, priority, type) met since `since`, per target: each group
    is one backward read of the covering partial index of its target (the groups are every queue, priority
    and type: an empty one is a single index descent)."""
    handled = []
    for target, met in MET_COLUMNS.items():
        rows = uow.session.execute(
            text(_RECENT.format(met=met)),
            {
                "priorities": [int(p) for p in Priority],
                "types": [t.value for t in TicketType],
                "since": since,
                "sample": SAMPLE,
            },
        )
        handled += [
            Handled(
                (int(queue_id), Priority(priority), str(kind)),
                target,
                created_at,
                met_at,
                str(channel),
                frozenset(tags or ()),
                customer_id,
                organisation_id,
            )
            for queue_id, priority, kind, created_at, met_at, channel, tags, customer_id, organisation_id in rows
        ]
    return handled
