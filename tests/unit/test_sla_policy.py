"""Choosing the policy, the clocks per status, and what the sweep owes a clock now."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest

from app.services.sla.calendar import ALWAYS
from app.services.sla.clocks import Clock, Entry, LedgerEvent, Target, clock
from app.services.sla.policy import (
    WARN_LEVEL,
    Action,
    Conditions,
    LadderStep,
    NoPolicy,
    Policy,
    TicketTerms,
    choose_policy,
    owed_steps,
    running_clocks,
)
from app.vocabulary import Priority, StatusCategory

HOURS = {p: {t: 60 for t in Target} for p in Priority}
LADDER = (
    LadderStep(1, 0, Action.NOTIFY_ASSIGNEE),
    LadderStep(2, 30, Action.NOTIFY_LEAD),
    LadderStep(3, 120, Action.MOVE_TO_QUEUE, queue_id=9),
)
VIP = Policy(1, "VIP", 1, Conditions(tiers=frozenset({"vip"})), HOURS, ladder=LADDER)
BILLING_URGENT = Policy(
    2, "Billing urgent", 2, Conditions(queue_ids=frozenset({3}), priorities=frozenset({Priority.URGENT})), HOURS
)
DEFAULT = Policy(3, "Default", 99, Conditions(), HOURS)
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def terms(**changes: Any) -> TicketTerms:
    return dataclasses.replace(TicketTerms(3, Priority.NORMAL, "question", "email"), **changes)


@pytest.mark.parametrize(
    ("ticket", "expected"),
    [
        (terms(tier="vip", priority=Priority.URGENT), "VIP"),
        (terms(priority=Priority.URGENT), "Billing urgent"),
        (terms(priority=Priority.URGENT, queue_id=4), "Default"),
        (terms(), "Default"),
    ],
)
def test_the_first_matching_policy_in_order_wins_and_the_default_comes_last(ticket: TicketTerms, expected: str) -> None:
    assert choose_policy([DEFAULT, BILLING_URGENT, VIP], ticket).name == expected


def test_tags_match_when_any_is_present_and_no_default_is_an_error() -> None:
    tagged = Policy(4, "Outage", 1, Conditions(any_tags=frozenset({"outage", "p1"})), HOURS)
    assert choose_policy([tagged], terms(tags=frozenset({"api", "p1"}))).name == "Outage"
    with pytest.raises(NoPolicy, match="no default policy"):
        choose_policy([tagged], terms(tags=frozenset({"api"})))


def test_clocks_follow_the_status_category_unless_the_status_overrides_them() -> None:
    assert running_clocks("in_progress", StatusCategory.OPEN) == frozenset(Target)
    assert running_clocks("waiting", StatusCategory.PAUSED) == {Target.FIRST_RESPONSE}
    assert running_clocks("resolved", StatusCategory.DONE) == frozenset()
    pending = {"pending": frozenset({Target.FIRST_RESPONSE, Target.RESOLUTION})}
    assert running_clocks("pending", StatusCategory.PAUSED, pending) == {Target.FIRST_RESPONSE, Target.RESOLUTION}


def resolution_clock(minutes_since_start: int, *ledger: LedgerEvent) -> Clock:
    events = [LedgerEvent(START, Target.RESOLUTION, Entry.START), *ledger]
    return clock(events, Target.RESOLUTION, 60, ALWAYS, START + dt.timedelta(minutes=minutes_since_start))


def test_the_warning_comes_at_eighty_percent_and_the_ladder_climbs_after_the_breach() -> None:
    def owed(minutes: int, done: tuple[tuple[Target, int], ...] = ()) -> list[int]:
        state = resolution_clock(minutes)
        now = START + dt.timedelta(minutes=minutes)
        return [step.level for step in owed_steps(state, VIP, now, done)]

    assert owed(47) == []
    assert owed(48) == [WARN_LEVEL]
    assert owed(60) == [WARN_LEVEL, 1]
    assert owed(95, done=((Target.RESOLUTION, WARN_LEVEL), (Target.RESOLUTION, 1))) == [2]
    assert owed(185, done=((Target.RESOLUTION, 0), (Target.RESOLUTION, 1), (Target.RESOLUTION, 2))) == [3]


def test_a_met_or_paused_clock_is_owed_nothing() -> None:
    met = resolution_clock(200, LedgerEvent(START + dt.timedelta(minutes=10), Target.RESOLUTION, Entry.FULFIL))
    waiting = resolution_clock(
        200, LedgerEvent(START + dt.timedelta(minutes=70), Target.RESOLUTION, Entry.PAUSE, "waiting")
    )
    now = START + dt.timedelta(minutes=200)
    assert owed_steps(met, VIP, now) == owed_steps(waiting, VIP, now) == []


def test_names_in_conditions_match_whatever_their_case_and_unknown_ones_are_refused() -> None:
    """ "Phone" and "VIP" were kept as written and matched no ticket (a ticket's channel and tags are lower
    case): a real-world probe's policy was saved without a word and took nothing."""
    from app.models import SlaPolicy
    from app.services.errors import InvalidInput
    from app.services.sla.admin import _check_conditions
    from app.services.sla.ledger import policy_from_row

    written = {"channels": ["Phone"], "types": ["Question"], "any_tags": ["VIP "], "tiers": ["Gold"]}
    row = SlaPolicy(id=9, name="Phone VIP", position=1, conditions=written, targets={}, business_hours=False)
    row.version = 1
    conditions = policy_from_row(row).conditions
    ticket = terms(channel="phone", tags=frozenset({"vip", "refund"}), tier="gold")
    assert conditions.matches(ticket)
    assert not conditions.matches(dataclasses.replace(ticket, channel="email"))
    _check_conditions(written)  # as people write them
    for typo, said in [
        ({"channels": ["Phne"]}, "'Phne': known are email, web, chat, phone, manual"),
        ({"types": ["Questions"]}, "'Questions': known are question, incident, problem, task"),
        ({"priorities": ["Critical"]}, "'Critical': known are"),
        ({"any_tags": [" "]}, "an empty name"),
    ]:
        with pytest.raises(InvalidInput, match=said):
            _check_conditions(typo)


@pytest.mark.parametrize(
    ("targets", "ladder", "said"),
    [
        (
            {"normal": {"resolution": 60}},
            [{"level": 1, "action": "notify lead"}],
            "'notify lead' is no step action (one of notify_assignee, notify_lead, move_to_queue, back_to_routing)",
        ),
        ({"normal": {"first_respone": 60}}, [], "'first_respone' is no target (one of first_response"),
    ],
)
def test_a_malformed_policy_is_named_in_words_a_lead_can_act_on(
    targets: dict[str, Any], ladder: list[dict[str, Any]], said: str
) -> None:
    """A real-world probe: "'notify lead' is not a valid Action" named no valid one."""
    from app.models import SlaPolicy
    from app.services.sla.ledger import policy_from_row

    row = SlaPolicy(id=1, name="Probe", position=1, conditions={}, targets=targets, ladder=ladder)
    with pytest.raises(ValueError, match=re.escape(said)):
        policy_from_row(row)
