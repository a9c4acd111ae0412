"""The lifecycle rules, over every pair of statuses."""

from __future__ import annotations

import itertools

import pytest

from app.services.errors import InvalidInput, TransitionNotAllowed
from app.services.tickets import lifecycle
from app.services.tickets.lifecycle import LifecycleRules
from app.vocabulary import StatusCategory, TransitionKind
from tests.support.rules import DEFAULT_RULES, STATUSES

ALL = [key for key, _ in STATUSES]


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ALL, ALL)))
def test_every_status_pair_follows_the_table(source: str, target: str) -> None:
    allowed = source == target or DEFAULT_RULES.allows(source, target, TransitionKind.CHANGE)
    if allowed:
        lifecycle.check_status_change(DEFAULT_RULES, source, target)
    else:
        with pytest.raises(TransitionNotAllowed):
            lifecycle.check_status_change(DEFAULT_RULES, source, target)


@pytest.mark.parametrize("target", [s for s in ALL if s != "closed"])
def test_a_closed_ticket_leaves_only_by_reopening(target: str) -> None:
    with pytest.raises(TransitionNotAllowed, match="reopening it or by a new customer message"):
        lifecycle.check_status_change(DEFAULT_RULES, "closed", target)


@pytest.mark.parametrize("source", [s for s in ALL if s not in ("resolved", "closed")])
def test_nothing_moves_back_to_new_by_an_ordinary_change(source: str) -> None:
    if source != "new":
        with pytest.raises(TransitionNotAllowed):
            lifecycle.check_status_change(DEFAULT_RULES, source, "new")


def test_a_refusal_lists_where_the_ticket_can_go() -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        lifecycle.check_status_change(DEFAULT_RULES, "in_progress", "new")
    assert "waiting" in str(refused.value) and "resolved" in str(refused.value)


def test_an_unknown_status_is_named() -> None:
    with pytest.raises(InvalidInput, match="'escalated'"):
        lifecycle.check_status_change(DEFAULT_RULES, "new", "escalated")


@pytest.mark.parametrize(("assigned", "expected"), [(True, "in_progress"), (False, "new")])
@pytest.mark.parametrize("source", ["closed", "resolved"])
def test_reopen_goes_back_to_work_or_to_new(source: str, assigned: bool, expected: str) -> None:
    assert lifecycle.reopen_status(DEFAULT_RULES, source, assigned=assigned) == expected


@pytest.mark.parametrize("source", ["new", "in_progress", "waiting", "pending", "answered"])
def test_only_finished_tickets_can_be_reopened(source: str) -> None:
    with pytest.raises(TransitionNotAllowed, match="nothing to reopen"):
        lifecycle.reopen_status(DEFAULT_RULES, source, assigned=True)


@pytest.mark.parametrize(
    ("source", "assigned", "expected"),
    [
        ("new", False, "new"),
        ("in_progress", True, "in_progress"),
        ("waiting", True, "in_progress"),
        ("waiting", False, "in_progress"),
        ("pending", True, "in_progress"),
        ("answered", True, "in_progress"),
        ("resolved", True, "in_progress"),
        ("closed", True, "in_progress"),
        ("closed", False, "new"),
    ],
)
def test_a_customer_message_wakes_the_ticket(source: str, assigned: bool, expected: str) -> None:
    assert lifecycle.status_after_customer_message(DEFAULT_RULES, source, assigned=assigned) == expected


def test_an_admin_status_takes_part_through_the_table_alone() -> None:
    rules = LifecycleRules.from_rows(
        [*STATUSES, ("on_hold_legal", StatusCategory.PAUSED)],
        {
            *DEFAULT_RULES.moves,
            ("in_progress", "on_hold_legal", TransitionKind.CHANGE),
            ("on_hold_legal", "in_progress", TransitionKind.CHANGE),
        },
    )
    lifecycle.check_status_change(rules, "in_progress", "on_hold_legal")
    with pytest.raises(TransitionNotAllowed):
        lifecycle.check_status_change(rules, "new", "on_hold_legal")
    assert lifecycle.status_after_customer_message(rules, "on_hold_legal", assigned=True) == "in_progress"


@pytest.mark.parametrize("status", ALL)
def test_a_public_reply_is_refused_only_where_the_ticket_can_no_longer_move(status: str) -> None:
    terminal = not DEFAULT_RULES.targets(status)
    if terminal:
        with pytest.raises(TransitionNotAllowed, match=f"#10011 is {status}.*reopen it first"):
            lifecycle.check_reply(DEFAULT_RULES, status, number=10011)
    else:
        lifecycle.check_reply(DEFAULT_RULES, status, number=10011)
    assert terminal == (status == "closed")
