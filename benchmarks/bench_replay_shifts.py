"""What replaying shifts and out of office adds to the routing dry-run, per ticket: the roster's open periods
worked out once per queue, then each ticket's moment looked up (a bisection per scheduled agent) — with no
database, so it measures only that step. 27,397 tickets is 30 days of the 1M-ticket corpus.

    python -m benchmarks.bench_replay_shifts
"""

from __future__ import annotations

import datetime as dt
import random
import time

from app.services.routing.dry_run import _back_at, _periods, _Roster
from app.services.routing.scoring import CandidateFacts
from app.services.routing.shifts import parse_shift

NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
SINCE = NOW - dt.timedelta(days=30)
TICKETS = 27_397
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Singapore", "Africa/Lagos", "Europe/Paris", "Asia/Dubai"]
SHIFT = parse_shift(["mon-fri=09:00-12:00,13:00-17:00", "sat=10:00-14:00"])


def measure(agents: int, rng: random.Random) -> tuple[float, float]:
    """Seconds to build the roster, and to look up every ticket's moment."""
    team = [CandidateFacts(i, f"agent {i}", frozenset({1})) for i in range(agents)]
    started = time.perf_counter()
    schedules = {
        i: (
            _periods(SHIFT, ZONES[i % len(ZONES)], SINCE, NOW),
            _back_at(NOW.date(), ZONES[i % len(ZONES)]) if i % 7 == 0 else None,
        )
        for i in range(agents)
    }
    roster = _Roster(team, schedules)
    built = time.perf_counter() - started
    moments = sorted(SINCE + dt.timedelta(seconds=rng.uniform(0, 30 * 86400)) for _ in range(TICKETS))
    started = time.perf_counter()
    for moment in moments:
        roster.at(moment)
    return built, time.perf_counter() - started


def main() -> None:
    rng = random.Random(7)
    print(f"| scheduled agents in the queue | roster built (ms) | {TICKETS:,} tickets (ms) | µs per ticket |")
    print("|---|---|---|---|")
    for agents in (0, 8, 60):
        built, replayed = measure(agents, rng)
        print(f"| {agents} | {built * 1000:.1f} | {replayed * 1000:.0f} | {replayed * 1e6 / TICKETS:.1f} |")


if __name__ == "__main__":
    main()
