"""Account attributes as conditions (issue 16), the pure parts: an SLA policy's `account.NAME` conditions,
routing's account rules in `skills_by_tag`, and the priority rules' choice."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from app.services.connectors.rules import PriorityRule, parse_conditions, priority_for
from app.services.errors import InvalidInput
from app.services.routing.engine import account_note, account_rules_matched, wanted_skills
from app.services.sla.ledger import account_conditions, policy_from_row
from app.services.sla.policy import Conditions, Policy, PolicyBook, TicketTerms, choose_policy
from app.vocabulary import Priority

HOURS: dict[Priority, dict[Any, int]] = {p: {} for p in Priority}


def _terms(**account: str) -> TicketTerms:
    return TicketTerms(1, Priority.NORMAL, "question", "email", tier=account.get("tier"), account=account)


def test_an_account_condition_matches_one_of_its_values_in_any_case_and_never_a_missing_attribute() -> None:
    vip = Conditions(account=account_conditions({"account.tier": ["VIP", "gold"], "account.region": "eu"}))
    assert vip.matches(_terms(tier="vip", region="EU"))
    assert vip.matches(_terms(tier="Gold", region="eu", plan="x"))
    assert not vip.matches(_terms(tier="vip", region="US"))
    assert not vip.matches(_terms(region="EU"))  # no tier cached
    assert not vip.matches(_terms())  # no account cached at all
    assert not vip.is_empty


def test_the_first_policy_in_order_wins_and_the_book_knows_whether_to_read_the_cache() -> None:
    vip = Policy(1, "VIP", 1, Conditions(account=(("tier", frozenset({"vip"})),)), HOURS)
    default = Policy(2, "Default", 99, Conditions(), HOURS)
    assert choose_policy([default, vip], _terms(tier="VIP")).name == "VIP"
    assert choose_policy([default, vip], _terms(tier="standard")).name == "Default"
    assert PolicyBook((vip, default)).uses_account
    assert not PolicyBook((default,)).uses_account


@pytest.mark.parametrize(
    "conditions",
    [{"account.": "x"}, {"account.tier": []}, {"account.tier": [" "]}, {"account.tier": {"a": 1}}, {"account.t": None}],
)
def test_a_malformed_account_condition_names_the_policy(conditions: dict[str, Any]) -> None:
    row = SimpleNamespace(name="Bad", conditions=conditions, targets={}, ladder=[])
    with pytest.raises(ValueError, match="'Bad' is malformed"):
        policy_from_row(row)  # type: ignore[arg-type]


def test_an_account_rule_in_skills_by_tag_raises_the_wanted_skills_and_the_explanation_says_so() -> None:
    settings = {
        "skills": {"billing": 1},
        "skills_by_tag": {"refund": {"refunds": 2}, "account.tier=VIP": {"billing": 4}, "account.region=eu": {"de": 1}},
    }
    vip = {"tier": "vip", "region": "US"}
    assert wanted_skills(["refund"], settings, account=vip) == {"billing": 4, "refunds": 2}
    assert wanted_skills(["refund"], settings) == {"billing": 1, "refunds": 2}
    assert wanted_skills([], settings, account={"tier": "standard"}) == {"billing": 1}
    asked = account_rules_matched(settings, vip)
    assert asked == ["account.tier=VIP"]
    assert account_note(vip, asked) == "account tier vip; account.tier=VIP asks more skill"
    assert account_note({}, []) == ""


def test_the_highest_matching_active_rule_gives_the_priority() -> None:
    rules = [
        PriorityRule("VIP", {"account.tier": "vip"}, Priority.HIGH, 1, True, 1),
        PriorityRule("VIP in EU", {"account.tier": "vip", "account.region": ["EU", "UK"]}, Priority.URGENT, 2, True, 1),
        PriorityRule("Retired", {"account.tier": "vip"}, Priority.URGENT, 3, False, 2),
    ]
    assert priority_for(rules, {"tier": "VIP", "region": "us"}) is Priority.HIGH
    assert priority_for(rules, {"tier": "vip", "region": "uk"}) is Priority.URGENT
    assert priority_for(rules, {"tier": "standard"}) is None
    assert priority_for(rules, {}) is None


def test_conditions_from_the_command_line() -> None:
    assert parse_conditions(["account.tier=vip", "region=EU, UK"]) == {
        "account.tier": "vip",
        "account.region": ["EU", "UK"],
    }
    for bad in (["tier"], ["account.=x"], ["tier="]):
        with pytest.raises(InvalidInput):
            parse_conditions(bad)
    with pytest.raises(InvalidInput):
        parse_conditions([])
