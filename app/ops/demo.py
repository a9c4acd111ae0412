"""Demo data: queues, agents with skills and languages, customers in organisations, and tickets spread
over the last 90 days in every status with conversations that read like real ones.

Reference rows are created once and reused; each run adds the requested tickets. Rows go in with bulk
INSERTs in one transaction (2,000 tickets take a few seconds), through the same change log as any write.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, sessionmaker

from app.models import (
    AccountCacheEntry,
    AccountPriorityRule,
    AccountVerification,
    Agent,
    AgentSkill,
    BusinessCalendar,
    CannedResponse,
    Customer,
    CustomerEmail,
    Message,
    Organisation,
    Queue,
    RoutingConfig,
    SlaPolicy,
    Ticket,
)
from app.ops import demo_content as content
from app.services.people import users
from app.services.platform.uow import UnitOfWork
from app.services.routing import engine as routing
from app.services.routing import settings as routing_settings
from app.services.routing.shifts import parse_shift
from app.services.sla.sweep import sla_sweep
from app.services.sla.typical import refresh_typical_handling
from app.vocabulary import AgentRole, Availability, Channel, MessageKind, Priority, TicketType

DAYS_OF_HISTORY = 90
BATCH = 5_000
CUSTOMERS_PER_ORGANISATION = 12
FIRST_RESPONSE_TARGET = {Priority.URGENT: 1, Priority.HIGH: 4, Priority.NORMAL: 8, Priority.LOW: 24}
RESOLUTION_TARGET = {Priority.URGENT: 8, Priority.HIGH: 24, Priority.NORMAL: 72, Priority.LOW: 120}
# The last week holds the open work; older tickets are mostly done, a few still wait on someone.
RECENT_STATUSES = (
    ["new"] * 18
    + ["in_progress"] * 26
    + ["waiting"] * 14
    + ["pending"] * 8
    + ["answered"] * 14
    + ["resolved"] * 12
    + ["closed"] * 8
)
OLD_STATUSES = ["closed"] * 80 + ["resolved"] * 16 + ["waiting"] * 2 + ["pending"] * 2
RECENT_DAYS = 7
PRIORITIES = [Priority.LOW] * 20 + [Priority.NORMAL] * 55 + [Priority.HIGH] * 20 + [Priority.URGENT] * 5
CHANNELS = [Channel.EMAIL] * 60 + [Channel.WEB] * 20 + [Channel.CHAT] * 12 + [Channel.PHONE] * 8


@dataclass(frozen=True)
class DemoSize:
    tickets: int = 2000


@dataclass(frozen=True)
class DemoSummary:
    queues: int
    agents: int
    customers: int
    tickets: int
    messages: int

    def __str__(self) -> str:
        return (
            f"Demo data: {self.queues} queues, {self.agents} agents, {self.customers} customers; added "
            f"{self.tickets} tickets with {self.messages} messages"
        )


@dataclass(frozen=True)
class _Cast:
    queue_ids: dict[str, int]
    members: dict[str, list[tuple[int, str]]]
    customers: list[tuple[int, str, str, str, str]]


def fill_demo_data(
    session_factory: sessionmaker[Session], size: DemoSize, *, seed: int = 7, now: dt.datetime | None = None
) -> DemoSummary:
    """Batches of BATCH tickets, each its own transaction, so a large demo never holds the change-log
    lock (which every writer takes at commit) for long."""
    rng = random.Random(seed)
    moment = now or dt.datetime.now(dt.UTC)
    with UnitOfWork(session_factory) as uow:
        cast = _ensure_cast(uow, rng)
        _ensure_rosters(uow, moment)
        _ensure_sla(uow)
        _ensure_account_demo(uow, [customer[0] for customer in cast.customers])
        uow.commit()
    history = sorted(
        (_plan_ticket(cast, rng, moment) for _ in range(size.tickets - SHOWCASE_TICKETS)),
        key=lambda plan: plan["ticket"]["created_at"],
    )  # numbers grow with time, as in real life
    plans = _showcase(cast, moment)[: size.tickets] + history
    messages = 0
    for start in range(0, len(plans), BATCH):
        with UnitOfWork(session_factory) as uow:
            messages += _add_tickets(uow, cast, plans[start : start + BATCH])
            uow.commit()
    with UnitOfWork(session_factory) as uow:
        _route_waiting(uow)
        uow.commit()
    # Due times from the demo policy for the new tickets' ledgers; the worker takes the steps they owe.
    sla_sweep(lambda: UnitOfWork(session_factory), take_steps=False)
    # The board's typical handling times from the history at once, not at the worker's first quarter hour.
    refresh_typical_handling(lambda: UnitOfWork(session_factory))
    return DemoSummary(len(cast.queue_ids), len(content.AGENTS), len(cast.customers), len(plans), messages)


def _route_waiting(uow: UnitOfWork) -> None:
    """The demo's routing configuration, then routing for its new unassigned tickets, as intake would have
    done: the decisions are there to look at from the first start."""
    if uow.session.scalar(select(RoutingConfig.id).where(RoutingConfig.queue_id.is_(None))) is None:
        uow.session.execute(
            text("SELECT switchboard.set_routing_config(NULL, CAST(:settings AS jsonb))"),
            {"settings": json.dumps(content.ROUTING_SETTINGS)},
        )
    waiting = uow.session.scalars(
        select(Ticket.id).where(Ticket.status == "new", Ticket.assignee_id.is_(None)).order_by(Ticket.sla_due_at)
    ).all()
    for ticket_id in waiting:
        routing.route(uow, ticket_id, "intake")


def demo_rosters(now: dt.datetime) -> dict[str, dict[str, Any]]:
    """Each demo agent's time zone and weekly shift, and the one out of office (through a date of their own
    time zone, counted from `now`, with the substitute's login), as `set_agent_routing()` takes them."""
    rosters: dict[str, dict[str, Any]] = {
        login: {"time_zone": zone, "shift": parse_shift(specs) if specs else None}
        for login, (zone, specs) in content.ROSTERS.items()
    }
    login, days, substitute = content.OUT_OF_OFFICE
    local_today = now.astimezone(ZoneInfo(rosters[login]["time_zone"])).date()
    rosters[login] |= {"out_of_office_until": local_today + dt.timedelta(days=days), "substitute": substitute}
    return rosters


