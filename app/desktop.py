"""The desktop client's composition root: the application object, sign-in, the main window.

It sits above `app.views` (the widgets) and beside the CLI: it builds what the widgets are handed — the
desk, live updates, drafts, the sign-in service — from `bootstrap`, so no widget imports the database
layer, even indirectly.

Importing this module loads Qt and the sign-in window only: the database layers (SQLAlchemy, psycopg), the
services and the main window's modules load in the background while the sign-in window waits for the
person (`load_sign_in_layers`; issue 12: the window is up in about a third of the time it took when
everything loaded first).
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QDialog

from app.package_data import resource_path
from app.services.desk_api import AccountArea, SearchArea, ServerChoice, SignedInClient
from app.services.platform.paths import data_dir
from app.views.appearance import follow_color_scheme
from app.views.signin import SignInDialog
from app.views.tasks import TaskRunner
from app.views.waiting import process_events_until

if TYPE_CHECKING:
    from app.bootstrap import Runtime
    from app.services.platform.config import DatabaseTarget
    from app.views.main_window import MainWindow


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
    from app.services.desk import HelpDesk
    from app.services.search.settings import wipe_on_sign_out
    from app.views.on_first_use import OnFirstUse

    desk = HelpDesk(runtime)
    # no connector: no account panel; the account area is built (imported) when the first panel asks
    accounts = cast(AccountArea, OnFirstUse(lambda: desk.accounts)) if desk.has_accounts() else None
    # the login's index (tantivy and the index modules) opens once the window first uses it, after the first page
    search = cast(SearchArea, OnFirstUse(lambda: runtime.search(search_base)))
    wipe = wipe_on_sign_out()  # read at sign-in: a bad setting is said now, not silently at sign-out
    close = partial(runtime.sign_out, wipe_search_index=wipe, search_base=search_base)
    return SignedInClient(desk, runtime.listener(), close, keyring_note, accounts=accounts, search=search)


def open_main_window(client: SignedInClient, runner: TaskRunner) -> MainWindow:
    from app.views.drafts import DraftStore
    from app.views.main_window import MainWindow

    drafts = DraftStore(data_dir() / "drafts" / client.desk.me.login)
    window = MainWindow(client.desk, runner, drafts, listen=client.listen, accounts=client.accounts)
    search = client.search
    if search is not None:  # the login's index, kept in step in the background, once the first page is painted
        window.after_first_page(lambda: window.enable_search(search, sync=True))
    return window


def load_sign_in_layers() -> None:
    """What signing in and the first page need: the database layers, the desk's services and the main
    window's modules, all but a sixth of the client's imports. Run in the background while the sign-in
    window waits for the person (a sign-in that comes first waits for the same modules). The views are safe
    to import off the GUI thread: their modules make no QObject, only values (a size, a colour)."""
    import app.bootstrap
    import app.services.desk
    import app.views.main_window  # noqa: F401


class DesktopSignIn:
    """The sign-in dialog's way in: it knows where flags and settings point, and signs in through the one
    routine the CLI and `doctor` use too. `configured`: a target already resolved; else the flag's URL (or
    none), resolved with the environment and the settings file when the dialog first asks, off the GUI
    thread: the URL parser is SQLAlchemy's."""

    def __init__(self, configured: DatabaseTarget | None = None, *, database_url: str | None = None) -> None:
        self._given = configured
        self._database_url = database_url

    @functools.cached_property
    def configured(self) -> DatabaseTarget:
        if self._given is not None:
            return self._given
        from app.services.platform.config import resolve_database

        return resolve_database(self._database_url)

    def configured_server(self) -> ServerChoice | None:
        """Asked by the sign-in window in the background as it opens: it also loads the sign-in layers."""
        load_sign_in_layers()
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
        from app.services.platform.config import DatabaseTarget, parse_database_url

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
        from app.bootstrap import sign_in

        signed_in = sign_in(self.target(server), login, password, remember=remember)
        return client_for(signed_in.runtime, signed_in.keyring_note)


def run_desktop(runtime: Runtime | None = None, *, database_url: str | None = None, login: str | None = None) -> int:
    """With a runtime (the demo, already signed in) go straight to work; otherwise ask who signs in, on the
    server `--database` (or the environment, or a settings file) names, as `--user` if given. After Sign
    out, ask again (no login filled in: the next person types theirs); closing that window ends the
    program."""
    app = application()
    runner = TaskRunner()
    client = client_for(runtime) if runtime is not None else _signed_in(runner, database_url, login)
    if client is None:
        return 1
    while True:
        code, signed_out = _work(app, client, runner)
        if not signed_out:
            return code
        client = _signed_in(runner, database_url, None)
        if client is None:
            return 0


def _signed_in(runner: TaskRunner, database_url: str | None, login: str | None) -> SignedInClient | None:
    dialog = SignInDialog(runner, DesktopSignIn(database_url=database_url), login=login)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.client


def _work(app: QApplication, client: SignedInClient, runner: TaskRunner) -> tuple[int, bool]:
    """The main window until it closes: the program's exit code, and whether it closed by Sign out."""
    from app.views.memory import GuiThreadCollector, settle_memory

    window = open_main_window(client, runner)
    if window.opens_maximised:
        window.showMaximized()
    else:
        window.show()
    settle_memory()
    collector = GuiThreadCollector(app)  # no Qt object is ever collected on a pool thread (app/views/memory.py)
    collector.start()
    try:
        code = app.exec()
    finally:
        collector.stop()
        # the window's last reads finish first: a connection still out when the engine closes stays open
        # (the next person's desk would run beside the last person's sessions)
        process_events_until(lambda: runner.in_flight == 0, 10)
        client.close()
    return code, window.signed_out


def run_smoke() -> int:
    """Start the whole client on a throwaway embedded database, open the main window, and exit 0 once
    it shows tickets and a ticket: the check a packaged build (and CI) runs. Offscreen without a display."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.bootstrap import open_maintenance_runtime, open_runtime
    from app.services.platform.config import DatabaseTarget

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
    """Show the sign-in window, then print how long the process took to get there, to be ready to sign
    in (the configured server known and the database layers loaded behind the window), and its resident
    memory (for benchmarks/bench_bundle.py and bench_client_start), and exit."""
    import psutil

    app = application()
    runner = TaskRunner()
    dialog = SignInDialog(runner, DesktopSignIn())
    dialog.show()
    app.processEvents()
    shown = process_age()
    process_events_until(lambda: dialog.configuration_known or dialog.configuration_failed, timeout=120)
    if not dialog.configuration_known:  # a bad URL or settings file: the window says why
        print(f"sign-in window after {shown * 1000:.0f} ms; not ready: {dialog.message.text()}")
        dialog.close()
        return 1
    ready = process_age()
    memory = psutil.Process().memory_info().rss
    print(
        f"sign-in window after {shown * 1000:.0f} ms; ready to sign in after {ready * 1000:.0f} ms;"
        f" resident memory {memory / 2**20:.0f} MB"
    )
    dialog.close()
    process_events_until(lambda: not runner.in_flight, timeout=10)
    return 0


def process_age() -> float:
    """Seconds since this process started. On Linux from /proc, in the kernel's ticks against its uptime
    clock: psutil's start time adds the boot time, which the kernel gives in whole seconds, so an age
    taken from it was up to a second too long (0.97 s on the machine where this was found)."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            started = int(stat.read().rsplit(")", 1)[1].split()[19])  # field 22, starttime
            return float(uptime.read().split()[0]) - started / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):  # not Linux
        import psutil

        return time.time() - float(psutil.Process().create_time())
