"""Routing settings as supervisors and admins edit them: a queue's weights, and each agent's facts
(skills, languages, capacity, queues, time zone, weekly shift, out of office and substitute).

Every change goes through a definer function that decides who may make it (`set_routing_config()`: a
queue's lead or an admin; `set_agent_routing()`: the lead of one of the agent's queues or an admin, and
every agent for their own out of office and substitute) and checks what is stored; this module reads
through the caller's own permissions and says nothing the database would not.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import TextClause, func, select, text
from sqlalchemy.exc import DBAPIError

from app.models import Agent, AgentSkill, Queue, QueueMember, RoutingConfig
from app.services.errors import NotFound
from app.services.platform.database.failures import refusal
from app.services.platform.uow import UnitOfWork
from app.services.routing.dto import WEIGHT_FACTORS, AgentRoutingFacts, QueueRoutingSettings
from app.services.routing.engine import weights_from
from app.services.routing.parsing import check_settings, whole_numbers

_SET_AGENT = text("SELECT switchboard.set_agent_routing(:agent, CAST(:facts AS jsonb))")
_SET_CONFIG = text("SELECT switchboard.set_routing_config(:queue, CAST(:settings AS jsonb))")


def queue_settings(uow: UnitOfWork, queue_id: int) -> QueueRoutingSettings:
    """The settings routing applies to the queue now."""
    name = uow.session.scalar(select(Queue.name).where(Queue.id == queue_id))
    if name is None:
        raise NotFound(f"No queue {queue_id}")
    rows = {
        row.queue_id: row
        for row in uow.session.scalars(
            select(RoutingConfig).where((RoutingConfig.queue_id == queue_id) | RoutingConfig.queue_id.is_(None))
        )
    }
    row = rows.get(queue_id) or rows.get(None)
    stored: dict[str, Any] = dict(row.settings) if row is not None else {}
    weights = weights_from(stored, row.version if row is not None else 0)
    return QueueRoutingSettings(
        queue_id=queue_id,
        queue=name,
        version=weights.version,
        own=queue_id in rows,
        weights=tuple((factor, float(getattr(weights, factor))) for factor in WEIGHT_FACTORS),
        overflow_cap=weights.overflow_cap,
        urgent_weight=int(stored.get("urgent_weight", 2)),
        settings=stored,
    )


def save_queue_settings(uow: UnitOfWork, queue_id: int, settings: Mapping[str, Any]) -> int:
    """Store the queue's own settings (a new version, which later decisions name); returns the version."""
    check_settings(settings)  # as the database checks them, with the same words before the round trip
    return int(_call(uow, _SET_CONFIG, {"queue": queue_id, "settings": json.dumps(whole_numbers(settings))}))


def _call(uow: UnitOfWork, statement: TextClause, values: dict[str, Any]) -> Any:
    """A definer function's refusal as the domain error it means (NotPermitted, InvalidInput, NotFound)."""
    try:
        return uow.session.execute(statement, values).scalar()
    except DBAPIError as error:
        raise (refusal(error) or error) from None


def led_queues(uow: UnitOfWork) -> list[tuple[int, str]]:
    """The queues whose routing the caller may change (all of them for an admin), by name."""
    led = select(func.unnest(func.switchboard.led_queue_ids())).scalar_subquery()
    return [(int(i), str(n)) for i, n in uow.session.execute(select(Queue.id, Queue.name).where(Queue.id.in_(led)))]


def queue_agents(uow: UnitOfWork, queue_id: int) -> list[AgentRoutingFacts]:
    """The routing facts of everyone who works the queue, by name."""
    ids = uow.session.scalars(select(QueueMember.agent_id).where(QueueMember.queue_id == queue_id)).all()
    return sorted(_facts(uow, list(ids)), key=lambda f: f.name.lower())


def agent_facts(uow: UnitOfWork, agent_id: int) -> AgentRoutingFacts:
    found = _facts(uow, [agent_id])
    if not found:
        raise NotFound(f"No agent {agent_id}")
    return found[0]


def _facts(uow: UnitOfWork, agent_ids: list[int]) -> list[AgentRoutingFacts]:
    agents = uow.session.scalars(select(Agent).where(Agent.id.in_(agent_ids))).all()
    skills: dict[int, list[tuple[str, int]]] = {}
    for agent_id, skill, level in uow.session.execute(
        select(AgentSkill.agent_id, AgentSkill.skill, AgentSkill.level)
        .where(AgentSkill.agent_id.in_(agent_ids))
        .order_by(AgentSkill.skill)
    ):
        skills.setdefault(agent_id, []).append((skill, int(level)))
    queues: dict[int, list[str]] = {}
    for agent_id, name in uow.session.execute(
        select(QueueMember.agent_id, Queue.name)
        .join(Queue, Queue.id == QueueMember.queue_id)
        .where(QueueMember.agent_id.in_(agent_ids))
        .order_by(Queue.name)
    ):
        queues.setdefault(agent_id, []).append(name)
    logins = dict(uow.session.execute(select(Agent.id, Agent.db_login)).all())
    return [
        AgentRoutingFacts(
            agent_id=a.id,
            login=a.db_login,
            name=a.display_name,
            availability=str(a.availability),
            capacity=a.capacity,
            languages=tuple(a.languages or ()),
            skills=tuple(skills.get(a.id, ())),
            queues=tuple(queues.get(a.id, ())),
            time_zone=a.time_zone,
            shift=a.shift or None,
            out_of_office_until=a.out_of_office_until,
            substitute=logins.get(a.substitute_id) if a.substitute_id else None,
        )
        for a in agents
    ]


def set_agent_facts(uow: UnitOfWork, agent_id: int, facts: Mapping[str, Any]) -> AgentRoutingFacts:
    """Change the facts given (see `set_agent_routing()` for the keys); returns the agent's facts after."""
    _call(uow, _SET_AGENT, {"agent": agent_id, "facts": json.dumps(dict(facts), default=_json_value)})
    uow.session.expire_all()
    return agent_facts(uow, agent_id)


def _json_value(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