def _ensure_rosters(uow: UnitOfWork, now: dt.datetime) -> None:
    """The demo's shifts and out of office, through the same definer function a lead's edit goes through
    (which checks them). The agent on holiday stays "available" in the presence menu, as people forget to
    switch it: the out of office is what keeps routing off them, and the explanations say so. A demo agent
    someone disabled since is left alone (the function takes active agents only)."""
    ids = dict(uow.session.execute(select(Agent.db_login, Agent.id).where(Agent.is_active)).tuples().all())
    for login, facts in demo_rosters(now).items():
        if login not in ids:
            continue
        if "substitute" in facts:
            facts = facts | {"substitute": ids.get(facts["substitute"])}
            uow.session.execute(update(Agent).where(Agent.id == ids[login]).values(availability=Availability.AVAILABLE))
        routing_settings.set_agent_facts(uow, ids[login], facts)


# The SLA engine's demo: the Berlin office's hours and holidays, one default policy with a three-level
# ladder (issue 14). Business minutes per priority, as the demo's history was planned (hours above).
DEMO_CALENDAR = "Berlin office"
DEMO_POLICY = "Default"
DEMO_LADDER = [
    {"level": 1, "after_breach_minutes": 0, "action": "notify_assignee"},
    {"level": 2, "after_breach_minutes": 60, "action": "notify_lead"},
    {"level": 3, "after_breach_minutes": 240, "action": "back_to_routing"},
]


OFFICE_DAYS = {24: "Christmas Eve", 31: "New Year's Eve"}  # December's, by day


