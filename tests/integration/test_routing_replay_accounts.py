"""The routing dry-run wants what the live push wants (issues 13 and 16): a `skills_by_tag` rule on the
customer's verified account (`account.tier=vip`) raises the skills a ticket wants in the replay as it does
when the ticket is pushed, so the dry-run predicts the agent the push chose (both servers, each person's
own login). Both read the same source: what the worker verified, never what an agent's panel stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.bootstrap import event_handlers
from app.models import Ticket
from app.services.routing import engine as routing
from app.services.routing import settings as routing_settings
from app.services.routing.dry_run import dry_run
from app.services.tickets import service
from app.vocabulary import Availability
from tests.support.world import World

pytestmark = pytest.mark.slow
VIP_WANTS_SENIORS = {"skills_by_tag": {"account.tier=vip": {"billing": 3}}}


def test_the_dry_run_predicts_the_push_for_a_vip_account(world: World) -> None:
    # bob is a senior at billing, alice a junior who wins every tie (she comes first): only the account
    # rule sends a VIP's tickets to bob
    with world.uow("carol") as uow:
        routing_settings.save_queue_settings(uow, world.billing, VIP_WANTS_SENIORS)
        routing_settings.set_agent_facts(uow, world.alice, {"skills": {"billing": 1}})
        routing_settings.set_agent_facts(uow, world.bob, {"skills": {"billing": 3}})
        uow.commit()
    for person in ("alice", "bob"):
        with world.uow(person) as uow:
            routing.set_availability(uow, Availability.AVAILABLE)
            uow.commit()
    with world.trusted_uow() as uow:  # what the worker verified, corroborated, for jane and omar (the DBA's fixture)
        for customer, tier in ((world.jane, "VIP"), (world.omar, "standard")):
            uow.session.execute(
                text(
                    "INSERT INTO switchboard.account_verified (customer_id, connector, key_kind, key,"
                    " linked_account_id, found, attributes, corroborated_by, checked_at, verified_at, expires_at,"
                    " verified_by) VALUES (:c, 'accounts', 'account_id', :key, :key, true, CAST(:attributes AS jsonb),"
                    " 'tool_email', now(), now(), now() + interval '1 hour', 'the test')"
                ),
                {"c": customer, "key": f"ACC-{customer}", "attributes": f'{{"tier": "{tier}"}}'},
            )
        uow.session.execute(  # what a client's panel stored for omar says otherwise: shown, never decided on
            text(
                "INSERT INTO switchboard.account_cache (connector, key_kind, key, customer_ids, found, attributes,"
                " fetched_at, expires_at) VALUES ('accounts', 'account_id', 'panel-omar', ARRAY[CAST(:c AS bigint)],"
                " true, CAST('{\"tier\": \"vip\"}' AS jsonb), now(), now() + interval '1 hour')"
            ),
            {"c": world.omar},
        )
        uow.commit()
    created = []
    for _ in range(3):
        with world.uow("carol", handlers=event_handlers()) as uow:
            ticket = service.create_ticket(
                uow, subject="Invoice", customer_id=world.jane, queue_id=world.billing, body="?"
            ).ticket
            uow.commit()
        created.append(ticket.id)
    with world.uow("carol") as uow:
        pushed = set(uow.session.scalars(select(Ticket.assignee_id).where(Ticket.id.in_(created))))
        assert pushed == {world.bob}  # the live push asked the VIP tier for a senior
        replay = dry_run(uow, dict(VIP_WANTS_SENIORS), days=1, now=uow.now(), queue_id=world.billing)
    assert replay.tickets == 3
    assert dict(replay.would_get) == {"Bob Baker": 3}
    assert replay.changed == 0 and replay.nobody == []

    with world.uow("carol", handlers=event_handlers()) as uow:  # omar is verified standard: no senior wanted
        standard = service.create_ticket(
            uow, subject="Invoice", customer_id=world.omar, queue_id=world.billing, body="?"
        ).ticket
        uow.commit()
    with world.uow("carol") as uow:
        pushed_to = uow.session.scalar(select(Ticket.assignee_id).where(Ticket.id == standard.id))
        replay = dry_run(uow, dict(VIP_WANTS_SENIORS), days=1, now=uow.now(), queue_id=world.billing)
    assert pushed_to == world.alice  # the tie goes to alice, whatever omar's panel cache says
    assert dict(replay.would_get) == {"Bob Baker": 3, "Alice Archer": 1} and replay.changed == 0
