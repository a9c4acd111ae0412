"""The ticket service on a real database: lifecycle, audit, change log and the conflict rule."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.models import AuditEvent, ChangeLogEntry, Message, Ticket
from app.services.errors import InvalidInput, NotFound, NotPermitted, TicketConflict, TransitionNotAllowed
from app.services.people import directory
from app.services.platform.uow import UnitOfWork
from app.services.tickets import queries, service
from app.services.tickets.dto import TicketChanged
from app.vocabulary import AgentRole, Channel, MessageKind, Priority
from tests.support.world import World, create_login


def _open(world: World, subject: str = "Printer on fire", **extra: object) -> TicketChanged:
    with world.uow() as uow:
        result = service.create_ticket(
            uow,
            subject=subject,
            customer_id=world.jane,
            queue_id=world.billing,
            body="Flames everywhere, error E1042.",
            channel=Channel.EMAIL,
            **extra,  # type: ignore[arg-type]
        )
        uow.commit()
    return result


def test_a_new_ticket_gets_a_number_the_request_and_an_audit(world: World) -> None:
    first, second = _open(world), _open(world, "Second")
    assert first.ticket.status == "new" and first.ticket.version == 1
    assert second.ticket.number == first.ticket.number + 1 >= 10001
    with world.uow() as uow:
        detail = queries.get_ticket(uow, ticket_id=first.ticket.id)
        audit = uow.session.execute(
            select(AuditEvent.action, AuditEvent.actor_login).where(AuditEvent.ticket_id == first.ticket.id)
        ).all()
    assert [m.kind for m in detail.messages] == [MessageKind.CUSTOMER_MESSAGE]
    assert detail.messages[0].author_name == "Jane Doe"
    alice = world.login("alice")
    assert [tuple(row) for row in audit] == [("create", alice), ("customer_message", alice)]


def test_subjects_are_required_and_tidied(world: World) -> None:
    with pytest.raises(InvalidInput, match="subject"):
        _open(world, "   ")
    assert _open(world, "  Too   many\nspaces ").ticket.subject == "Too many spaces"
    assert _open(world, "Bell\x07 and \x1b[31mescape").ticket.subject == "Bell and [31mescape"


def test_a_reply_on_a_closed_ticket_is_refused_and_a_note_is_not(world: World) -> None:
    """Closed comes back only by reopening: a reply would reach the customer while the ticket stays closed."""
    ticket = _open(world, assignee_id=world.alice).ticket
    with world.uow("alice") as uow:
        service.change_status(uow, ticket_id=ticket.id, status="closed", expected_version=None)
        uow.commit()
    with world.uow("alice") as uow, pytest.raises(TransitionNotAllowed, match="reopen it first"):
        service.reply(uow, ticket_id=ticket.id, body="Refund sent.", expected_version=None, then_status="answered")
    with world.uow("alice") as uow:
        noted = service.add_note(uow, ticket_id=ticket.id, body="Called them; all fine.", expected_version=None)
        reopened = service.reopen(uow, ticket_id=ticket.id, expected_version=None)
        replied = service.reply(uow, ticket_id=ticket.id, body="Refund sent.\x07", expected_version=None)
        uow.commit()
    assert noted.ticket.status == "closed" and reopened.ticket.status == "in_progress"
    with world.uow("alice") as uow:
        assert uow.session.get(Message, replied.message_id).body_text == "Refund sent."  # type: ignore[union-attr]


def test_a_reply_stamps_the_first_response_once(world: World) -> None:
    ticket = _open(world).ticket
    with world.uow() as uow:
        first = service.reply(uow, ticket_id=ticket.id, body="On it.", expected_version=1)
        second = service.reply(uow, ticket_id=ticket.id, body="Fixed?", expected_version=2, then_status="answered")
        uow.commit()
    assert first.ticket.first_response_at is not None
    assert second.ticket.first_response_at == first.ticket.first_response_at
    assert second.ticket.status == "answered" and second.ticket.version == 3


def test_an_internal_note_is_not_a_response(world: World) -> None:
    ticket = _open(world).ticket
    with world.uow("bob") as uow:
        result = service.add_note(
            uow, ticket_id=ticket.id, body="Customer is on the enterprise plan", expected_version=1
        )
        uow.commit()
        kinds = uow.session.scalars(select(Message.kind).where(Message.ticket_id == ticket.id)).all()
    assert result.ticket.first_response_at is None
    assert MessageKind.INTERNAL_NOTE in kinds


@pytest.mark.parametrize("body", ["  \n", "\u200b\u200d\u2060", "\u2800 \ufeff"])
def test_empty_messages_are_refused(world: World, body: str) -> None:
    """A reply of zero-width characters was sent to a customer and met the first-response target."""
    ticket = _open(world).ticket
    with world.uow() as uow, pytest.raises(InvalidInput, match="empty"):
        service.reply(uow, ticket_id=ticket.id, body=body, expected_version=None)


@pytest.mark.parametrize("subject", ["\u200b", "\u2800\u2800", "\u3164"])
def test_a_subject_that_shows_nothing_is_refused(world: World, subject: str) -> None:
    with pytest.raises(InvalidInput, match="subject that shows something"):
        _open(world, subject)


def test_a_message_given_only_as_html_gets_its_text_from_it(world: World) -> None:
    """A mail without a plain-text part was stored with empty text: its words were not searchable and
    `ticket show` printed nothing (a real-world probe, 2026-12-07)."""
    ticket = _open(world).ticket
    html = "<html><head><title>Newsletter 6</title></head><body>\n   <table><tr><td>\n      Refund   XYZZY\n"
    html += "</td></tr></table></body></html>"
    with world.uow() as uow:
        service.add_customer_message(uow, ticket_id=ticket.id, body="", body_html=html)
        uow.commit()
        texts = uow.session.scalars(select(Message.body_text).where(Message.ticket_id == ticket.id)).all()
    assert texts[-1] == "Refund XYZZY"


def test_every_changed_field_is_audited_old_to_new(world: World) -> None:
    ticket = _open(world).ticket
    with world.uow("carol") as uow:
        service.update_fields(
            uow,
            ticket_id=ticket.id,
            expected_version=1,
            changes=service.FieldChanges(priority=Priority.URGENT, queue_id=world.tech, tags=("VIP", " vip", "sso")),
        )
        uow.commit()
        rows = uow.session.execute(
            select(
                AuditEvent.action,
                AuditEvent.field,
                AuditEvent.old_value,
                AuditEvent.new_value,
                AuditEvent.actor_login,
                AuditEvent.ticket_version,
            )
            .where(AuditEvent.ticket_id == ticket.id, AuditEvent.action.in_(("update", "move")))
            .order_by(AuditEvent.field)
        ).all()
    carol = world.login("carol")
    assert [tuple(r) for r in rows] == [
        ("update", "priority", "normal", "urgent", carol, 2),
        ("move", "queue_id", world.billing, world.tech, carol, 2),
        ("update", "tags", [], ["sso", "vip"], carol, 2),
    ]


def test_closing_and_reopening_keep_the_timestamps_true(world: World) -> None:
    ticket = _open(world).ticket
    with world.uow() as uow:
        closed = service.change_status(uow, ticket_id=ticket.id, status="closed", expected_version=1)
        with pytest.raises(TransitionNotAllowed):
            service.change_status(uow, ticket_id=ticket.id, status="in_progress", expected_version=2)
        reopened = service.reopen(uow, ticket_id=ticket.id, expected_version=2)
        uow.commit()
    assert closed.ticket.closed_at is not None and closed.ticket.resolved_at is not None
    assert reopened.ticket.status == "new"  # unassigned: back to the queue
    assert reopened.ticket.closed_at is None and reopened.ticket.resolved_at is None


def test_a_customer_message_reopens_a_closed_ticket_for_its_assignee(world: World) -> None:
    ticket = _open(world, assignee_id=world.alice).ticket
    with world.uow() as uow:
        service.change_status(uow, ticket_id=ticket.id, status="closed", expected_version=1)
        result = service.add_customer_message(
            uow, ticket_id=ticket.id, body="It's broken again.", message_id_header="<abc@customer.test>"
        )
        uow.commit()
    assert result.ticket.status == "in_progress" and result.ticket.assignee_id == world.alice
    assert result.changed_fields >= {"status", "message"}


def test_assign_and_unassign(world: World) -> None:
    ticket = _open(world).ticket
    with world.uow("carol") as uow:
        assigned = service.assign(uow, ticket_id=ticket.id, assignee_id=world.bob, expected_version=1)
        unassigned = service.assign(uow, ticket_id=ticket.id, assignee_id=None, expected_version=2)
        with pytest.raises(NotFound, match="agent"):
            service.assign(uow, ticket_id=ticket.id, assignee_id=999_999, expected_version=3)
        uow.commit()
    assert assigned.ticket.assignee_name == "Bob Baker"
    assert unassigned.ticket.assignee_id is None and unassigned.changed_fields == {"assignee_id"}


def test_a_stale_write_is_refused_naming_who_changed_what(world: World) -> None:
    ticket = _open(world).ticket
    with world.uow("bob") as uow:
        service.change_status(uow, ticket_id=ticket.id, status="in_progress", expected_version=1)
        service.assign(uow, ticket_id=ticket.id, assignee_id=world.bob, expected_version=2)
        uow.commit()
    with world.uow("alice") as uow, pytest.raises(TicketConflict) as conflict:
        service.change_status(uow, ticket_id=ticket.id, status="closed", expected_version=1)
    message = str(conflict.value)
    assert f"Ticket #{ticket.number} was changed by Bob Baker" in message
    assert "status New → In progress" in message and "assignee nobody → Bob Baker" in message  # words, not reprs
    with world.uow() as uow:
        assert queries.get_summary(uow, ticket_id=ticket.id).status == "in_progress"


def test_a_customer_message_is_never_refused_as_stale_but_makes_others_stale(world: World) -> None:
    ticket = _open(world).ticket
    with world.uow() as uow:
        service.add_customer_message(uow, ticket_id=ticket.id, body="Any news?")
        uow.commit()
    with world.uow() as uow, pytest.raises(TicketConflict, match=r"Jane Doe \(customer\)"):
        service.change_status(uow, ticket_id=ticket.id, status="resolved", expected_version=1)


def test_merge_moves_the_conversation_and_closes_the_duplicate(world: World) -> None:
    target, duplicate = _open(world, "Login fails").ticket, _open(world, "Cannot log in").ticket
    with world.uow() as uow:
        result = service.merge(uow, source_id=duplicate.id, target_id=target.id, expected_version=1)
        uow.commit()
        target_detail = queries.get_ticket(uow, ticket_id=target.id)
        duplicate_detail = queries.get_ticket(uow, ticket_id=duplicate.id)
    assert result.ticket.status == "closed" and result.ticket.merged_into_id == target.id
    assert duplicate_detail.messages == ()
    assert [m.kind for m in target_detail.messages] == [
        MessageKind.CUSTOMER_MESSAGE,
        MessageKind.CUSTOMER_MESSAGE,
        MessageKind.SYSTEM_EVENT,
    ]
    assert f"#{duplicate.number}" in target_detail.messages[-1].body_text
    with world.uow() as uow, pytest.raises(TransitionNotAllowed, match="merged"):
        service.merge(uow, source_id=duplicate.id, target_id=target.id, expected_version=None)
    with world.uow() as uow, pytest.raises(InvalidInput):
        service.merge(uow, source_id=target.id, target_id=target.id, expected_version=None)


def test_links_are_mutual_and_idempotent(world: World) -> None:
    a, b = _open(world).ticket, _open(world).ticket
    with world.uow() as uow:
        service.link(uow, ticket_id=b.id, related_id=a.id)
        again = service.link(uow, ticket_id=a.id, related_id=b.id)
        uow.commit()
        assert queries.get_ticket(uow, ticket_id=a.id).linked_ticket_ids == (b.id,)
        assert queries.get_ticket(uow, ticket_id=b.id).linked_ticket_ids == (a.id,)
    assert again.changed_fields == frozenset()


def test_customer_html_is_sanitised_before_it_is_stored(world: World) -> None:
    ticket = _open(world).ticket
    with world.uow() as uow:
        service.add_customer_message(
            uow,
            ticket_id=ticket.id,
            body="see html",
            body_html='<p>Hi</p><script>alert(1)</script><img src="http://x/t.gif">',
        )
        uow.commit()
        stored = uow.session.scalars(select(Message.body_html).where(Message.body_html.is_not(None))).one()
    assert stored is not None and "<script>" not in stored and "<p>Hi</p>" in stored


def test_unknown_logins_may_not_act(world: World) -> None:
    """A login in the agent group without an agent row (or a disabled one) is nobody."""
    with world.factory() as session:
        create_login(session, world.login("mallory"), AgentRole.AGENT)
        session.commit()
    with world.uow("mallory") as uow, pytest.raises(NotPermitted, match="mallory"):
        _ = uow.actor


def test_every_mutation_lands_in_the_change_log_in_order(world: World) -> None:
    """The database's triggers write the log, in the order the rows changed; the reply's first response
    is stamped by the database too, and logged as its own ticket update."""
    ticket = _open(world).ticket
    with world.uow() as uow:
        service.reply(uow, ticket_id=ticket.id, body="Hello", expected_version=1)
        uow.commit()
        entries = uow.session.execute(
            select(ChangeLogEntry.seq, ChangeLogEntry.entity, ChangeLogEntry.operation)
            .where(ChangeLogEntry.ticket_id == ticket.id)
            .order_by(ChangeLogEntry.txid, ChangeLogEntry.seq)
        ).all()
    assert [(e.entity, e.operation) for e in entries] == [
        ("ticket", "insert"),
        ("message", "insert"),
        ("ticket", "update"),
        ("message", "insert"),
        ("ticket", "update"),
    ]
    assert [e.seq for e in entries] == sorted({e.seq for e in entries})


def test_customers_are_found_by_any_case_of_their_address(world: World) -> None:
    with world.uow() as uow:
        assert directory.find_or_create_customer(uow, email="JANE@Customer.test") == world.jane
        newcomer = directory.find_or_create_customer(uow, email="new@person.test", name="New Person")
        assert directory.find_or_create_customer(uow, email="new@person.test") == newcomer
        with pytest.raises(InvalidInput):
            directory.find_or_create_customer(uow, email="not-an-address")


def test_version_rows_stay_consistent_after_many_edits(world: World) -> None:
    ticket = _open(world).ticket
    with world.uow() as uow:
        version = 1
        for status in ["in_progress", "waiting", "in_progress", "resolved", "closed"]:
            version = service.change_status(
                uow, ticket_id=ticket.id, status=status, expected_version=version
            ).ticket.version
        uow.commit()
        stored = uow.session.scalar(select(Ticket.version).where(Ticket.id == ticket.id))
    assert version == stored == 6


def test_a_merged_ticket_takes_no_agent_writes_and_forwards_customer_mail(world: World) -> None:
    target, duplicate = _open(world, "Login fails").ticket, _open(world, "Cannot log in").ticket
    with world.uow() as uow:
        service.merge(uow, source_id=duplicate.id, target_id=target.id, expected_version=None)
        uow.commit()
    with world.uow() as uow:
        forwarded = service.add_customer_message(uow, ticket_id=duplicate.id, body="Still broken")
        uow.commit()
    assert forwarded.ticket.id == target.id
    writes: list[Callable[[UnitOfWork], TicketChanged]] = [
        lambda uow: service.reply(uow, ticket_id=duplicate.id, body="x", expected_version=None),
        lambda uow: service.assign(uow, ticket_id=duplicate.id, assignee_id=world.bob, expected_version=None),
        lambda uow: service.change_status(uow, ticket_id=duplicate.id, status="closed", expected_version=None),
    ]
    for write in writes:
        with world.uow() as uow, pytest.raises(TransitionNotAllowed, match=f"merged into #{target.number}"):
            write(uow)


def test_saved_views_are_the_agents_own(world: World) -> None:
    from app.services.desk import HelpDesk
    from app.services.navigation.dto import DeskView
    from app.services.tickets.queries import SortOrder, TicketFilter

    class Source:
        def __init__(self, login: str) -> None:
            self.login = login

        def uow(self) -> UnitOfWork:
            return world.uow(self.login)

    alice, bob = HelpDesk(Source("alice")), HelpDesk(Source("bob"))
    urgent_vpn = DeskView(
        "x", "x", TicketFilter(priorities=(Priority.URGENT,), tag="vpn", text="refund trial"), SortOrder.PRIORITY
    )
    alice.navigation.save_view("Urgent VPN", urgent_vpn)
    saved = [v for v in alice.navigation.views() if v.saved]
    assert [(v.label, v.ticket_filter, v.sort) for v in saved] == [
        ("Urgent VPN", urgent_vpn.ticket_filter, SortOrder.PRIORITY)  # the words too (they were dropped)
    ]
    assert not [v for v in bob.navigation.views() if v.saved]
    with pytest.raises(NotFound):  # bob cannot rename (or see) alice's
        bob.navigation.rename_view(saved[0].key, "Mine now")
    alice.navigation.save_view("Other", urgent_vpn)
    with pytest.raises(InvalidInput, match="named 'Other' already"):
        alice.navigation.rename_view(saved[0].key, "Other")
    alice.navigation.rename_view(saved[0].key, "VPN, urgent")
    renamed = {v.label: v for v in alice.navigation.views() if v.saved}
    assert set(renamed) == {"Other", "VPN, urgent"} and renamed["VPN, urgent"].ticket_filter == urgent_vpn.ticket_filter
    bob.navigation.delete_view(renamed["Other"].key)  # his own has no such key: nothing happens to hers
    alice.navigation.delete_view(renamed["Other"].key)
    assert [v.label for v in alice.navigation.views() if v.saved] == ["VPN, urgent"]
    with pytest.raises(InvalidInput):
        alice.navigation.delete_view("mine")


def test_view_counts_from_the_tally_equal_counting_the_tickets(world: World) -> None:
    from app.services.navigation import views as navigation
    from app.services.navigation.dto import DeskView
    from app.services.tickets.queries import TicketFilter

    tickets = [_open(world, f"Ticket {n}").ticket for n in range(6)]
    with world.uow("carol") as uow:
        service.assign(uow, ticket_id=tickets[0].id, assignee_id=world.alice, expected_version=None)
        service.change_status(uow, ticket_id=tickets[1].id, status="waiting", expected_version=None)
        service.update_fields(
            uow, ticket_id=tickets[2].id, expected_version=None, changes=service.FieldChanges(queue_id=world.tech)
        )
        service.merge(uow, source_id=tickets[3].id, target_id=tickets[4].id, expected_version=None)
        service.change_status(uow, ticket_id=tickets[5].id, status="closed", expected_version=None)
        uow.commit()
    filters = [
        TicketFilter(),
        TicketFilter(statuses=("new",)),
        TicketFilter(statuses=("new", "waiting"), queue_id=world.billing),
        TicketFilter(queue_id=world.tech),
        TicketFilter(assignee_id=world.alice),
        TicketFilter(unassigned=True),
        TicketFilter(statuses=("closed",)),
    ]
    with world.uow() as uow:
        for ticket_filter in filters:
            view = DeskView("v", "v", ticket_filter)
            tallied = navigation._count(uow, view)
            counted = len(queries.list_tickets(uow, ticket_filter=ticket_filter, limit=500).rows)
            assert tallied == counted, ticket_filter


def test_the_header_is_saved_as_one_gesture_or_not_at_all(world: World) -> None:
    """Status and fields in one transaction: a refused queue move saves neither the status nor the subject."""
    ticket = _open(world).ticket
    with world.uow("alice") as uow, pytest.raises(NotPermitted):
        service.edit_ticket(
            uow,
            ticket_id=ticket.id,
            status="in_progress",
            changes=service.FieldChanges(subject="Renamed", queue_id=world.tech),  # alice does not work Tech
            expected_version=1,
        )
    with world.uow("alice") as uow:
        saved = service.edit_ticket(
            uow,
            ticket_id=ticket.id,
            status="in_progress",
            changes=service.FieldChanges(subject="Renamed", priority=Priority.HIGH),
            expected_version=1,
        )
        uow.commit()
    assert (saved.ticket.status, saved.ticket.subject, saved.ticket.version) == ("in_progress", "Renamed", 2)
    assert {"status", "subject", "priority"} <= saved.changed_fields
