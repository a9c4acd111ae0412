"""Screenshots for the README, taken from the real client on a demo database.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshots.py docs/screenshots
    ... tools/screenshots.py --supervisor DIR  # only the supervisor view (a team lead's board, team, charts)
    ... tools/screenshots.py --matrix DIR   # the queue, a ticket and the palette with a ticket-number hit,
                                            # light and dark, at 1366x768 and 1600x1000 (queue-1366x768-dark.png …)

Signs in as the demo agent Ben Okafor (Billing) on a throwaway embedded database, then saves the sign-in
dialog, his queue, a ticket with its conversation, the conflict dialog a colleague's change causes, and
"Why this agent?" on a ticket the demo routed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("SWITCHBOARD_DATA_DIR", tempfile.mkdtemp(prefix="switchboard-shots-"))
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="switchboard-shots-config-")  # a first start: no saved layout

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget

from app.bootstrap import SignIn, open_maintenance_runtime, open_runtime
from app.desktop import DesktopSignIn, application, client_for, open_main_window
from app.ops.demo import DemoSize, fill_demo_data
from app.services.platform.config import DatabaseTarget, resolve_database
from app.services.tickets import service
from app.views.appearance import Theme, apply_color_scheme, apply_theme
from app.views.main_window import MainWindow, pane_sizes
from app.views.signin import SignInDialog
from app.views.tasks import TaskRunner
from app.views.waiting import process_events_until

AGENT = "ben.okafor"
LEAD = "amelie.durand"  # a demo supervisor, leading Billing


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    if not process_events_until(condition, timeout):
        raise TimeoutError("the window did not get there in time")


def save(widget: QWidget, path: Path) -> None:
    process_events_until(lambda: False, 0.4)  # let the last paint settle
    widget.grab().save(str(path))
    print(f"saved {path}")


MATRIX_SIZES = ((1366, 768), (1600, 1000))


def desk_shots(window: MainWindow, out: Path, suffix: str) -> None:
    """The queue with a ticket, the ticket alone, and the palette finding a ticket by its number."""
    wait_until(
        lambda: window.model.rowCount() > 10 and window.editor.detail is not None and not window.runner.in_flight
    )
    save(window, out / f"queue{suffix}.png")
    save(window.ticket_pane, out / f"ticket{suffix}.png")
    number = window.model.rows[min(5, window.model.rowCount() - 1)].number
    window.open_palette(f"#{number}")
    palette = window.command_palette
    wait_until(lambda: not palette.searching and any(line.startswith(f"#{number}") for line in palette.shown_labels()))
    save(palette, out / f"palette{suffix}.png")
    palette.reject()


def matrix(out: Path) -> None:
    """Light and dark, at a laptop's 1366x768 and at 1600x1000."""
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    target = resolve_database()
    maintenance = open_maintenance_runtime(target)
    fill_demo_data(maintenance.session_factory, DemoSize(tickets=2000))
    runner = TaskRunner()
    runtime = open_runtime(target, sign_in=SignIn(AGENT))
    for width, height in MATRIX_SIZES:
        for theme in (Theme.LIGHT, Theme.DARK):
            apply_theme(app, theme)  # as at a first start with that theme, on a screen of that size
            QSettings().clear()  # the last window's layout is not this one's
            window = open_main_window(client_for(runtime), runner)
            window.resize(width, height)
            window.splitter.setSizes(pane_sizes(width))
            window.show()
            wait_until(lambda: window.model.rowCount() > 10 and window.editor.detail is not None)  # noqa: B023
            items = [window.navigation.topLevelItem(row) for row in range(window.navigation.topLevelItemCount())]
            billing = next(item for item in items if item is not None and item.text(0) == "Billing")
            window.navigation.setCurrentItem(billing)
            wait_until(lambda: window.model.rowCount() > 10)  # noqa: B023
            desk_shots(window, out, f"-{width}x{height}-{theme.value}")
            window.close()
            wait_until(lambda: runner.in_flight == 0)
    apply_theme(app, Theme.LIGHT)
    maintenance.close()
    runtime.close()
    app.quit()


