"""Canned responses as imported from other desks and filled for real names: what reads as a placeholder but
is none of ours is refused with the one meant, and a customer is greeted by the name people use."""

from __future__ import annotations

import pytest

from app.services.responses.service import _meant, first_name, unknown_placeholders


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("{{customer_first_name}}", "customer_first_name"),  # Mustache's double braces
        ("{Ticket_Number}", "ticket_number"),
        ("{ customer_name }", "customer_name"),
        ("{customer-name}", "customer_name"),
        ("{{ticket.requester.first_name}}", "customer_first_name"),  # Zendesk's
        ("{custmer_name}", "customer_name"),
        ("{order_id}", None),
    ],
)
def test_what_reads_as_a_placeholder_but_is_none_of_ours_is_found_with_the_one_meant(
    written: str, meant: str | None
) -> None:
    """Imported responses kept these and customers got them as written ("Hi {Jane}," from doubled braces)."""
    assert unknown_placeholders(f"Hi {written}, thanks") == [written]
    assert _meant(written) == meant


def test_braces_around_anything_else_are_text() -> None:
    assert unknown_placeholders('Send {"order": 42} and {customer_name}; {0} {}') == []


@pytest.mark.parametrize(
    ("name", "greeted"),
    [
        ("Jane Doe", "Jane"),
        ("Müller, Jörg", "Jörg"),  # Outlook's order: "Hi Müller,," reached a customer
        ("Doe, Jane (IT)", "Jane"),
        ("Dr. Anna Schmidt", "Anna"),  # was "Hi Dr.,"
        ("Herr Prof. Klaus Weber", "Klaus"),
        ("van der Berg, Pieter", "Pieter"),
        ("山田 太郎", "山田 太郎"),  # family name first: greeted whole
        ("김민준", "김민준"),
        ("Madonna", "Madonna"),
        ("", ""),
    ],
)
def test_a_customer_is_greeted_by_the_name_people_use(name: str, greeted: str) -> None:
    assert first_name(name) == greeted
