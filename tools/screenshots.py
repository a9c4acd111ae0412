"""Screenshots for the README, taken from the real client on a demo database.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshots.py docs/screenshots
    ... tools/screenshots.py --supervisor DIR  # only the supervisor view (a team lead's board, team, charts,
                                               # the SLA policy editor and the calendar editor)
    ... tools/screenshots.py --matrix DIR   # the queue, a ticket, the palette with a ticket-number hit, the
                                            # assign picker and a bulk change (dialog and summary), light and
                                            # dark, at 1366x768 and 1600x1000 (queue-1366x768-dark.png …);
                                            # best on a 1920x1200 screen, with openbox (see save_with)

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

from PySide6.QtCore import QItemSelectionModel, QPoint, QSettings, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from sqlalchemy import text

from app.bootstrap import SignIn, open_maintenance_runtime, open_runtime
from app.desktop import DesktopSignIn, application, client_for, open_main_window
from app.ops.demo import DemoSize, fill_demo_data
from app.services.connectors import demo_tool
from app.services.connectors.demo_tool import DemoTool
from app.services.knowledge.demo_articles import ensure_demo_articles
from app.services.platform import jobs
from app.services.platform.config import DatabaseTarget, resolve_database
from app.services.platform.uow import UnitOfWork
from app.services.search.service import Search
from app.services.tickets import service
from app.services.tickets.dto import TicketSummary
from app.views.appearance import Theme, apply_color_scheme, apply_theme
from app.views.main_window import MainWindow, pane_sizes
from app.views.signin import SignInDialog
from app.views.supervisor.view import SupervisorView
from app.views.tasks import TaskRunner
from app.views.waiting import process_events_until

AGENT = "ben.okafor"
LEAD = "amelie.durand"  # a demo supervisor, leading Billing


def listed(window: MainWindow) -> list[TicketSummary]:
    """The queue's tickets in order; the demo's views fit their first page, which comes whole."""
    tickets = [window.model.ticket_at(row) for row in range(window.model.rowCount())]
    assert None not in tickets, "a row's ticket is not at hand"
    return [ticket for ticket in tickets if ticket is not None]


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    if not process_events_until(condition, timeout):
        raise TimeoutError("the window did not get there in time")


def save(widget: QWidget, path: Path) -> None:
    process_events_until(lambda: False, 0.4)  # let the last paint settle
    widget.grab().save(str(path))
    print(f"saved {path}")


MATRIX_SIZES = ((1366, 768), (1600, 1000))


def search_shots(window: MainWindow, search: Search, out: Path) -> None:
    """Global search for "refund" once the client's sync thread built the index, and the knowledge panel
    beside a refund ticket (issue 15)."""
    features = window.search_features
    assert features is not None
    wait_until(lambda: search.status().state == "ready", timeout=120)
    features.dialog.open_with("refund")
    wait_until(lambda: features.dialog.answered is not None and features.dialog.answered.source == "index")
    save(features.dialog, out / "search.png")
    features.dialog.reject()
    refund = next((r for r, t in enumerate(listed(window)) if "refund" in t.subject.lower()), 0)
    window.table.selectRow(refund)
    ticket_id = listed(window)[refund].id
    wait_until(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == ticket_id)
    features.toggle_panel()
    wait_until(lambda: features.panel.loaded_for == ticket_id)
    save(window, out / "knowledge-panel.png")


def desk_shots(window: MainWindow, out: Path, suffix: str) -> None:
    """The queue with a ticket, the ticket alone, and the palette finding a ticket by its number."""
    wait_until(
        lambda: window.model.rowCount() > 10 and window.editor.detail is not None and not window.runner.in_flight
    )
    save(window, out / f"queue{suffix}.png")
    save(window.ticket_pane, out / f"ticket{suffix}.png")
    number = listed(window)[min(5, window.model.rowCount() - 1)].number
    window.open_palette(f"#{number}")
    palette = window.command_palette
    wait_until(lambda: not palette.searching and any(line.startswith(f"#{number}") for line in palette.shown_labels()))
    save(palette, out / f"palette{suffix}.png")
    palette.reject()
    assign_picker_shot(window, out, suffix)
    bulk_shots(window, out, suffix)


def save_with(window: QWidget, above: QWidget, path: Path) -> None:
    """The window with a popup or dialog over it. A widget's grab() leaves other top-level windows out, so
    the screen is grabbed; a window as large as the screen (1600x1000 on a 1600x1000 Xvfb: its frame does
    not fit) gets the popup drawn where it stands, framed by a hairline. Run the matrix on a larger screen
    (-screen 0 1920x1200x24) to have every shot from the screen."""
    process_events_until(lambda: False, 0.4)
    screen = window.screen()
    if screen.geometry().contains(window.frameGeometry()) and screen.geometry().contains(above.frameGeometry()):
        # All on the screen: the screen as a person sees it (the dialog's title bar included).
        client = window.geometry()
        screen.grabWindow(0, client.x(), client.y(), client.width(), client.height()).save(str(path))
        print(f"saved {path}")
        return
    image = window.grab()
    painter = QPainter(image)
    at = window.mapFromGlobal(above.mapToGlobal(QPoint(0, 0)))
    painter.drawPixmap(at, above.grab())
    hairline = above.palette().color(QPalette.ColorRole.Text)
    hairline.setAlpha(110)  # seen on a light and on a dark window alike
    painter.setPen(hairline)
    painter.drawRect(at.x() - 1, at.y() - 1, above.width() + 1, above.height() + 1)
    painter.end()
    image.save(str(path))
    print(f"saved {path}")


def assign_picker_shot(window: MainWindow, out: Path, suffix: str) -> None:
    """The header's assignee, typed into: the queue's people (its lead too) matching what was typed."""
    window.activateWindow()
    combo = window.editor.header_form.assignee
    line = combo.lineEdit()
    completer = combo.completer()
    assert line is not None and completer is not None
    line.setFocus()
    line.selectAll()
    QTest.keyClicks(line, "a")
    popup = completer.popup()
    wait_until(lambda: popup is not None and popup.isVisible())
    assert popup is not None
    save_with(window, popup, out / f"assign-picker{suffix}.png")
    QTest.keyClick(popup, Qt.Key.Key_Escape)
    window.editor.header_form.show_ticket(window.editor.detail.ticket)  # type: ignore[union-attr]
    window.editor.header_form.assignee.setEditText(window.editor.header_form.assignee.currentText())


def bulk_shots(window: MainWindow, out: Path, suffix: str) -> None:
    """B on five selected tickets: the dialog as filled in, then the summary of what was changed and refused."""
    window.table.setFocus()
    window.table.clearSelection()
    selection = window.table.selectionModel()
    for row in range(5):
        selection.select(
            window.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    window.bulk_change()
    dialog = window.bulk_dialog
    wait_until(dialog.isVisible)
    dialog.status.setCurrentIndex(dialog.status.findData("pending"))
    dialog.assignee.setCurrentIndex(dialog.assignee.findText("Me"))
    dialog.tag.setText("refund-batch")
    save_with(window, dialog, out / f"bulk{suffix}.png")
    dialog.accept()
    wait_until(lambda: getattr(window, "bulk_summary", None) is not None and window.bulk_summary.isVisible())
    save_with(window, window.bulk_summary, out / f"bulk-summary{suffix}.png")
    window.bulk_summary.accept()
    wait_until(lambda: not window.runner.in_flight)


def account_shots(window: MainWindow, tool: DemoTool, out: Path, target: DatabaseTarget) -> None:
    """The account panel beside a ticket, filled from the demo tool; then, the tool stopped, the ticket of a
    customer not cached yet (the demo warms every account: that customer's answer is forgotten first): one
    clear line, and the ticket works."""
    panel = window.editor.account_panel
    assert panel is not None
    wait_until(lambda: panel.panel is not None and panel.panel.state == "fresh" and not panel.refreshing)
    save(window.editor, out / "account-panel.png")
    tool.stop()
    shown = window.editor.detail.ticket.customer_id  # type: ignore[union-attr]
    opened = {shown, *(t.customer_id for t in listed(window)[:3])}  # customers whose accounts were read
    row = next(r for r in reversed(range(window.model.rowCount())) if listed(window)[r].customer_id not in opened)
    wanted = listed(window)[row].id
    maintenance = open_maintenance_runtime(target)
    with maintenance.uow() as uow:
        uow.session.execute(
            text("DELETE FROM switchboard.account_cache WHERE :customer = ANY (customer_ids)"),
            {"customer": listed(window)[row].customer_id},
        )
        uow.commit()
    maintenance.close()
    window.table.selectRow(row)
    wait_until(
        lambda: (
            panel.panel is not None
            and panel.panel.ticket_id == wanted
            and not panel.refreshing
            and panel.problem.isVisible()
        ),
        timeout=30,
    )
    save(window.editor, out / "account-panel-tool-down.png")


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
    """The supervisor view as the demo's team lead Amélie Durand: the board, the team, the charts and the
    tickets routing found no eligible agent for."""
    runtime = open_runtime(target, sign_in=SignIn(LEAD))
    window = open_main_window(client_for(runtime), runner)
    window.show_supervisor()
    view = window.supervisor_view
    assert view is not None
    view.resize(1560, 760)  # the board's twelve columns
    wait_until(lambda: view.overview is not None and not runner.in_flight, timeout=120)
    billing = next((i for i, row in enumerate(view.board_model.rows) if row.queue == "Billing"), None)
    if billing is not None:  # she acknowledges one of her queue's escalations (A), as the board shows it
        view.board.setCurrentIndex(view.board_model.index(billing, 0))
        view.act("acknowledge")
        wait_until(lambda: view.board_model.rows[billing].acknowledged_by is not None and not runner.in_flight)
    save(view, out / "supervisor-board.png")
    for index, name in ((1, "supervisor-team.png"), (2, "supervisor-compliance.png"), (3, "supervisor-nobody.png")):
        view.tabs.setCurrentIndex(index)
        save(view, out / name)
    assign_shot(view, out)
    sla_admin_shots(view, runner, out)
    window.close()
    wait_until(lambda: runner.in_flight == 0)
    runtime.close()


def assign_shot(view: SupervisorView, out: Path) -> None:
    """R on the first ticket routing found nobody for: the assign dialog, each name with its load."""
    if not view.nobody_model.rows:
        return
    view.nobody.setCurrentIndex(view.nobody_model.index(0, 0))
    view.act_on_waiting("reassign")
    dialog = view.action_dialog
    assert dialog is not None
    wait_until(dialog.assignee.isEnabled)
    dialog.assignee.setCurrentIndex(1)
    dialog.reason.setText("Printers are his while Dave is out")
    dialog.assignee.showPopup()
    popup = dialog.assignee.view().window()
    wait_until(popup.isVisible)
    save_with(view, popup, out / "supervisor-assign.png")
    dialog.assignee.hidePopup()
    dialog.reason.clear()
    dialog.reject()


def sla_admin_shots(view: SupervisorView, runner: TaskRunner, out: Path) -> None:
    """From the supervisor view: the demo's default policy in the policy editor with its dry run (a change
    of the normal resolution target, not saved), and the demo calendar with Berlin's holidays."""
    view.open_sla_admin()
    dialog = view.sla_admin_dialog
    assert dialog is not None
    wait_until(lambda: dialog.state == "ready" and not runner.in_flight, timeout=60)
    dialog.edit_policy(dialog.model.policies[0].id)
    editor = dialog.editor
    assert editor is not None
    editor.targets.item(1, 2).setText("10 h")  # type: ignore[union-attr]  # normal priority, resolution
    editor.dry_run()
    wait_until(lambda: editor.state == "checked", timeout=120)
    save(editor, out / "sla-policy-editor.png")
    editor.reject()
    dialog.tabs.setCurrentIndex(1)
    calendar = dialog.calendar_editor
    wait_until(lambda: calendar.holidays.rowCount() > 0 and not runner.in_flight)
    save(dialog, out / "sla-calendar-editor.png")
    dialog.reject()


