"""Routing: push-routed ticket creation beside creation without routing (the same service, the same run),
and a dry-run over the last 30 days of the corpus.

    python -m benchmarks.corpus --database postgresql://postgres@127.0.0.1:5432/switchboard_bench
    python -m benchmarks.bench_routing --database postgresql://postgres@127.0.0.1:5432/switchboard_bench

The corpus's agents are set available with room (capacity 10,000) so every creation is routed to someone;
the agents' availability is restored afterwards. Runs as the database's superuser acting for nobody (an
admin), so the figures are the routing's own cost, not row-level security's (bench_queue_page measures that).
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import select, text

from app.bootstrap import Runtime, event_handlers
from app.models import Customer, Queue
from app.services.people.agents import ensure_session_agent
from app.services.platform.config import parse_database_url
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.events import EventHandlers
from app.services.routing.dry_run import dry_run
from app.services.tickets import service
from app.vocabulary import Channel
from benchmarks.common import describe_ms, print_table

DRY_RUN_SETTINGS = {"weights": {"skill": 3, "language": 2, "room": 2}, "overflow_cap": 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    engine = build_engine(parse_database_url(args.database, source="--database"))
    factory = build_session_factory(engine)
    with factory() as session:
        ensure_session_agent(session)  # the superuser's agent row (creations need an agent behind the login)
        session.commit()
    with Runtime(engine, factory).uow() as uow:
        saved = uow.session.execute(text("SELECT id, availability, capacity FROM switchboard.agent")).all()
        uow.session.execute(text("UPDATE switchboard.agent SET availability = 'available', capacity = 10000"))
        agents = uow.session.scalar(text("SELECT count(*) FROM switchboard.agent WHERE is_active"))
        uow.commit()
    try:
        rows = []
        for label, handlers in [("without routing", EventHandlers()), ("push-routed", event_handlers())]:
            samples, elapsed = _create(Runtime(engine, factory, handlers=handlers), args.tickets)
            rows.append([label, f"{len(samples):,}", f"{len(samples) / elapsed:,.0f}", *describe_ms(samples)])
        print(f"Ticket creation through the service, {agents} active agents, one worker:")
        print_table(["creation", "tickets", "tickets/s", "median ms", "p95 ms", "max ms"], rows)
        started = time.perf_counter()
        with Runtime(engine, factory).uow() as uow:
            result = dry_run(uow, DRY_RUN_SETTINGS, days=args.days, now=uow.now())
        seconds = time.perf_counter() - started
        print(
            f"\nDry-run over the last {args.days} days: {result.tickets:,} tickets replayed in {seconds:.1f} s "
            f"({result.tickets / seconds:,.0f}/s); {result.changed:,} would change, "
            f"{len(result.nobody):,} with no eligible agent."
        )
    finally:
        with Runtime(engine, factory).uow() as uow:
            for agent_id, availability, capacity in saved:
                uow.session.execute(
                    text("UPDATE switchboard.agent SET availability = :a, capacity = :c WHERE id = :i"),
                    {"a": availability, "c": capacity, "i": agent_id},
                )
            uow.commit()
        engine.dispose()


def _create(runtime: Runtime, count: int) -> tuple[list[float], float]:
    with runtime.uow() as uow:
        queue_id = uow.session.scalar(select(Queue.id).order_by(Queue.id).limit(1))
        customer_id = uow.session.scalar(select(Customer.id).order_by(Customer.id).limit(1))
    assert queue_id is not None and customer_id is not None, "run benchmarks.corpus first"
    samples: list[float] = []
    began = time.perf_counter()
    for n in range(count):
        started = time.perf_counter()
        with runtime.uow() as uow:
            service.create_ticket(
                uow,
                subject=f"Routing bench {n}",
                customer_id=customer_id,
                queue_id=queue_id,
                body="Please help.",
                channel=Channel.EMAIL,
            )
            uow.commit()
        samples.append(time.perf_counter() - started)
    return samples, time.perf_counter() - began


if __name__ == "__main__":
    main()
