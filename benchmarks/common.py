"""Helpers shared by the benchmarks: databases and printed tables (benchmarks print; they never assert)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.services.people.agents import ensure_session_agent
from app.services.platform.config import parse_database_url
from app.services.platform.database.dsn import libpq_dsn
from app.services.platform.database.engine import build_engine, build_session_factory


def trusted_runtime(database: str) -> Runtime:
    """A runtime on the benchmark database for the DBA's own (trusted) session, with an agent row for it
    so the services have someone to act as."""
    engine = build_engine(parse_database_url(database, source="--database"))
    factory = build_session_factory(engine)
    with factory() as session:
        ensure_session_agent(session)
        session.commit()
    return Runtime(engine, factory)


def libpq(url: URL) -> str:
    return libpq_dsn(url)


def ensure_database(url: URL) -> None:
    maintenance = url.set(database="postgres")
    with psycopg.connect(libpq(maintenance), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone()
        if exists is None:
            connection.execute(f'CREATE DATABASE "{url.database}"')


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def describe_ms(samples: Sequence[float]) -> list[str]:
    """median, p95 and max of samples given in seconds, as milliseconds."""
    return [
        f"{statistics.median(samples) * 1000:.2f}",
        f"{percentile(samples, 0.95) * 1000:.2f}",
        f"{max(samples) * 1000:.2f}",
    ]


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes, for a benchmark's header: two shared cores make
    every figure depend on what else ran."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def queue_agent(runtime: Runtime, url: URL, name: str) -> tuple[URL, int]:
    """A benchmark agent's own login (in the agent group, row-level security on) with an agent row working
    the first queue, and that queue's id: the URL signs in as that login."""
    with runtime.engine.begin() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        queue = connection.execute(text("SELECT min(id) FROM switchboard.queue")).scalar_one()
        login = f"{database}_{name}"
        for statement in login_in_group(login, f"{database}_agent"):
            connection.exec_driver_sql(statement)
        connection.execute(
            text(
                "WITH a AS (INSERT INTO switchboard.agent (display_name, email, db_login, role, availability)"
                " VALUES (:name, :email, :login, 'agent', 'available')"
                " ON CONFLICT (db_login) DO UPDATE SET is_active = true RETURNING id)"
                " INSERT INTO switchboard.queue_member (queue_id, agent_id) SELECT :q, id FROM a ON CONFLICT DO NOTHING"
            ),
            {"name": name.title(), "email": f"{login}@bench.test", "login": login, "q": queue},
        )
    return url.set(username=login, password=None), queue


def login_in_group(login: str, group: str) -> list[str]:
    """Statements that make a benchmark's `login` and put it in the group role `group`. Roles outlive a
    dropped database, and a new desk takes logins without an agent row out of its groups, so the membership
    is granted every time, not only when the login is made."""
    return [
        f'DO $$ BEGIN CREATE ROLE "{login}" LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$',
        f'GRANT "{group}" TO "{login}"',
    ]


# What a ticket's writes leave dead rows in: the server here runs without autovacuum (`switchboard doctor`
# warns of it), so a benchmark that writes vacuums these between its rows, as autovacuum would keep them.
WRITTEN_BY_TICKET_CHANGES = ("ticket", "ticket_tally", "audit_event", "change_log")


def vacuum(url: URL, tables: Sequence[str] = WRITTEN_BY_TICKET_CHANGES) -> None:
    with psycopg.connect(libpq(url), autocommit=True) as connection:
        for table in tables:
            connection.execute(f"VACUUM ANALYZE switchboard.{table}")


def autovacuum_setting(url: URL) -> str:
    """The server's `autovacuum` (on or off), for the benchmark's header."""
    with psycopg.connect(libpq(url)) as connection:
        row = connection.execute("SELECT current_setting('autovacuum')").fetchone()
    return str(row[0]) if row else "?"