def _ensure_sla(uow: UnitOfWork) -> None:
    """The demo calendar (Europe/Berlin, Monday to Friday 09:00-17:00, German public holidays of Berlin and
    the office's own days between the years, by name) and the default policy, once."""
    years = (uow.now().year, uow.now().year + 1)
    own = {dt.date(year, 12, day): name for year in years for day, name in OFFICE_DAYS.items()}
    calendar = {
        "name": DEMO_CALENDAR,
        "time_zone": "Europe/Berlin",
        "weekly_hours": {str(day): [[9 * 60, 17 * 60]] for day in range(5)},
        "country": "DE",
        "subdivision": "BE",
        "closed_dates": sorted(own),
        "closed_date_names": {day.isoformat(): name for day, name in sorted(own.items())},
    }
    uow.session.execute(pg_insert(BusinessCalendar).values(calendar).on_conflict_do_nothing(index_elements=["name"]))
    calendar_id = uow.session.scalar(select(BusinessCalendar.id).where(BusinessCalendar.name == DEMO_CALENDAR))
    targets = {
        priority.label: {
            "first_response": FIRST_RESPONSE_TARGET[priority] * 60,
            "resolution": RESOLUTION_TARGET[priority] * 60,
        }
        for priority in Priority
    }
    policy = {
        "name": DEMO_POLICY,
        "position": 1000,
        "targets": targets,
        "calendar_id": calendar_id,
        "ladder": DEMO_LADDER,
    }
    uow.session.execute(pg_insert(SlaPolicy).values(policy).on_conflict_do_nothing(index_elements=["name"]))


# Account attributes at work (issue 16): the demo tool's Platinum accounts are tier "vip"; their tickets get
# a tighter SLA policy (tried before the default) and at least high priority on intake.
DEMO_VIP_POLICY = "VIP accounts"
DEMO_VIP_RULE = "VIP accounts"
DEMO_VIP_CONDITIONS = {"account.tier": "vip"}