def supervisor_shots(target: DatabaseTarget, runner: TaskRunner, out: Path) -> None:
    """The supervisor view as the demo's team lead Amélie Durand: the board, the team and the charts."""
    runtime = open_runtime(target, sign_in=SignIn(LEAD))
    window = open_main_window(client_for(runtime), runner)
    window.show_supervisor()
    view = window.supervisor_view
    assert view is not None
    view.resize(1300, 760)
    wait_until(lambda: view.overview is not None and not runner.in_flight, timeout=120)
    save(view, out / "supervisor-board.png")
    for index, name in ((1, "supervisor-team.png"), (2, "supervisor-compliance.png")):
        view.tabs.setCurrentIndex(index)
        save(view, out / name)
    window.close()
    wait_until(lambda: runner.in_flight == 0)
    runtime.close()


def main(out: Path, *, dark: bool = False, only_supervisor: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    if dark:  # what a person with a dark desktop sees
        apply_color_scheme(app, Qt.ColorScheme.Dark)
    target = resolve_database()
    maintenance = open_maintenance_runtime(target)
    fill_demo_data(maintenance.session_factory, DemoSize(tickets=2000))

    runner = TaskRunner()
    if only_supervisor:
        supervisor_shots(target, runner, out)
        maintenance.close()
        app.quit()
        return
    dialog = SignInDialog(runner, DesktopSignIn(target))
    dialog.user.setText(AGENT)
    dialog.show()
    save(dialog, out / "sign-in.png")
    dialog.close()

    runtime = open_runtime(target, sign_in=SignIn(AGENT))
    window = open_main_window(client_for(runtime), runner)
    window.resize(1500, 900)
    window.show()
    wait_until(lambda: window.model.rowCount() > 10 and window.editor.detail is not None)
    items = [window.navigation.topLevelItem(row) for row in range(window.navigation.topLevelItemCount())]
    billing = next(item for item in items if item is not None and item.text(0) == "Billing")
    window.navigation.setCurrentItem(billing)
    wait_until(lambda: window.model.rowCount() > 10)
    row = next((r for r, t in enumerate(window.model.rows) if t.status in ("pending", "answered")), 0)
    window.table.selectRow(row)
    wait_until(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == window.model.rows[row].id)
    save(window, out / "queue.png")
    window.editor.start_reply()
    window.editor.composer.setPlainText(
        "Hello,\n\nI have refunded the duplicate charge; it will reach your card "
        "within 5 business days.\n\nBest regards,\nBen"
    )
    save(window.editor, out / "ticket.png")

    ticket = window.editor.detail.ticket  # type: ignore[union-attr]
    colleague = open_maintenance_runtime(target, acting_login="amelie.durand")
    with colleague.uow() as uow:
        service.change_status(uow, ticket_id=ticket.id, status="in_progress", expected_version=ticket.version)
        service.update_fields(
            uow, ticket_id=ticket.id, expected_version=None, changes=service.FieldChanges(tags=("refund", "vip"))
        )
        uow.commit()
    window.editor.send()
    wait_until(
        lambda: (
            getattr(window.editor, "conflict_dialog", None) is not None and window.editor.conflict_dialog.isVisible()
        )
    )
    save(window.editor.conflict_dialog, out / "conflict.png")
    window.editor.conflict_dialog.reject()

    routed = next(r for r, t in enumerate(window.model.rows) if window.desk.routing.explain(t.id) is not None)
    window.table.selectRow(routed)  # "Why this agent?" on a ticket the demo's routing decided
    routed_id = window.model.rows[routed].id
    wait_until(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == routed_id)
    window.editor.header_form.why_button.click()
    wait_until(lambda: getattr(window.editor, "routing_dialog", None) is not None)
    wait_until(lambda: window.editor.routing_dialog.state != "loading")
    save(window.editor.routing_dialog, out / "why-this-agent.png")
    window.editor.routing_dialog.reject()
    supervisor_shots(target, runner, out)
    window.close()
    wait_until(lambda: runner.in_flight == 0)
    colleague.close()
    maintenance.close()
    runtime.close()
    app.quit()


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a not in ("--dark", "--matrix", "--supervisor")]
    folder = Path(arguments[0] if arguments else "docs/screenshots")
    if "--matrix" in sys.argv:
        matrix(folder)
    else:
        main(folder, dark="--dark" in sys.argv, only_supervisor="--supervisor" in sys.argv)
