"""`switchboard response …` signed in as each role's own login (the command's `main()` in this process,
tests/support/cli_in_process.py)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli import as_, on_test_db
from tests.support.cli_in_process import switchboard_in_process as switchboard

pytestmark = pytest.mark.slow
__all__ = ["on_test_db"]  # the fixture, imported for this module's tests


def test_a_lead_adds_a_response_an_agent_uses_it_and_cannot_add_one(on_test_db: list[str]) -> None:
    db = on_test_db
    added = switchboard(
        *db,
        *as_(db, "carol"),
        "response",
        "add",
        "--title",
        "Refund issued",
        "--queue",
        "billing",
        "--json",
        stdin="Hello {customer_first_name},\nrefunded.\n{signature}",
    )
    assert added.returncode == 0, added.stderr
    listed = switchboard(*db, *as_(db, "alice"), "response", "list", "--queue", "billing", "--json")
    assert [r["title"] for r in json.loads(listed.stdout)] == ["Refund issued"]
    refused = switchboard(*db, *as_(db, "alice"), "response", "add", "--title", "Mine", "--body", "Hi")
    assert refused.returncode == 5 and "did not permit" in refused.stderr, refused.stderr
    typo = switchboard(*db, *as_(db, "carol"), "response", "add", "--title", "T", "--body", "{custmer_name}")
    assert typo.returncode == 2 and "Unknown placeholder {custmer_name}" in typo.stderr
    signed = switchboard(*db, *as_(db, "alice"), "response", "signature", "Alice, Billing")
    assert (
        signed.returncode == 0
        and "Alice, Billing" in switchboard(*db, *as_(db, "alice"), "response", "signature").stdout
    )
