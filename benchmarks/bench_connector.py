"""The account lookup (issue 16): a warm cached lookup, and the account panel's time to filled after
opening a ticket with a cold cache, against the demo's account tool answering in 50 ms.

    .venv/bin/python -m benchmarks.bench_connector [--lookups 1000] [--tickets 30] [--delay-ms 50]

Runs on a throwaway embedded database in its own data directory (demo data, 1,000 tickets) as the demo agent
Ben Okafor's own login, so row-level security is in every figure; the tool is the demo's HTTPS tool on
loopback, in this process. "warm panel read" is `desk.accounts.panel(ticket)` (finding the key, the cache
row, the customer's other tickets, one transaction); "warm cache read" is the cache row alone. The panel
figure is from choosing a ticket in the queue to the panel showing the tool's fresh answer (offscreen Qt).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ["SWITCHBOARD_DATA_DIR"] = tempfile.mkdtemp(prefix="switchboard-bench-connector-")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="switchboard-bench-config-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import text

from app.bootstrap import SignIn, open_maintenance_runtime, open_runtime
from app.desktop import application
from app.ops.demo import DemoSize, fill_demo_data
from app.services.connectors import demo_tool
from app.services.connectors.finding import find_key
from app.services.desk import HelpDesk
from app.services.platform.config import resolve_database
from app.views.drafts import DraftStore
from app.views.main_window import MainWindow
from app.views.tasks import TaskRunner
from app.views.waiting import process_events_until
from app.views.watchdog import Watchdog
from benchmarks.common import describe_ms, print_table

AGENT = "ben.okafor"


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    if not process_events_until(condition, timeout):
        raise TimeoutError("the window did not get there in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=30)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--warm-only", action="store_true", help="Only the warm lookups (no window).")
    args = parser.parse_args()
    target = resolve_database()
    maintenance = open_maintenance_runtime(target)
    fill_demo_data(maintenance.session_factory, DemoSize(tickets=1000))
    tool = demo_tool.start_for_demo()
    tool.delay = args.delay_ms / 1000
    runtime = open_runtime(target, sign_in=SignIn(AGENT))
    desk = HelpDesk(runtime)
    try:
        warm(desk, args.lookups)
        if not args.warm_only:
            with maintenance.uow() as uow:  # the demo warms the team's cache: the panels must start cold
                uow.session.execute(text("DELETE FROM switchboard.account_cache"))
                uow.commit()
            panel_time(desk, args.tickets, tool)
    finally:
        tool.stop()
        runtime.close()
        maintenance.close()


def warm(desk: HelpDesk, lookups: int) -> None:
    ticket_id = desk.navigation.page(desk.navigation.views()[0], None, 1).rows[0].id
    assert desk.accounts.refresh(ticket_id).state == "fresh"  # warms the cache (one call to the tool)
    cache = desk.accounts.cache
    assert cache is not None
    connector = cache.connector
    with desk.accounts.runtime.uow() as uow:
        key = find_key(uow, ticket_id, connector.settings.find, connector.key_kinds)  # type: ignore[attr-defined]
    assert key is not None
    rows = []

    def empty_unit() -> None:
        with desk.accounts.runtime.uow() as uow:
            uow.session.execute(text("SELECT 1"))

    lookups_by_label: list[tuple[str, Callable[[], object]]] = [
        ("for scale: an empty unit of work (SELECT 1)", empty_unit),
        ("warm cache read (the row)", lambda: cache.read(key)),
        ("warm panel read (key, row, other tickets)", lambda: desk.accounts.panel(ticket_id)),
    ]
    for label, lookup in lookups_by_label:
        for _ in range(20):
            lookup()  # warm the connection and the plans
        samples = []
        for _ in range(lookups):
            started = time.perf_counter()
            lookup()
            samples.append(time.perf_counter() - started)
        rows.append([label, f"{lookups:,}", *describe_ms(samples)])
    print(f"Warm cached lookups as {AGENT} (row-level security on), the cache fresh:")
    print_table(["lookup", "runs", "median ms", "p95 ms", "max ms"], rows)
    with desk.accounts.runtime.uow() as uow:  # the server's own time for the cache read, under RLS
        plan = uow.session.execute(
            text(
                "EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM switchboard.account_cache"
                " WHERE connector = :c AND key_kind = :k AND key = :v"
            ),
            {"c": connector.name, "k": key.kind.value, "v": key.key},
        ).scalar_one()
    print(
        f"the cache read on the server (EXPLAIN ANALYZE): planning {plan[0]['Planning Time']:.3f} ms, "
        f"execution {plan[0]['Execution Time']:.3f} ms"
    )
    print()


def panel_time(desk: HelpDesk, tickets: int, tool: demo_tool.DemoTool) -> None:
    application()
    window = MainWindow(desk, TaskRunner(), DraftStore(Path(tempfile.mkdtemp()) / "drafts"), accounts=desk.accounts)
    window.resize(1500, 900)
    window.show()
    wait_until(lambda: window.model.rowCount() > 0 and window.editor.detail is not None)
    items = [window.navigation.topLevelItem(row) for row in range(window.navigation.topLevelItemCount())]
    billing = next(item for item in items if item is not None and item.text(0) == "Billing")
    window.navigation.setCurrentItem(billing)  # Ben's queue: tickets of many customers
    wait_until(lambda: window.model.rowCount() > 5 and window.editor.detail is not None and not window.model.loading)
    panel = window.editor.account_panel
    assert panel is not None
    wait_until(lambda: panel.panel is not None and not panel.refreshing)
    seen = {window.editor.detail.ticket.customer_id}  # type: ignore[union-attr]
    rows = []
    for row in range(window.model.rowCount()):  # one ticket per customer: each panel starts cold
        ticket = window.model.ticket_at(row)  # the first page's: at hand
        if ticket is not None and ticket.customer_id not in seen:
            seen.add(ticket.customer_id)
            rows.append(row)
    samples, first_paint, asked = [], [], tool.requests
    dog = Watchdog()
    dog.start()
    for row in rows[:tickets]:
        wanted = window.model.ticket_id_at(row)
        started = time.perf_counter()
        window.table.selectRow(row)
        wait_until(lambda wanted=wanted: panel.panel is not None and panel.panel.ticket_id == wanted)  # type: ignore[misc]
        first_paint.append(time.perf_counter() - started)
        wait_until(
            lambda: panel.panel is not None and panel.panel.state in ("fresh", "not_found") and not panel.refreshing
        )
        samples.append(time.perf_counter() - started)
    longest = dog.stop()
    window.close()
    wait_until(lambda: window.runner.in_flight == 0)
    delay = f"{tool.delay * 1000:.0f} ms"
    print(
        f"The account panel after choosing a ticket, cold cache, the tool answering in {delay} (HTTPS on "
        f"loopback), {len(samples)} tickets of different customers; {tool.requests - asked} calls to the tool:"
    )
    print_table(
        ["measure", "median ms", "p95 ms", "max ms"],
        [
            ["first paint (the cache's answer: none yet)", *describe_ms(first_paint)],
            ["filled with the tool's answer", *describe_ms(samples)],
        ],
    )
    print(f"longest GUI stall meanwhile: {longest} ms")


if __name__ == "__main__":
    main()
