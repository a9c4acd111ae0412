"""The SLA benchmarks' desk: queues, a team lead of two of them, a Berlin business calendar, one default
policy and 1,000 customers (`bench_sla`, `bench_board`)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from app.bootstrap import Runtime
from app.services.people import users
from app.vocabulary import AgentRole

BERLIN_HOURS = {str(day): [[540, 1020]] for day in range(5)}  # Monday to Friday, 09:00 to 17:00


def seed_sla_desk(runtime: Runtime, *, queues: int, targets: dict[str, Any], ladder: list[Any] | None = None) -> str:
    """The desk, committed; returns the lead's login (a supervisor leading the first two queues)."""
    with runtime.uow() as uow:
        s = uow.session
        queue_ids = [
            s.execute(text(f"SELECT switchboard.create_queue('Queue {n}', '')")).scalar_one()
            for n in range(1, queues + 1)
        ]
        login = f"{s.execute(text('SELECT current_database()')).scalar_one()}_lead"
        users.add_user(
            uow,
            login=login,
            display_name="Lead",
            email="lead@bench.test",
            role=AgentRole.SUPERVISOR,
            queue_ids=(queue_ids[0],),
        )
        s.execute(
            text(
                "UPDATE switchboard.queue SET team_lead_id = (SELECT id FROM switchboard.agent WHERE"
                " db_login = :l) WHERE id = ANY(:q)"
            ),
            {"l": login, "q": queue_ids[:2]},
        )
        s.execute(
            text(
                "INSERT INTO switchboard.business_calendar (name, time_zone, weekly_hours, country, subdivision)"
                " VALUES ('Berlin', 'Europe/Berlin', CAST(:h AS jsonb), 'DE', 'BE')"
            ),
            {"h": json.dumps(BERLIN_HOURS)},
        )
        s.execute(
            text(
                "INSERT INTO switchboard.sla_policy (name, position, targets, calendar_id, ladder)"
                " VALUES ('Default', 100, CAST(:t AS jsonb), (SELECT id FROM switchboard.business_calendar),"
                " CAST(:l AS jsonb))"
            ),
            {"t": json.dumps(targets), "l": json.dumps(ladder or [])},
        )
        s.execute(
            text("INSERT INTO switchboard.customer (name) SELECT 'Customer ' || n FROM generate_series(1, 1000) n")
        )
        uow.commit()
    return login