def _ensure_account_demo(uow: UnitOfWork, customer_ids: list[int]) -> None:
    """The VIP policy and priority rule, once; and the team's account cache warmed with the demo tool's
    answers for its customers (what the panel would have stored), and the same answers verified (what the
    worker's lookups would have stored, corroborated by the customer's address the demo tool's directory
    holds for the account), so the SLA sweep and intake see the accounts' tiers from the first start.
    Nothing is asked over HTTP here."""
    from app.services.connectors import demo_tool

    default = uow.session.scalar(select(SlaPolicy).where(SlaPolicy.name == DEMO_POLICY))
    if default is not None:
        targets = {
            priority: {target: max(15, int(minutes) // 2) for target, minutes in per_target.items()}
            for priority, per_target in default.targets.items()
        }
        vip = {
            "name": DEMO_VIP_POLICY,
            "position": 10,
            "conditions": DEMO_VIP_CONDITIONS,
            "targets": targets,
            "calendar_id": default.calendar_id,
            "ladder": DEMO_LADDER,
        }
        uow.session.execute(pg_insert(SlaPolicy).values(vip).on_conflict_do_nothing(index_elements=["name"]))
    if uow.session.scalar(select(AccountPriorityRule.id).where(AccountPriorityRule.name == DEMO_VIP_RULE)) is None:
        uow.session.execute(
            text(
                "SELECT switchboard.set_account_priority_rule(:name, CAST(:conditions AS jsonb), :priority, 10, true)"
            ),
            {"name": DEMO_VIP_RULE, "conditions": json.dumps(DEMO_VIP_CONDITIONS), "priority": int(Priority.HIGH)},
        )
    keys = {
        str(key): customer_id
        for key, customer_id in uow.session.execute(
            select(Customer.external_account_id, Customer.id).where(
                Customer.id.in_(customer_ids), Customer.external_account_id.is_not(None)
            )
        )
    }
    addresses = _tool_directory(uow, Customer.id.in_(customer_ids))
    now = uow.now()
    rows = [
        {
            "connector": "accounts",
            "key_kind": "account_id",
            "key": answer["key"],
            "customer_ids": [keys[answer["key"]]],
            "found": answer["found"],
            "fields": answer["fields"],
            "attributes": answer["attributes"],
            "link": answer["link"],
            "fetched_at": now,
            "expires_at": now + dt.timedelta(seconds=answer.get("ttl_seconds", 300)),
        }
        for answer in demo_tool.cached_answers(sorted(keys), demo_tool.configured_port())
    ]
    if rows:
        uow.session.execute(pg_insert(AccountCacheEntry).values(rows).on_conflict_do_nothing())
        # The same answers as the worker's verification would store them (the demo loads as the owner, a
        # trusted session): what the rules decide on, so the VIP tier raises priority from the first start.
        verified = [
            {
                "customer_id": row["customer_ids"][0],
                "connector": row["connector"],
                "key_kind": row["key_kind"],
                "key": row["key"],
                "key_source": "the customer's account id",
                "linked_account_id": row["key"],
                "found": row["found"],
                "attributes": row["attributes"] if row["found"] else {},
                "corroborated_by": "tool_email" if row["found"] and row["key"] in addresses else None,
                "checked_at": now,
                "verified_at": now,
                "expires_at": row["expires_at"],
                "verified_by": "switchboard demo",
            }
            for row in rows
        ]
        uow.session.execute(pg_insert(AccountVerification).values(verified).on_conflict_do_nothing())


SHOWCASE_TICKETS = 3
SHOWCASE_QUEUE = "Billing"
SHOWCASE_SEED = 10001
DEMO_ADDRESS_SUFFIX = ".example"  # every demo customer's domain (demo_content.ORGANISATIONS)


def _showcase(cast: _Cast, now: dt.datetime) -> list[dict[str, Any]]:
    """The first numbers (#10001 to #10003) are new, unassigned tickets of the last hours in Billing, whatever
    the size and seed, so the README's walk-through (`--user ben.okafor ticket reply 10001 …`) works as
    printed: Ben works Billing."""
    rng = random.Random(SHOWCASE_SEED)
    plans: list[dict[str, Any]] = []
    while len(plans) < SHOWCASE_TICKETS:
        plan = _plan_ticket(cast, rng, now)
        ticket = plan["ticket"]
        in_billing = ticket["queue_id"] == cast.queue_ids[SHOWCASE_QUEUE]
        if in_billing and ticket["status"] == "new" and now - ticket["created_at"] < dt.timedelta(days=2):
            ticket["assignee_id"] = None
            plans.append(plan)
    return plans


def _tool_directory(uow: UnitOfWork, which: ColumnElement[bool]) -> dict[str, str]:
    """The demo tool knows each demo customer's address for their account (its answers carry it): what
    corroborates that the account is theirs, so rules decide on it (docs/security.md). Written to the tool's
    directory; returns it ({account id: address})."""
    from app.services.connectors import demo_tool

    addresses = {
        str(key): str(address)
        for key, address in uow.session.execute(
            select(Customer.external_account_id, CustomerEmail.address)
            .join(CustomerEmail, CustomerEmail.customer_id == Customer.id)
            .where(which, Customer.external_account_id.is_not(None), CustomerEmail.is_primary)
        )
    }
    demo_tool.add_to_directory(addresses)
    return addresses


def ensure_tool_directory(session_factory: sessionmaker[Session]) -> None:
    """The demo tool's directory for the demo's customers already there (a data directory made before the
    tool knew addresses: without it their accounts would stop counting at the next verification). The demo
    loader (a trusted session) vouches for its own addresses as intake's: a data directory made before
    migration 0034 holds them as 'unknown', which vouch for no account."""
    with UnitOfWork(session_factory) as uow:
        uow.session.execute(
            update(CustomerEmail)
            .where(CustomerEmail.source == "unknown", CustomerEmail.address.endswith(DEMO_ADDRESS_SUFFIX))
            .values(source="intake")
        )
        _tool_directory(uow, CustomerEmail.address.endswith(DEMO_ADDRESS_SUFFIX))
        uow.commit()


def demo_tickets_present(session_factory: sessionmaker[Session]) -> int:
    """How many tickets the demo's customers already have: a second `switchboard demo` keeps one set."""
    with UnitOfWork(session_factory) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(Ticket)
                .join(CustomerEmail, CustomerEmail.customer_id == Ticket.customer_id)
                .where(CustomerEmail.is_primary, CustomerEmail.address.endswith(DEMO_ADDRESS_SUFFIX))
            )
            or 0
        )


