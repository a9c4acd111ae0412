"""Go to anything and About, through each login's own permissions: `desk.navigation.find` and `.about`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.services.desk import HelpDesk
from app.services.platform.database import schema
from tests.support.desk import Desk


@pytest.fixture
def alice(desk: Desk) -> Iterator[HelpDesk]:
    runtime = desk.runtime("alice")
    yield HelpDesk(runtime)
    runtime.close()


def _number(desk: Desk, name: str) -> int:
    with desk.connect_as_dba() as dba:
        row = dba.execute("SELECT number FROM switchboard.ticket WHERE id = %s", (desk.ids[name],)).fetchone()
    assert row is not None
    return int(str(row[0]))


def test_a_number_finds_the_ticket_only_when_the_login_may_see_it(desk: Desk, alice: HelpDesk) -> None:
    mine, theirs = _number(desk, "billing_open"), _number(desk, "tech_bobs")
    for typed in (str(mine), f"#{mine}", f"  #{mine} "):
        assert [t.number for t in alice.navigation.find(typed)][:1] == [mine]
    assert all(t.number != theirs for t in alice.navigation.find(f"#{theirs}"))  # Tech is not alice's: RLS


def test_customer_name_address_and_subject_words_find_tickets(desk: Desk, alice: HelpDesk) -> None:
    billing = {desk.ids["billing_open"], desk.ids["billing_anns"]}
    assert {t.id for t in alice.navigation.find("jane")} == billing
    assert {t.id for t in alice.navigation.find("JANE@customer")} == billing
    assert {t.id for t in alice.navigation.find("anns ticket")} == {desk.ids["billing_anns"]}
    assert alice.navigation.find("tech_open") == []  # not hers to see
    assert alice.navigation.find("   ") == []
    found = alice.navigation.find("jane")[0]
    assert found.customer_emails == ("jane@customer.test",) and found.organisation_name is None


def test_about_names_the_build_the_schema_and_the_server(desk: Desk, alice: HelpDesk) -> None:
    about = alice.navigation.about()
    assert about.version and about.code_revision == schema.code_revision() and about.schema_is_current
    assert about.database == desk.database and about.login == desk.login("alice")
    assert about.server_version[:2].isdigit()
