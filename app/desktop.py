"""The desktop client's composition root: the application object, sign-in, the main window.

It sits above `app.views` (the widgets) and beside the CLI: it builds what the widgets are handed — the
desk, live updates, drafts, the sign-in service — from `bootstrap`, so no widget imports the database
layer, even indirectly.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import cast

from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QDialog

from app.bootstrap import Runtime, open_maintenance_runtime, open_runtime, sign_in
from app.package_data import resource_path
from app.services.desk import HelpDesk
from app.services.desk_api import AccountArea, SearchArea, ServerChoice, SignedInClient
from app.services.platform.config import DatabaseTarget, parse_database_url, resolve_database
from app.services.platform.paths import data_dir
from app.services.search.settings import wipe_on_sign_out
from app.views.appearance import follow_color_scheme
from app.views.drafts import DraftStore
from app.views.main_window import MainWindow
from app.views.memory import GuiThreadCollector, settle_memory
from app.views.on_first_use import OnFirstUse
from app.views.signin import SignInDialog
from app.views.tasks import TaskRunner
from app.views.waiting import process_events_until


def application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv)
    app.setOrganizationName("Switchboard")
    app.setApplicationName("Switchboard")
    app.setStyle("Fusion")
    register_bundled_font(app)
    app.setWindowIcon(QIcon(str(resource_path("switchboard.svg"))))
    follow_color_scheme(app)
    return app


def register_bundled_font(app: QApplication) -> None:
    """A workstation (or a bare server running the bundle) may have no fonts at all, and Qt then draws
    empty boxes: DejaVu Sans travels with Switchboard and is the fallback family."""
    system_has_fonts = bool(QFontDatabase.families())
    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts/DejaVuSans.ttf")))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families and not system_has_fonts:
        app.setFont(QFont(families[0], 10))
    elif families:
        QFont.insertSubstitution(app.font().family(), families[0])


def client_for(runtime: Runtime, keyring_note: str | None = None, *, search_base: Path | None = None) -> SignedInClient:
    desk = HelpDesk(runtime)
    # no connector: no account panel; the account area is built (imported) when the first panel asks
    accounts = cast(AccountArea, OnFirstUse(lambda: desk.accounts)) if desk.has_accounts() else None
    # the login's index (tantivy and the index modules) opens once the window first uses it, after the first page
    search = cast(SearchArea, OnFirstUse(lambda: runtime.search(search_base)))
    wipe = wipe_on_sign_out()  # read at sign-in: a bad setting is said now, not silently at sign-out
    close = partial(runtime.sign_out, wipe_search_index=wipe, search_base=search_base)
    return SignedInClient(desk, runtime.listener(), close, keyring_note, accounts=accounts, search=search)


def open_main_window(client: SignedInClient, runner: TaskRunner) -> MainWindow:
    drafts = DraftStore(data_dir() / "drafts" / client.desk.me.login)
    window = MainWindow(client.desk, runner, drafts, listen=client.listen, accounts=client.accounts)
    search = client.search
    if search is not None:  # the login's index, kept in step in the background, once the first page is painted
        window.after_first_page(lambda: window.enable_search(search, sync=True))
    return window


class DesktopSignIn:
    """The sign-in dialog's way in: it knows where flags and settings point, and signs in through the one
    routine the CLI and `doctor` use too."""

    def __init__(self, configured: DatabaseTarget | None = None) -> None:
        self.configured = configured if configured is not None else resolve_database()

    def configured_server(self) -> ServerChoice | None:
        url = self.configured.url
        if url is None:
            return None
        return ServerChoice(
            url.host or "",
            url.port or 5432,
            url.database or "switchboard",
            str(url.query.get("sslrootcert", "")),
            url.username,
            set_by=self.configured.source,
        )

    def target(self, server: ServerChoice) -> DatabaseTarget:
        if server.set_by is not None and self.configured.url is not None:
            return self.configured  # used as given: its TLS settings and options included
        if server.host is None:
            return DatabaseTarget(None, "This computer", data_dir())
        query = f"?sslmode=verify-full&sslrootcert={server.ca_file}" if server.ca_file else ""
        url = parse_database_url(
            f"postgresql://{server.host}:{server.port}/{server.database}{query}", source="the sign-in form"
        )
        return DatabaseTarget(url, "Team server", data_dir())

    def sign_in(
        self, server: ServerChoice, login: str | None, password: str | None, *, remember: bool
    ) -> SignedInClient:
        signed_in = sign_in(self.target(server), login, password, remember=remember)
        return client_for(signed_in.runtime, signed_in.keyring_note)


def run_desktop(
    runtime: Runtime | None = None, *, configured: DatabaseTarget | None = None, login: str | None = None
) -> int:
    """With a runtime (the demo, already signed in) go straight to work; otherwise ask who signs in, on the
    server `--database` (or the environment, or a settings file) names, as `--user` if given."""
    app = application()
    runner = TaskRunner()
    if runtime is None:
        dialog = SignInDialog(runner, DesktopSignIn(configured), login=login)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.client is None:
            return 1
        client = dialog.client
    else:
        client = client_for(runtime)
    window = open_main_window(client, runner)
    window.show()
    settle_memory()
    collector = GuiThreadCollector(app)  # no Qt object is ever collected on a pool thread (app/views/memory.py)
    collector.start()
    try:
        code = app.exec()
    finally:
        collector.stop()
    client.close()
    return code


def run_smoke() -> int:
    """Start the whole client on a throwaway embedded database, open the main window, and exit 0 once
    it shows tickets and a ticket: the check a packaged build (and CI) runs. Offscreen without a display."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="switchboard-smoke-") as scratch:
        target = DatabaseTarget(None, "smoke", Path(scratch))
        maintenance = open_maintenance_runtime(target)
        from app.ops.demo import DemoSize, fill_demo_data  # only the smoke run fills demo data (start-up, issue 12)

        fill_demo_data(maintenance.session_factory, DemoSize(tickets=60))
        maintenance.close()
        runtime = open_runtime(target)
        application()  # the QApplication must exist before any widget
        runner = TaskRunner()
        window = open_main_window(client_for(runtime, search_base=Path(scratch) / "search"), runner)
        window.show()
        ok = process_events_until(lambda: bool(window.model.rowCount() and window.editor.detail), timeout=60)
        shown = window.model.rowCount()
        window.close()
        process_events_until(lambda: not runner.in_flight, timeout=10)
        runtime.close()
    print(f"smoke test {'passed' if ok else 'FAILED'}: the main window showed {shown} tickets")
    return 0 if ok else 1


def run_startup_probe() -> int:
    """Show the sign-in window, then print how long the process took to get there and its resident
    memory (for benchmarks/bench_bundle.py), and exit."""
    import psutil

    app = application()
    dialog = SignInDialog(TaskRunner(), DesktopSignIn())
    dialog.show()
    app.processEvents()
    process = psutil.Process()
    elapsed = time.time() - process.create_time()
    print(f"sign-in window after {elapsed * 1000:.0f} ms; resident memory {process.memory_info().rss / 2**20:.0f} MB")
    dialog.close()
    return 0
