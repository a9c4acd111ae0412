"""A deterministic large corpus for benchmarks: 1M tickets, their opening messages, 5,000 knowledge
articles, loaded with COPY.

    python -m benchmarks.corpus --database postgresql://postgres@127.0.0.1:5432/switchboard_bench

The same --seed gives the same corpus, byte for byte. The target database is created if needed,
migrated to head and emptied first: never point this at a real help desk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterator
from functools import partial

import psycopg
from sqlalchemy.engine import URL

from app.ops import demo_content as content
from app.services.platform.config import parse_database_url
from app.services.platform.database import schema
from app.services.platform.database.engine import build_engine
from benchmarks.common import ensure_database, libpq, print_table

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
HISTORY_DAYS = 3 * 365
QUEUE_NAMES = [
    "Billing",
    "Technical Support",
    "Accounts & Access",
    "Shipping & Returns",
    "Enterprise",
    "Partners",
    "Mobile",
    "Security",
]
AGENTS = 60
ORGANISATIONS = 2_000
CUSTOMERS = 100_000
OPEN_SHARE = 0.08
STATUS_OPEN = ["new", "in_progress", "in_progress", "waiting", "pending", "answered"]
STATUS_DONE = ["closed"] * 4 + ["resolved"]
PRIORITY_WEIGHTS = [(0, 20), (1, 55), (2, 20), (3, 5)]
TYPES = ["question", "incident", "problem", "task"]
CHANNELS = ["email"] * 6 + ["web"] * 2 + ["chat", "phone"]
FIRST_RESPONSE_HOURS = {0: 24, 1: 8, 2: 4, 3: 1}
RESOLUTION_HOURS = {0: 120, 1: 72, 2: 24, 3: 8}
TICKET_COLUMNS = (
    "id",
    "number",
    "subject",
    "status",
    "priority",
    "type",
    "queue_id",
    "assignee_id",
    "customer_id",
    "channel",
    "tags",
    "custom_fields",
    "language",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "first_response_due_at",
    "resolution_due_at",
    "version",
)
ARTICLE_TOPICS = [
    "How to reset two-factor authentication for {product}",
    "Troubleshooting error {code} in {product}",
    "Requesting a refund for a duplicate charge",
    "Configuring SAML single sign-on with {product}",
    "Understanding your {product} invoice",
    "Returning damaged hardware: the RMA process",
    "Rate limits of the {product} API ({code})",
    "Migrating data from {product} to {other_product}",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="URL of the benchmark database (created if missing)")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = parse_database_url(args.database, source="--database")
    timings = load_corpus(url, tickets=args.tickets, articles=args.articles, seed=args.seed)
    print_table(
        ["step", "rows", "seconds", "rows/s"],
        [
            [name, f"{rows:,}", f"{seconds:.1f}", f"{rows / seconds:,.0f}" if seconds else "-"]
            for name, rows, seconds in timings
        ],
    )


def load_corpus(url: URL, *, tickets: int, articles: int, seed: int) -> list[tuple[str, int, float]]:
    ensure_database(url)
    engine = build_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    rng = random.Random(seed)
    timings: list[tuple[str, int, float]] = []
    with psycopg.connect(libpq(url)) as connection:
        connection.execute("SET search_path TO switchboard")
        connection.execute("SET synchronous_commit TO off")
        connection.execute("SET session_replication_role = replica")  # no per-row triggers: tally rebuilt below
        _empty(connection)
        steps: list[tuple[str, int, Callable[[psycopg.Connection, random.Random], None]]] = [
            ("reference rows", AGENTS + ORGANISATIONS + len(QUEUE_NAMES), _load_reference),
            ("customers + emails", CUSTOMERS * 2, _load_customers),
            ("tickets + opening messages", tickets * 2, partial(_load_tickets, count=tickets)),
            ("knowledge articles", articles, partial(_load_articles, count=articles)),
        ]
        for name, rows, loader in steps:
            started = time.perf_counter()
            loader(connection, rng)
            connection.commit()
            timings.append((name, rows, time.perf_counter() - started))
        started = time.perf_counter()
        connection.execute("DELETE FROM ticket_tally")
        connection.execute(
            "INSERT INTO ticket_tally SELECT queue_id, status, coalesce(assignee_id, 0), count(*)"
            " FROM ticket WHERE merged_into_id IS NULL GROUP BY 1, 2, 3"
        )
        connection.execute("ANALYZE")
        connection.commit()
        timings.append(("analyze", 0, time.perf_counter() - started))
    return timings


def _empty(connection: psycopg.Connection) -> None:
    connection.execute("SET LOCAL session_replication_role = replica")  # the audit refuses TRUNCATE otherwise
    connection.execute(
        "TRUNCATE attachment, blob, message, ticket_link, audit_event, change_log, ticket, customer_email,"
        " customer, organisation, queue_member, agent_skill, queue, agent, knowledge_article, ticket_tally"
        " RESTART IDENTITY CASCADE"
    )


def _load_reference(connection: psycopg.Connection, rng: random.Random) -> None:
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY agent (id, display_name, email, db_login, role, languages, capacity, availability) FROM STDIN"
        ) as copy:
            for n in range(1, AGENTS + 1):
                first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
                copy.write_row(
                    (
                        n,
                        f"{first} {last}",
                        f"agent{n}@bench.example",
                        f"agent{n}",
                        "supervisor" if n % 10 == 1 else "agent",
                        ["en"],
                        25,
                        "available",
                    )
                )
        with cursor.copy("COPY queue (id, name) FROM STDIN") as copy:
            for n, name in enumerate(QUEUE_NAMES, start=1):
                copy.write_row((n, name))
        with cursor.copy("COPY queue_member (queue_id, agent_id) FROM STDIN") as copy:
            for agent in range(1, AGENTS + 1):
                copy.write_row(((agent % len(QUEUE_NAMES)) + 1, agent))
        with cursor.copy("COPY organisation (id, name, domain) FROM STDIN") as copy:
            for n in range(1, ORGANISATIONS + 1):
                copy.write_row(
                    (n, f"{rng.choice(content.LAST_NAMES)} {rng.choice(_COMPANY_WORDS)} {n}", f"org{n}.example")
                )


_COMPANY_WORDS = ["Logistics", "Labs", "Health", "Bank", "Publishing", "Traders", "Systems", "Foods", "Energy"]


def _load_customers(connection: psycopg.Connection, rng: random.Random) -> None:
    with connection.cursor() as cursor:
        with cursor.copy("COPY customer (id, name, organisation_id, language, external_account_id) FROM STDIN") as copy:
            for n in range(1, CUSTOMERS + 1):
                name = f"{rng.choice(content.FIRST_NAMES)} {rng.choice(content.LAST_NAMES)}"
                copy.write_row((n, name, rng.randint(1, ORGANISATIONS), rng.choice(content.LANGUAGES), f"ACC-{n:07d}"))
        # Triggers are off for the load: the source the trigger would give the intake's addresses is written.
        with cursor.copy("COPY customer_email (id, customer_id, address, is_primary, source) FROM STDIN") as copy:
            for n in range(1, CUSTOMERS + 1):
                copy.write_row((n, n, f"customer{n}@org{(n % ORGANISATIONS) + 1}.example", True, "intake"))


def _load_tickets(connection: psycopg.Connection, rng: random.Random, *, count: int) -> None:
    scenarios = [(queue, s) for queue, items in content.SCENARIOS.items() for s in items]
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY ticket ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as tickets_copy:
            messages: list[tuple[object, ...]] = []
            for row, message in _ticket_rows(rng, count, scenarios):
                tickets_copy.write_row(row)
                messages.append(message)
        with cursor.copy(
            "COPY message (ticket_id, kind, author_customer_id, body_text, created_at) FROM STDIN"
        ) as copy:
            for message in messages:
                copy.write_row(message)
        cursor.execute("SELECT setval('ticket_number_seq', %s)", (10_000 + count,))
        for table in ("ticket", "agent", "queue", "organisation", "customer", "customer_email"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('switchboard.{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )


def _ticket_rows(
    rng: random.Random, count: int, scenarios: list[tuple[str, tuple[str, str, str, str]]]
) -> Iterator[tuple[tuple[object, ...], tuple[object, ...]]]:
    span = HISTORY_DAYS * 86400
    for n in range(1, count + 1):
        created = NOW - dt.timedelta(seconds=span * (1 - n / count) + rng.random() * 60)
        words = _words(rng)
        _queue, (subject, opening, _answer, _follow) = rng.choice(scenarios)
        priority = rng.choices([p for p, _ in PRIORITY_WEIGHTS], [w for _, w in PRIORITY_WEIGHTS])[0]
        recent = (NOW - created).days < 30
        is_open = (recent and rng.random() < OPEN_SHARE * 12) or rng.random() < OPEN_SHARE / 20
        status = rng.choice(STATUS_OPEN if is_open else STATUS_DONE)
        updated = min(created + dt.timedelta(hours=rng.uniform(0.1, 96)), NOW)
        responded = None if status == "new" else created + dt.timedelta(minutes=rng.uniform(5, 600))
        done_at = updated if status in ("resolved", "closed") else None
        customer = rng.randint(1, CUSTOMERS)
        row = (
            n,
            10_000 + n,
            subject.format(**words),
            status,
            priority,
            rng.choice(TYPES),
            rng.randint(1, len(QUEUE_NAMES)),
            None if status == "new" else rng.randint(1, AGENTS),
            customer,
            rng.choice(CHANNELS),
            rng.sample(_TAGS, k=rng.randint(0, 2)),
            json.dumps({"product": words["product"]}),
            rng.choice(content.LANGUAGES),
            created,
            updated,
            responded,
            done_at,
            done_at if status == "closed" else None,
            created + dt.timedelta(hours=FIRST_RESPONSE_HOURS[priority]) if is_open else None,
            created + dt.timedelta(hours=RESOLUTION_HOURS[priority]) if is_open else None,
            rng.randint(1, 6),
        )
        yield row, (n, "customer_message", customer, opening.format(**words), created)


_TAGS = ["vip", "refund", "api", "sso", "outage", "rma", "invoice", "enterprise", "mobile", "security"]


def _words(rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
    return {
        "first": first,
        "last": last,
        "org": rng.choice(content.ORGANISATIONS)[0],
        "agent": "Support",
        "other": f"{rng.choice(content.FIRST_NAMES)} {rng.choice(content.LAST_NAMES)}",
        "product": rng.choice(content.PRODUCTS),
        "code": rng.choice(content.ERROR_CODES),
        "invoice": f"INV-{rng.randint(2023, 2026)}-{rng.randrange(10**6):06d}",
        "order": f"SO-{rng.randrange(10**7):07d}",
        "rma": f"{rng.randrange(10**6):06d}",
        "vat": f"DE{rng.randrange(10**9):09d}",
        "month": rng.choice(["January", "March", "June", "October"]),
        "request_id": f"{rng.getrandbits(48):012x}",
    }


def _load_articles(connection: psycopg.Connection, rng: random.Random, *, count: int) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy("COPY knowledge_article (title, body, tags, language, state) FROM STDIN") as copy,
    ):
        for n in range(count):
            words = _words(rng) | {"other_product": rng.choice(content.PRODUCTS)}
            title = rng.choice(ARTICLE_TOPICS).format(**words)
            steps = "\n".join(f"{i}. {rng.choice(_STEPS).format(**words)}" for i in range(1, rng.randint(4, 9)))
            body = f"{title}\n\nApplies to {words['product']}. Article KB-{n:05d}.\n\n{steps}"
            state = "published" if rng.random() < 0.9 else "draft"  # is_published follows state (migration 0018)
            copy.write_row((title, body, rng.sample(_TAGS, k=2), "en", state))


_STEPS = [
    "Open Settings → Security in {product}.",
    "If you see error {code}, sign out and back in.",
    "Check that the invoice number (for example {invoice}) matches the order {order}.",
    "Ask the customer for the request id ({request_id}) shown in the error dialog.",
    "Escalate to the on-call engineer when more than 10 users are affected.",
    "Send the customer the RMA label RMA-{rma} and the return instructions.",
]


if __name__ == "__main__":
    main()
