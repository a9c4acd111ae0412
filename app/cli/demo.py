"""`switchboard demo`: a help desk full of realistic work, to try Switchboard or show it."""

from __future__ import annotations

import time

import click

from app.cli.context import CliContext
from app.cli.inputs import CheckedCommand
from app.cli.output import say
from app.cli.worker import WorkerProcess
from app.ops.demo import DemoSize, demo_tickets_present, ensure_tool_directory, fill_demo_data
from app.services.knowledge.demo_articles import ensure_demo_articles
from app.services.platform.uow import UnitOfWork


@click.command(cls=CheckedCommand)
@click.option("--tickets", "ticket_count", type=click.IntRange(0, 1_000_000), default=2000, show_default=True)
@click.option("--no-open", is_flag=True, help="Only fill the database; don't open the app.")
@click.option("--seed", type=int, default=7, show_default=True, help="The same seed gives the same data.")
@click.option("--add", is_flag=True, help="Add tickets even when the demo data is there already.")
@click.pass_obj
def demo(ctx: CliContext, ticket_count: int, no_open: bool, seed: int, add: bool) -> None:
    """Fill the database with demo queues, agents, customers and tickets (once: run again, it opens the
    app on the data that is there; --add adds more)."""
    started = time.perf_counter()
    runtime = ctx.maintenance_runtime()
    present = demo_tickets_present(runtime.session_factory)
    if present and not add:
        say(f"The demo data is there already ({present:,} tickets); nothing added (--add adds more).")
        ensure_tool_directory(runtime.session_factory)
    else:
        summary = fill_demo_data(runtime.session_factory, DemoSize(tickets=ticket_count), seed=seed)
        say(f"{summary} in {time.perf_counter() - started:.1f} s.")
    if articles := ensure_demo_articles(lambda login: UnitOfWork(runtime.session_factory, acting_login=login)):
        say(f"Added {articles} knowledge base articles.")
    from app.services.connectors import demo_tool  # the demo's account-lookup tool (issue 16)

    if no_open:
        demo_tool.write_demo_settings(demo_tool.configured_port())  # for `connector serve-demo` and `test`
        return
    tool = demo_tool.start_for_demo()  # in this process while the app is open; its settings name it
    # The background jobs too, on the embedded database only: a team's server has IT's worker, with the
    # team's connector settings (this workstation's point at the demo tool).
    worker = WorkerProcess.start() if ctx.target.is_embedded else None
    try:
        from app.desktop import run_desktop  # Qt loads only for the desktop client

        raise SystemExit(run_desktop(ctx.runtime()))
    finally:
        if worker is not None:
            worker.stop()
        tool.stop()
