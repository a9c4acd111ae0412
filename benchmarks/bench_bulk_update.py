"""10,000 tickets' priority changed in one statement, with audit, as an admin's own login (row-level
security on, every trigger: guard, audit, tally, change log, SLA ledger), beside the same statement as the
superuser with triggers off (`session_replication_role = replica`), in the same run. Each run is rolled
back, so the corpus stays as it was, and the table vacuumed before the next: the dead row versions and
index entries a rolled-back run leaves made the next run several times slower (2.6 s, then 16 s). Each
measured statement follows a one-ticket statement in the same session, as in a worker that has escalated or
an agent who has edited before: the trigger functions' plans the session keeps from the small statement must
not ruin the large one (before migration 0035 they could: 14 s, a nested loop over 10,000 x 10,000 rows).

    python -m benchmarks.bench_bulk_update --database postgresql://postgres@127.0.0.1:5432/switchboard_bench

`--index-costs`: what the ticket table's indexes cost that statement. The bare anchor again, with sets of
indexes dropped inside its own transaction (rolled back: DDL is transactional, the corpus keeps them), from
all of them down to the two unique ones: a row changed outside a HOT update enters every index (a
priority is indexed, so an escalation is never HOT), and the anchor, not the triggers, is what stands
between the service and a goal below it.
"""

from __future__ import annotations

import argparse
import statistics
import time

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.common import load_average, login_in_group

TICKETS = 10_000
ADMIN = "bulkadmin"
UPDATE = (
    "UPDATE switchboard.ticket SET priority = 3 - priority, version = version + 1"
    " WHERE id = ANY(%s) AND merged_into_id IS NULL"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--tickets", type=int, default=TICKETS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--index-costs", action="store_true", help="the anchor with sets of indexes dropped")
    args = parser.parse_args()
    url = make_url(args.database).set(drivername="postgresql")
    superuser = url.render_as_string(hide_password=False)
    with psycopg.connect(superuser, autocommit=True) as dba:
        database = dba.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        login = f"{database}_{ADMIN}"
        for statement in login_in_group(login, f"{database}_admin"):
            dba.execute(statement)
        dba.execute(
            "INSERT INTO switchboard.agent (display_name, email, db_login, role, availability)"
            " VALUES ('Bulk Admin', %s, %s, 'admin', 'available')"
            " ON CONFLICT (db_login) DO UPDATE SET is_active = true, role = 'admin'",
            (f"{login}@bench.test", login),
        )
        ids = [
            row[0]
            for row in dba.execute(
                "SELECT id FROM switchboard.ticket WHERE merged_into_id IS NULL ORDER BY id DESC LIMIT %s",
                (args.tickets + 1,),
            )
        ]
        ids, one_before = ids[:-1], ids[-1:]
    admin = url.set(username=login, password=None).render_as_string(hide_password=False)
    print(f"load average at start: {load_average()}; {len(ids):,} tickets a statement\n")
    if args.index_costs:
        _index_costs(superuser, ids, one_before, args.repeat)
        return
    rows = []
    for label, dsn, replica in (
        ("admin login, every trigger (audit …)", admin, False),
        ("superuser, triggers off (anchor)", superuser, True),
    ):
        samples, audited = [], 0
        for _ in range(args.repeat):
            with psycopg.connect(superuser, autocommit=True) as dba:
                dba.execute("VACUUM switchboard.ticket")
            # A connection per run: the same backend ran every run after its first at twice the time (950
            # against 450 ms for the bare anchor, whatever psycopg prepared), after the rolled-back run before
            # and the vacuum; a worker's sweep commits, and meets no such backend.
            with psycopg.connect(dsn) as connection:
                if replica:
                    connection.execute("SET session_replication_role = replica")
                connection.execute(UPDATE, (one_before,))
                started = time.perf_counter()
                connection.execute(UPDATE, (ids,))
                samples.append(time.perf_counter() - started)
                if not replica:
                    row = connection.execute(
                        "SELECT count(*) FROM switchboard.audit_event"
                        " WHERE ticket_id = ANY(%s) AND field = 'priority' AND occurred_at = now()",
                        (ids,),
                    ).fetchone()
                    audited = int(row[0]) if row else 0
                connection.rollback()
        rows.append((label, statistics.median(samples) * 1000, min(samples) * 1000, max(samples) * 1000, audited))
    print("| 10k priority update, one statement | median ms | min ms | max ms | audit rows |")
    print("|---|---|---|---|---|")
    for label, median, low, high, audited in rows:
        print(f"| {label} | {median:.0f} | {low:.0f} | {high:.0f} | {audited:,} |")


# Sets of the ticket table's indexes to drop for `--index-costs`, each with why it might go.
INDEX_SETS: dict[str, tuple[str, ...]] = {
    "every index (as shipped)": (),
    "without the dated pair (SLA sort of views beyond working statuses)": (
        "ix_ticket_dated_sla",
        "ix_ticket_dated_queue_sla",
    ),
    "also without the whole-table sorts (updated, queue by update and priority, agent by due)": (
        "ix_ticket_dated_sla",
        "ix_ticket_dated_queue_sla",
        "ix_ticket_updated",
        "ix_ticket_queue_updated",
        "ix_ticket_queue_priority",
        "ix_ticket_assignee_sla",
    ),
}
UNIQUE_ONLY = "only the primary key and the ticket number"


def _index_costs(superuser: str, ids: list[int], one_before: list[int], repeat: int) -> None:
    """The bare anchor (superuser, triggers off) per set of indexes, each set dropped in the run's own
    transaction and rolled back with it; the table vacuumed before each run as in the main table."""
    with psycopg.connect(superuser) as connection:
        every = [
            name
            for (name,) in connection.execute(
                "SELECT indexrelname FROM pg_stat_user_indexes WHERE schemaname = 'switchboard' AND relname = 'ticket'"
            )
        ]
        unique = {
            name
            for (name,) in connection.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE i.indrelid = 'switchboard.ticket'::regclass AND i.indisunique"
            )
        }
        connection.rollback()
    sets = {**INDEX_SETS, UNIQUE_ONLY: tuple(name for name in every if name not in unique)}
    print(f"the ticket table has {len(every)} indexes; a run drops a set, updates, and rolls back\n")
    print("| indexes kept | indexes | median ms | min ms | max ms |")
    print("|---|---|---|---|---|")
    for label, dropped in sets.items():
        samples = []
        for _ in range(repeat):
            with psycopg.connect(superuser, autocommit=True) as dba:
                dba.execute("VACUUM switchboard.ticket")
            with psycopg.connect(superuser) as connection:
                connection.execute("SET session_replication_role = replica")
                for name in dropped:
                    connection.execute(f"DROP INDEX switchboard.{name}")
                connection.execute(UPDATE, (one_before,))
                started = time.perf_counter()
                connection.execute(UPDATE, (ids,))
                samples.append(time.perf_counter() - started)
                connection.rollback()
        kept = len(every) - len(dropped)
        median, low, high = statistics.median(samples) * 1000, min(samples) * 1000, max(samples) * 1000
        print(f"| {label} | {kept} | {median:.0f} | {low:.0f} | {high:.0f} |")


if __name__ == "__main__":
    main()