def _ensure_responses(session: Session, queue_ids: dict[str, int]) -> None:
    """The team's canned responses, once (by title)."""
    existing = set(session.scalars(select(CannedResponse.title)))
    for title, queue, body in content.RESPONSES:
        if title not in existing:
            session.add(CannedResponse(title=title, body=body, queue_id=queue_ids[queue] if queue else None))
    session.flush()


def _ensure_cast(uow: UnitOfWork, rng: random.Random) -> _Cast:
    """Queues, then the demo agents as real login roles (no password: only the OS user who runs the
    embedded server can reach its socket), each in their queues, the first supervisor of a queue leading it."""
    session = uow.session
    queue_ids = _upsert_ids(
        session,
        Queue,
        "name",
        [{"name": name, "description": description} for name, description in content.QUEUES.items()],
    )
    members: dict[str, list[tuple[int, str]]] = {name: [] for name in content.QUEUES}
    leads: dict[str, int] = {}
    for login, name, role, languages, skills, queues in content.AGENTS:
        agent_id = session.scalar(select(Agent.id).where(Agent.db_login == login))
        if agent_id is None:
            agent_id = users.add_user(
                uow,
                login=login,
                display_name=name,
                email=f"{login}@switchboard-demo.example",
                role=AgentRole(role),
                queue_ids=tuple(queue_ids[q] for q in queues),
            ).agent_id
        session.execute(
            update(Agent)
            .where(Agent.id == agent_id)
            .values(
                languages=languages,
                capacity=25,
                availability=rng.choice([Availability.AVAILABLE] * 3 + [Availability.AWAY, Availability.OFFLINE]),
            )
        )
        _insert_ignore(
            session, AgentSkill, [{"agent_id": agent_id, "skill": s, "level": level} for s, level in skills.items()]
        )
        for queue in queues:
            members[queue].append((agent_id, name))
            if role == "supervisor":
                leads.setdefault(queue, agent_id)
    for queue, people in members.items():
        lead = leads.get(queue, people[0][0])
        session.execute(update(Queue).where(Queue.id == queue_ids[queue]).values(team_lead_id=lead))
    _ensure_responses(session, queue_ids)
    return _Cast(queue_ids, members, _ensure_customers(session, rng))


def _ensure_customers(session: Session, rng: random.Random) -> list[tuple[int, str, str, str, str]]:
    """(id, first name, last name, organisation, email) for every demo customer."""
    org_ids = _upsert_ids(
        session, Organisation, "name", [{"name": name, "domain": domain} for name, domain in content.ORGANISATIONS]
    )
    people: list[tuple[int, str, str, str, str]] = []
    for org_name, domain in content.ORGANISATIONS:
        for index in range(CUSTOMERS_PER_ORGANISATION):
            first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
            email = f"{first}.{last}{index}@{domain}".lower().replace("'", "")
            existing = session.scalar(select(CustomerEmail.customer_id).where(CustomerEmail.address == email))
            if existing is None:
                existing = session.execute(
                    insert(Customer)
                    .returning(Customer.id)
                    .values(
                        name=f"{first} {last}",
                        organisation_id=org_ids[org_name],
                        language=rng.choice(content.LANGUAGES),
                        external_account_id=f"ACC-{rng.randrange(10**6):06d}",
                    )
                ).scalar_one()
                session.execute(insert(CustomerEmail).values(customer_id=existing, address=email, is_primary=True))
            people.append((existing, first, last, org_name, email))
    return people