def main(out: Path, *, dark: bool = False, only_supervisor: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    if dark:  # what a person with a dark desktop sees
        apply_color_scheme(app, Qt.ColorScheme.Dark)
    target = resolve_database()
    maintenance = open_maintenance_runtime(target)
    fill_demo_data(maintenance.session_factory, DemoSize(tickets=2000))
    tool = demo_tool.start_for_demo()  # the demo's account-lookup tool, as `switchboard demo` starts it

    ensure_demo_articles(lambda login: UnitOfWork(maintenance.session_factory, acting_login=login))
    # What the demo's worker does within a minute of opening: SLA steps, typical times, verified accounts.
    jobs.run_due_jobs(maintenance.uow, jobs.default_jobs(), "screenshots")

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
    row = next((r for r, t in enumerate(listed(window)) if t.status in ("pending", "answered")), 0)
    window.table.selectRow(row)
    wait_until(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == listed(window)[row].id)
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

    routed = next(r for r, t in enumerate(listed(window)) if window.desk.routing.explain(t.id) is not None)
    window.table.selectRow(routed)  # "Why this agent?" on a ticket the demo's routing decided
    routed_id = listed(window)[routed].id
    wait_until(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == routed_id)
    window.editor.header_form.why_button.click()
    wait_until(lambda: getattr(window.editor, "routing_dialog", None) is not None)
    wait_until(lambda: window.editor.routing_dialog.state != "loading")
    save(window.editor.routing_dialog, out / "why-this-agent.png")
    window.editor.routing_dialog.reject()
    account_shots(window, tool, out, target)

    search_shots(window, runtime.search(), out)
    knowledge_shots(window, out)

    routing_settings_shot(target, runner, out)

    supervisor_shots(target, runner, out)
    window.close()
    wait_until(lambda: runner.in_flight == 0)
    colleague.close()
    maintenance.close()
    runtime.close()
    app.quit()


def knowledge_shots(window: MainWindow, out: Path) -> None:
    """The knowledge base window on the demo's refund article, and that article's history with its diff."""
    window.open_knowledge_base()
    editor = window.knowledge_window
    wait_until(lambda: editor.isVisible() and bool(editor.summaries) and not window.runner.in_flight)
    article = next(a for a in editor.summaries if a.title == "How to refund a duplicate charge")
    editor.open_article(article.id)
    wait_until(lambda: editor.current is not None and editor.current.id == article.id and not window.runner.in_flight)
    editor.reload(then_open=article.id)  # the list with the article chosen
    wait_until(lambda: not window.runner.in_flight and editor.tree.currentItem() is not None)
    save(editor, out / "knowledge-base.png")
    editor.show_history()
    history = editor.history_dialog
    wait_until(lambda: history is not None and history.versions.count() > 0 and "@@" in history.diff.toPlainText())
    save(history, out / "knowledge-history.png")  # type: ignore[arg-type]
    history.reject()  # type: ignore[union-attr]
    editor.close()


def routing_settings_shot(target: DatabaseTarget, runner: TaskRunner, out: Path) -> None:
    """Billing's lead in the routing settings: the skill weight raised, previewed on the last 30 days."""
    lead = open_runtime(target, sign_in=SignIn("amelie.durand"))
    window = open_main_window(client_for(lead), runner)
    window.routing_settings()
    dialog = window.routing_settings_dialog
    wait_until(lambda: dialog.state == "ready")
    dialog.weight_boxes["skill"].setValue(5)
    dialog.preview()
    wait_until(lambda: dialog.state == "previewed")
    dialog.resize(820, 760)
    save(dialog, out / "routing-settings.png")
    dialog.reject()
    window.close()
    wait_until(lambda: runner.in_flight == 0)
    lead.close()


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a not in ("--dark", "--matrix", "--supervisor")]
    folder = Path(arguments[0] if arguments else "docs/screenshots")
    if "--matrix" in sys.argv:
        matrix(folder)
    else:
        main(folder, dark="--dark" in sys.argv, only_supervisor="--supervisor" in sys.argv)
