"""Who the assignee picker offers for a queue: as `works_queue` decides who may hold its tickets."""

from __future__ import annotations

from app.services.navigation.dto import Choice, Vocabulary

AGENTS = (Choice("1", "Alice Archer"), Choice("2", "Bob Baker"), Choice("3", "Carol Chen"), Choice("4", "Dave Dunn"))


def test_a_queue_offers_its_members_and_its_lead_who_is_not_a_member_in_name_order() -> None:
    vocabulary = Vocabulary(
        statuses=(),
        queues=(Choice("10", "Billing"), Choice("20", "Tech")),
        agents=AGENTS,
        members=(("10", "2"), ("10", "1"), ("20", "4")),
        leads=(("10", "3"),),
    )
    assert [a.label for a in vocabulary.agents_of("10")] == ["Alice Archer", "Bob Baker", "Carol Chen"]
    assert [a.label for a in vocabulary.agents_of("20")] == ["Dave Dunn"]  # carol leads Billing only


def test_a_lead_who_is_also_a_member_is_offered_once() -> None:
    vocabulary = Vocabulary(statuses=(), queues=(), agents=AGENTS, members=(("10", "3"),), leads=(("10", "3"),))
    assert [a.label for a in vocabulary.agents_of("10")] == ["Carol Chen"]
