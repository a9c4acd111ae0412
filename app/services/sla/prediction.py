"""Predicted breach: how the escalation board ranks (issue 14).

A due time alone ranks a ticket that is due in two hours but takes typically six to handle below one due
in an hour that is typically answered in ten minutes. So each board row carries:

- **minutes left**: business minutes from now to the running clock's due time, on the calendar of the
  policy that applies (calendar minutes when the policy counts calendar time); negative once breached, by
  how much.
- **typical handling**: the median business minutes similar tickets took to meet that target: same
  queue, priority and type, the last 200 met within the last 4 weeks, each measured on the calendar of its
  own policy (calendar minutes when the policy counts calendar time) from creation to the first response
  (first and next response clocks) or to resolution (the resolution clock). The worker keeps these medians
  (`app.services.sla.typical`, table `sla_typical`, refreshed every 15 minutes); the board joins them.
- **margin**: the business minutes between when the ticket would be done if it took the typical time
  (its creation plus the typical business minutes on the ticket's own calendar, never before now) and
  the due time: the minutes left less the typical business minutes not yet behind it (typical minus the
  business minutes since creation, when positive) — the same number, since business minutes add up, in
  two calendar readings per row. Negative: the ticket is predicted to breach by that much. A ticket that
  came in on Friday evening, typically answered in 60 business minutes, is expected on Monday at 10:00,
  not on Friday at 19:00.
- **risk**: `breached` (the due time has passed), `likely to breach` (negative margin), `on track`, or
  `paused` (no clock running: no due time).

The board is ranked by margin, the most negative first (a breached ticket's margin is at most its minutes
left, so breached tickets come early, but one predicted to breach by five hours ranks above one breached a
minute ago), then by due time. A ticket without history (no similar ticket met in 4 weeks) has no
typical time: its margin is its minutes left, so it ranks by due time as before.

Pure functions; the services read the rows (one statement) and the policy book.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.services.sla.calendar import BusinessCalendar
from app.services.sla.dto import Risk

HISTORY = dt.timedelta(weeks=4)


@dataclass(frozen=True)
class Prediction:
    minutes_left: float | None  # business minutes to the due time, negative once breached; None: no clock runs
    typical_minutes: float | None  # the median of similar tickets, business minutes; None: no history
    margin: float | None  # business minutes between the typical finish and the due time
    risk: Risk
    past_typical: bool = False  # open longer than similar tickets take: no estimate beyond the time left

    def rank_key(self, due_at: dt.datetime | None, ticket_id: int) -> tuple[int, float, dt.datetime, int]:
        """Paused last; then the most negative margin first; then the sooner due; then the older ticket."""
        if self.margin is None or due_at is None:
            return (1, 0.0, dt.datetime.max.replace(tzinfo=dt.UTC), ticket_id)
        return (0, self.margin, due_at, ticket_id)


def signed_business_minutes(calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> float:
    """Business minutes from `start` to `end`, negative when `end` comes first."""
    if end >= start:
        return calendar.business_minutes(start, end)
    return -calendar.business_minutes(end, start)


def predict(
    *,
    due_at: dt.datetime | None,
    created_at: dt.datetime,
    typical_minutes: float | None,
    calendar: BusinessCalendar,
    now: dt.datetime,
) -> Prediction:
    """Where a ticket stands against its due time and against how long similar tickets take."""
    if due_at is None:
        return Prediction(None, typical_minutes, None, Risk.PAUSED)
    left = round(signed_business_minutes(calendar, now, due_at), 1)
    margin, past_typical = left, False
    if typical_minutes is not None:  # the typical work not yet behind it comes off what is left
        elapsed = calendar.business_minutes(created_at, now)
        margin = round(left - max(0.0, typical_minutes - elapsed), 1)
        past_typical = elapsed >= typical_minutes
    if due_at <= now:
        risk = Risk.BREACHED
    elif margin < 0:
        risk = Risk.LIKELY
    else:
        risk = Risk.ON_TRACK
    return Prediction(left, typical_minutes, margin, risk, past_typical)
