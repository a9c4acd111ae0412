"""`switchboard worker`: the background jobs, for a server (systemd unit in packaging/)."""

from __future__ import annotations

import datetime as dt
import signal
import threading

import click

from app.cli.context import CliContext
from app.cli.inputs import CheckedCommand
from app.cli.output import say
from app.services.platform import jobs

FAILURES_SHOWN_FOR = dt.timedelta(days=1)


@click.command(cls=CheckedCommand)
@click.option("--once", is_flag=True, help="Run what is due now, then exit (for cron or a test).")
@click.option(
    "--status", is_flag=True, help="Show runs that never finished and runs that failed in the last day, then exit."
)
@click.option(
    "--interval",
    type=click.FloatRange(1, 3600),
    default=15,
    show_default=True,
    help="Seconds between looks at what is due.",
)
@click.pass_obj
def worker(ctx: CliContext, once: bool, status: bool, interval: float) -> None:
    """Run the background jobs; any number of workers may run at once, each run happens once."""
    runtime = ctx.maintenance_runtime()
    due = jobs.default_jobs()
    if status:
        _say_status(runtime.uow, due, failures=True)
        return
    name = jobs.worker_name()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    say(f"worker {name} on {ctx.target.describe()}: " + ", ".join(job.name for job in due))
    _say_status(runtime.uow, due, failures=False)
    while True:
        jobs.heartbeat(runtime.uow, name)
        outcomes = jobs.run_due_jobs(runtime.uow, due, name)
        ran = [outcome.job for outcome in outcomes if outcome.error is None]
        if ran:
            say(f"ran: {', '.join(ran)}")
        for outcome in outcomes:
            if outcome.error is not None:
                say(f"failed: {outcome.job}: {outcome.error} (details in the log; it runs again next period)")
        if once or stop.wait(interval):
            break


def _say_status(new_uow: jobs.NewUnitOfWork, due: list[jobs.Job], *, failures: bool) -> None:
    """A killed worker leaves its claim unfinished: say so where IT looks, when a worker (re)starts."""
    for run in jobs.stale_runs(new_uow, due):
        say(f"unfinished: {run.line()} (its worker stopped mid-run; the next period runs it again)")
    if failures:
        for failed in jobs.failed_runs(new_uow, FAILURES_SHOWN_FOR):
            say(f"failed: {failed.line()}")
