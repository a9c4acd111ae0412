"""Claims ("get next") at 2, 4 and 8 concurrent agent logins, through the service beside raw SQL, in one run.

    python -m benchmarks.bench_claims --database postgresql://postgres@127.0.0.1:5432/switchboard_bench

Every agent is its own login (row-level security, guards, audit, tally and change-log triggers all run)
and a member of the first queue. Each claim is one unit of work: `service.claim_next` (the unassigned open
ticket due soonest, FOR UPDATE SKIP LOCKED, assigned to the caller) and the commit. The raw anchors, in the
same run on the same data: the same definer function called straight through psycopg as the same logins,
and a bare `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)` as the superuser (no RLS, guards
skipped, the same triggers). Every claimed ticket is handed back (unassigned) after each row and what claims
write vacuumed (the ticket table, the load tally, the audit and the change log), so every row starts from
the same tickets and the same clean indexes; a ticket claimed twice in a row is counted as a double
assignment. (Without the vacuum each row left some 3,200 dead row versions
at the busy end of the claimable index for the rows and runs after it to walk past. Even so, single runs
on two cores shared by eight claimers and their backends vary by a third: compare alternated runs.)

Every path is one statement committed as it ends: the service's claim runs outside a transaction when it is
all its unit does, the anchors run in autocommit.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from app.bootstrap import Runtime
from app.services.platform.config import parse_database_url
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.tickets import service
from benchmarks.common import autovacuum_setting, libpq, load_average, login_in_group, percentile, print_table, vacuum

CLAIMS_PER_ROW = 1_600  # split between the agents; the setup makes at least this many claimable
RAW_PICK = """
    UPDATE switchboard.ticket SET assignee_id = %(me)s, version = version + 1
    WHERE id = (SELECT id FROM switchboard.ticket
                WHERE queue_id = %(queue)s AND assignee_id IS NULL AND merged_into_id IS NULL
                  AND status IN ('new', 'in_progress', 'waiting', 'pending', 'answered')
                  AND status IN ('new', 'in_progress')
                ORDER BY sla_due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--claims", type=int, default=CLAIMS_PER_ROW, help="claims per row (all agents)")
    args = parser.parse_args()
    url = parse_database_url(args.database, source="--database")
    agents, queue = _bench_agents(url, 8)
    _hand_back(url, queue, None)
    print(
        f"queue {queue}; {args.claims} claims per row; load average {load_average()};"
        f" autovacuum {autovacuum_setting(url)}\n"
    )
    rows = []
    for workers in (2, 4, 8):
        for label, kind in [
            ("service (agent logins)", "service"),
            ("raw: claim_next_ticket()", "function"),
            ("raw: UPDATE … SKIP LOCKED (superuser)", "raw"),
        ]:
            rows.append([label, str(workers), *_run(url, agents[:workers], queue, kind, args.claims // workers)])
            _hand_back(url, queue, agents)
    print_table(["path", "agents", "claims", "claims/s", "p50 ms", "p95 ms", "max ms", "double"], rows)


def _bench_agents(url: URL, count: int) -> tuple[list[tuple[str, int]], int]:
    """Agent logins of the first queue (trust authentication on the benchmark server: no password)."""
    engine = build_engine(url)
    agents = []
    with engine.begin() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        queue = connection.execute(text("SELECT min(id) FROM switchboard.queue")).scalar_one()
        for n in range(count):
            login = f"{database}_claimer{n}"
            for statement in login_in_group(login, f"{database}_agent"):
                connection.exec_driver_sql(statement)
            agent_id = connection.execute(
                text(
                    "INSERT INTO switchboard.agent (display_name, email, db_login, role, availability)"
                    " VALUES (:name, :email, :login, 'agent', 'available')"
                    " ON CONFLICT (db_login) DO UPDATE SET is_active = true RETURNING id"
                ),
                {"name": f"Claimer {n}", "email": f"{login}@bench.test", "login": login},
            ).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO switchboard.queue_member (queue_id, agent_id) VALUES (:q, :a) ON CONFLICT DO NOTHING"
                ),
                {"q": queue, "a": agent_id},
            )
            agents.append((login, agent_id))
    engine.dispose()
    return agents, queue


def _hand_back(url: URL, queue: int, agents: list[tuple[str, int]] | None) -> None:
    """Unassign what the claimers took (None: every new or in-progress ticket of the queue, the setup), and
    vacuum what claims write: the next row starts from the same tickets, clean indexes and a folded tally."""
    with psycopg.connect(libpq(url), autocommit=True) as connection:
        connection.execute(
            "UPDATE switchboard.ticket SET assignee_id = NULL, version = version + 1"
            " WHERE queue_id = %s AND assignee_id IS NOT NULL AND merged_into_id IS NULL"
            " AND (%s::bigint[] IS NULL AND status IN ('new', 'in_progress') OR assignee_id = ANY(%s))",
            (queue, None if agents is None else [a for _l, a in agents], [a for _l, a in agents or []]),
        )
    vacuum(url)  # as autovacuum would keep them: the tally's dead rows slowed a claim by a quarter


def _run(url: URL, agents: list[tuple[str, int]], queue: int, kind: str, claims: int) -> list[str]:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(len(agents)) as pool:
        # Every claimer starts together, once all have imported, connected and warmed up: the first to be
        # ready claimed while the others still imported the app (half a second of CPU each), on the same two
        # cores, and the row's figure counted that in.
        ready = manager.Barrier(len(agents))
        jobs = [
            (url.render_as_string(hide_password=False), login, agent_id, queue, kind, claims, ready)
            for login, agent_id in agents
        ]
        results = pool.starmap(_claim_many, jobs)
    samples = [s for r in results for s in r[0]]
    claimed = [t for r in results for t in r[1]]
    elapsed = max(r[3] for r in results) - min(r[2] for r in results)
    doubles = len(claimed) - len(set(claimed))
    return [
        f"{len(claimed):,}",
        f"{len(claimed) / elapsed:,.0f}",
        f"{statistics.median(samples) * 1000:.2f}",
        f"{percentile(samples, 0.95) * 1000:.2f}",
        f"{max(samples) * 1000:.2f}",
        str(doubles),
    ]


def _claim_many(
    url_text: str, login: str, agent_id: int, queue: int, kind: str, claims: int, ready: Any
) -> tuple[list[float], list[int], float, float]:
    url = make_url(url_text)
    samples: list[float] = []
    claimed: list[int] = []
    if kind == "service":
        engine = build_engine(url.set(username=login, password=None))
        runtime = Runtime(engine, build_session_factory(engine))
        with runtime.uow() as uow:
            _ = uow.actor  # connect and warm up before the clock starts
        ready.wait()
        begin = time.time()
        for _ in range(claims):
            started = time.perf_counter()
            with runtime.uow() as uow:
                result = service.claim_next(uow, queue_id=queue)
                uow.commit()
            samples.append(time.perf_counter() - started)
            if result is not None:
                claimed.append(result.ticket.id)
        end = time.time()
        engine.dispose()
        return samples, claimed, begin, end
    as_agent = kind == "function"
    dsn = libpq(url.set(username=login, password=None) if as_agent else url)
    with psycopg.connect(dsn, autocommit=True) as connection:  # one statement, committed as it ends
        ready.wait()
        begin = time.time()
        for _ in range(claims):
            started = time.perf_counter()
            if as_agent:
                row = connection.execute("SELECT id FROM switchboard.claim_next_ticket(%s)", (queue,)).fetchone()
            else:
                row = connection.execute(RAW_PICK, {"me": agent_id, "queue": queue}).fetchone()
            samples.append(time.perf_counter() - started)
            if row is not None:
                claimed.append(int(row[0]))
        end = time.time()
    return samples, claimed, begin, end


if __name__ == "__main__":
    main()