def _upsert_ids(session: Session, model: Any, key: str, rows: list[dict[str, Any]]) -> dict[str, int]:
    _insert_ignore(session, model, rows)
    column = getattr(model, key)
    wanted = [row[key] for row in rows]
    return {key: row_id for key, row_id in session.execute(select(column, model.id).where(column.in_(wanted)))}


def _insert_ignore(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(pg_insert(model).values(rows).on_conflict_do_nothing())


def _add_tickets(uow: UnitOfWork, cast: _Cast, plans: list[dict[str, Any]]) -> int:
    ticket_ids = uow.session.scalars(
        insert(Ticket).returning(Ticket.id, sort_by_parameter_order=True), [p["ticket"] for p in plans]
    ).all()
    message_rows: list[dict[str, Any]] = []
    for ticket_id, plan in zip(ticket_ids, plans, strict=True):
        message_rows += [{**message, "ticket_id": ticket_id} for message in plan["messages"]]
    uow.session.execute(insert(Message), message_rows)  # the audit triggers record both inserts
    return len(message_rows)


def _plan_ticket(cast: _Cast, rng: random.Random, now: dt.datetime) -> dict[str, Any]:
    queue = rng.choice(list(content.QUEUES))
    customer_id, first, last, org, _email = rng.choice(cast.customers)
    created = now - dt.timedelta(seconds=rng.uniform(0, DAYS_OF_HISTORY * 86400) ** 1.0)
    age_days = (now - created).days
    status = rng.choice(content_statuses(age_days))
    priority = rng.choice(PRIORITIES)
    agent_id, agent_name = rng.choice(cast.members[queue])
    assigned = status != "new" or rng.random() < 0.2
    words = _placeholders(rng, first, last, org, agent_name)
    subject, opening, answer, follow_up = rng.choice(content.SCENARIOS[queue])
    conversation = _conversation(
        rng,
        status,
        created,
        now,
        customer_id,
        agent_id,
        [opening.format(**words), answer.format(**words), follow_up.format(**words)],
        words,
    )
    replied = [m["created_at"] for m in conversation if m["kind"] is MessageKind.PUBLIC_REPLY]
    last_activity = max(m["created_at"] for m in conversation)
    ticket: dict[str, Any] = {
        "subject": subject.format(**words),
        "status": status,
        "priority": priority,
        "type": rng.choice(list(TicketType)),
        "queue_id": cast.queue_ids[queue],
        "assignee_id": agent_id if assigned else None,
        "customer_id": customer_id,
        "channel": rng.choice(CHANNELS),
        "tags": sorted(set(rng.sample(_TAGS[queue], k=rng.randint(0, 2)))),
        "custom_fields": {"product": words["product"]},
        "language": rng.choice(content.LANGUAGES),
        "created_at": created,
        "updated_at": last_activity,
        "version": len(conversation),
        "first_response_at": replied[0] if replied else None,
        "resolved_at": last_activity if status in ("resolved", "closed") else None,
        "closed_at": last_activity if status == "closed" else None,
        "first_response_due_at": None,
        "next_response_due_at": None,
        "resolution_due_at": None,
    }
    if status in ("new", "in_progress"):  # clocks run while the ticket is open, not while it waits
        ticket["first_response_due_at"] = created + dt.timedelta(hours=FIRST_RESPONSE_TARGET[priority])
        ticket["resolution_due_at"] = created + dt.timedelta(hours=RESOLUTION_TARGET[priority])
    return {"ticket": ticket, "messages": conversation}


def content_statuses(age_days: int) -> list[str]:
    return OLD_STATUSES if age_days >= RECENT_DAYS else RECENT_STATUSES


_TAGS = {
    "Billing": ["refund", "invoice", "vat", "upgrade", "enterprise"],
    "Technical Support": ["api", "sync", "outage", "performance", "webhook", "enterprise"],
    "Accounts & Access": ["sso", "2fa", "offboarding", "enterprise"],
    "Shipping & Returns": ["delivery", "rma", "damaged", "address-change"],
}


def _placeholders(rng: random.Random, first: str, last: str, org: str, agent: str) -> dict[str, str]:
    others = [f"{f} {ln}" for f, ln in zip(content.FIRST_NAMES[:5], content.LAST_NAMES[:5], strict=True)]
    return {
        "first": first,
        "last": last,
        "org": org,
        "agent": agent,
        "other": rng.choice(others),
        "product": rng.choice(content.PRODUCTS),
        "code": rng.choice(content.ERROR_CODES),
        "invoice": f"INV-{rng.randint(2024, 2026)}-{rng.randrange(10**5):05d}",
        "order": f"SO-{rng.randrange(10**6):06d}",
        "rma": f"{rng.randrange(10**5):05d}",
        "vat": f"DE{rng.randrange(10**9):09d}",
        "month": rng.choice(["September", "October", "November"]),
        "request_id": f"{rng.getrandbits(48):012x}",
    }


DEMO_ZONE = ZoneInfo("Europe/Berlin")  # the demo calendar's (`_ensure_sla`)
OFFICE = (9, 17)  # Monday to Friday, its hours


def _in_office_hours(moment: dt.datetime) -> dt.datetime:
    """The moment, or a few minutes into the next opening of the demo calendar's hours when it falls
    outside them: a demo whose agents answered at 3 a.m. would show typical handling times of 0 business
    minutes on the supervisor's board (public holidays aside). How many minutes comes from the moment itself,
    not from the demo's random stream, so the rest of the demo (who asked what) stays as it was."""
    local = moment.astimezone(DEMO_ZONE)
    if local.weekday() < 5 and OFFICE[0] <= local.hour < OFFICE[1]:
        return moment
    day = local.date() if local.hour < OFFICE[0] else local.date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    opening = dt.datetime.combine(day, dt.time(OFFICE[0]), DEMO_ZONE)
    return (opening + dt.timedelta(seconds=120 + int(moment.timestamp()) % 9000)).astimezone(dt.UTC)


def _conversation(
    rng: random.Random,
    status: str,
    created: dt.datetime,
    now: dt.datetime,
    customer_id: int,
    agent_id: int,
    texts: list[str],
    words: dict[str, str],
) -> list[dict[str, Any]]:
    """How far the conversation got follows from the status the ticket is in."""
    steps = {"new": 1, "in_progress": 2, "waiting": 2, "pending": 3, "answered": 2, "resolved": 3, "closed": 3}[status]
    script = [(MessageKind.CUSTOMER_MESSAGE, texts[0])]
    if status == "in_progress":
        script.append((MessageKind.INTERNAL_NOTE, rng.choice(content.NOTES).format(**words)))
    elif steps >= 2:
        script.append((MessageKind.PUBLIC_REPLY, texts[1]))
    if steps >= 3:
        script.append((MessageKind.CUSTOMER_MESSAGE, texts[2]))
    if status == "pending":
        script.append((MessageKind.INTERNAL_NOTE, rng.choice(content.NOTES).format(**words)))
    moment, messages = created, []
    for kind, body in script:
        if kind is not MessageKind.CUSTOMER_MESSAGE:  # the team writes in its hours; customers at any time
            moment = min(_in_office_hours(moment), now)
        messages.append(
            {
                "kind": kind,
                "body_text": body,
                "created_at": moment,
                "author_customer_id": customer_id if kind is MessageKind.CUSTOMER_MESSAGE else None,
                "author_agent_id": None if kind is MessageKind.CUSTOMER_MESSAGE else agent_id,
            }
        )
        gap = dt.timedelta(minutes=rng.uniform(5, 60 * 20))
        moment = min(moment + gap, now)
    return messages
