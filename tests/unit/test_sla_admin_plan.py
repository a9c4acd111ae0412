"""The SLA admin views' pure helpers: a move in the match order changes as few positions as it can, and the
dry run's proposal is the active policies with the edited one merged in."""

from __future__ import annotations

import pytest

from app.services.errors import InvalidInput
from app.services.sla.admin_area import plan_move, proposed_specs
from app.services.sla.admin_dto import PolicyInfo


def policy(policy_id: int, position: int, *, active: bool = True) -> PolicyInfo:
    return PolicyInfo(policy_id, f"P{policy_id}", position, {}, {"normal": {"resolution": 60}}, True, None, 0.8, (),
                      active, 1)  # fmt: skip


POLICIES = [policy(1, 10), policy(2, 11), policy(3, 50), policy(4, 30, active=False)]


@pytest.mark.parametrize(
    ("moved", "step", "expected"),
    [
        (3, -1, {3: 11, 2: 50}),  # between 10 and 11 there is no room: a swap with its neighbour
        (2, 1, {2: 51}),  # below the last: room
        (1, -1, None),  # already first
        (3, 1, None),  # already last
        (1, 1, {1: 12}),  # 12 lies between 11 and 50
        (4, -1, None),  # a retired policy has no place in the order
    ],
)
def test_a_move_changes_as_few_positions_as_it_can(moved: int, step: int, expected: dict[int, int] | None) -> None:
    if expected is None:
        with pytest.raises(InvalidInput):
            plan_move(POLICIES, moved, step)
    else:
        assert plan_move(POLICIES, moved, step) == expected


def test_two_policies_sharing_a_position_are_not_swapped_but_explained() -> None:
    assert plan_move([policy(1, 5), policy(2, 5)], 2, -1) == {2: 4}  # room above
    with pytest.raises(InvalidInput, match="share position 0"):
        plan_move([policy(1, 0), policy(2, 0)], 2, -1)


def test_the_proposal_merges_changes_retires_and_adds() -> None:
    specs = proposed_specs(POLICIES, {1: {"position": 99}, 2: {"active": False}, None: {"name": "New", "position": 1}})
    assert [(s["name"], s["position"]) for s in specs] == [("P1", 99), ("P3", 50), ("New", 1)]
    assert "active" not in specs[0] and specs[0]["targets"] == {"normal": {"resolution": 60}}
