"""`switchboard worker`: the background jobs, for a server (systemd unit in packaging/)."""

from __future__ import annotations

import signal
import threading

import click

from app.cli.context import CliContext
from app.cli.inputs import CheckedCommand
from app.cli.output import say
from app.services import jobs


@click.command(cls=CheckedCommand)
@click.option("--once", is_flag=True, help="Run what is due now, then exit (for cron or a test).")
@click.option(
    "--interval",
    type=click.FloatRange(1, 3600),
    default=15,
    show_default=True,
    help="Seconds between looks at what is due.",
)
@click.pass_obj
def worker(ctx: CliContext, once: bool, interval: float) -> None:
    """Run the background jobs; any number of workers may run at once, each run happens once."""
    runtime = ctx.maintenance_runtime()
    name = jobs.worker_name()
    due = jobs.default_jobs()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    say(f"worker {name} on {ctx.target.describe()}: " + ", ".join(job.name for job in due))
    while True:
        jobs.heartbeat(runtime.uow, name)
        ran = jobs.run_due_jobs(runtime.uow, due, name)
        if ran:
            say(f"ran: {', '.join(ran)}")
        if once or stop.wait(interval):
            break
