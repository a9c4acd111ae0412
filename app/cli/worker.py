"""`switchboard worker`: the background jobs, for a server (systemd unit in packaging/)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading

import click

from app.cli.context import CliContext
from app.cli.inputs import CheckedCommand
from app.cli.output import say
from app.services.platform import jobs

FAILURES_SHOWN_FOR = dt.timedelta(days=1)


@click.command(cls=CheckedCommand)
@click.option("--once", is_flag=True, help="Run what is due now, then exit: 1 if a job failed (for cron or a test).")
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
@click.option(
    "--until-stdin-closes",
    is_flag=True,
    hidden=True,
    help="Stop when standard input closes: the process that started this one has ended (the demo's app).",
)
@click.pass_obj
def worker(ctx: CliContext, once: bool, status: bool, interval: float, until_stdin_closes: bool) -> None:
    """Run the background jobs; any number of workers may run at once, each run happens once."""
    runtime = ctx.maintenance_runtime()
    due = jobs.default_jobs()
    if status:
        _say_status(runtime.uow, due, failures=True)
        return
    name = jobs.worker_name()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if until_stdin_closes:
        threading.Thread(target=_stop_at_end_of_input, args=(stop,), daemon=True).start()
    say(f"worker {name} on {ctx.target.describe()}: " + ", ".join(job.name for job in due))
    _say_status(runtime.uow, due, failures=False)
    while True:
        jobs.heartbeat(runtime.uow, name)
        outcomes = jobs.run_due_jobs(runtime.uow, due, name)
        ran = [outcome.job for outcome in outcomes if outcome.error is None]
        if ran:
            say(f"ran: {', '.join(ran)}")
        failed = [outcome for outcome in outcomes if outcome.error is not None]
        for outcome in failed:
            say(f"failed: {outcome.job}: {outcome.error} (details in the log; it runs again next period)")
        if once and failed:
            sys.exit(1)  # cron and health checks see a failing job
        if once or stop.wait(interval):
            break


def _stop_at_end_of_input(stop: threading.Event) -> None:
    """The demo's app holds the other end of standard input and never writes: its end is this worker's."""
    while sys.stdin.buffer.read(65536):  # read and let go: what arrives is no message, its end is
        pass
    stop.set()


def _say_status(new_uow: jobs.NewUnitOfWork, due: list[jobs.Job], *, failures: bool) -> None:
    """A killed worker leaves its claim unfinished: say so where IT looks, when a worker (re)starts."""
    for run in jobs.stale_runs(new_uow, due):
        say(f"unfinished: {run.line()} (its worker stopped mid-run; the next period runs it again)")
    if failures:
        for failed in jobs.failed_runs(new_uow, FAILURES_SHOWN_FOR):
            say(f"failed: {failed.line()}")


class WorkerProcess:
    """`switchboard worker` as a child process, for `switchboard demo` on the embedded database: a person
    trying the demo sees SLA warnings and ladder steps happen, accounts verified and typical handling times
    appear, with no server process to set up. A process of its own, so its jobs never compete with the
    desktop for the interpreter nor touch Qt's objects; it shares the embedded server, which stays up until
    its last holder exits. Any number of workers stays safe (each period is claimed once).

    It stops when its standard input closes, which happens however this process ends (closed, killed or
    crashed, on every system), so a demo never leaves a worker behind holding the embedded server."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process

    @classmethod
    def start(cls) -> WorkerProcess:
        command = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "app"]
        process = subprocess.Popen(
            [*command, "worker", "--until-stdin-closes"],
            stdin=subprocess.PIPE,  # never written: its end is the signal to stop
            stdout=subprocess.DEVNULL,  # what it does is in the log and in `switchboard worker --status`
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != "SWITCHBOARD_DATABASE_URL"},
        )
        return cls(process)

    def stop(self, wait: float = 5.0) -> int | None:
        """Asks it to stop (it finishes the job it is running, then exits); waits a little, never the whole
        job: a closed window does not hang on a long sweep. Its exit code, if it exited in time."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            return self._process.wait(wait)
        except subprocess.TimeoutExpired:
            return None
