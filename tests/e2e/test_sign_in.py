"""Signing in with a password, wrong and right, and what is left on disk afterwards: never a password.

The embedded test server is ours, so one login is switched to scram-sha-256 there (pg_hba.conf) while
everyone else keeps the socket's trust authentication.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL

from app.services.people import users
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.uow import UnitOfWork
from app.vocabulary import AgentRole
from tests.e2e.test_cli import switchboard
from tests.support.postgres import PgServer

pytestmark = pytest.mark.slow
RIGHT = "Right-Horse-Battery-12"
CANARY = "Canary-Wrong-Password-991"


@pytest.fixture
def password_login(embedded_server: PgServer) -> Iterator[tuple[URL, str]]:
    url = embedded_server.migrated_database()
    engine = build_engine(url)
    login = f"{url.database}_pw"
    with UnitOfWork(build_session_factory(engine)) as uow:
        users.add_user(
            uow, login=login, display_name="Pat Word", email="pw@x.test", role=AgentRole.AGENT, password=RIGHT
        )
        uow.commit()
    engine.dispose()
    admin = embedded_server.maintenance_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        hba = Path(str(connection.execute("SHOW hba_file").fetchone()[0]))  # type: ignore[index]
        original = hba.read_text()
        hba.write_text(f"local all {login} scram-sha-256\n{original}")
        connection.execute("SELECT pg_reload_conf()")
    try:
        yield url, login
    finally:
        hba.write_text(original)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("SELECT pg_reload_conf()")
        embedded_server.drop_database(url)


def test_a_failed_sign_in_leaves_no_password_anywhere(password_login: tuple[URL, str], tmp_path: Path) -> None:
    url, login = password_login
    data = tmp_path / "data"
    # Never the developer's real keyring: the 'fail' backend is what a headless machine has.
    env = {"SWITCHBOARD_DATA_DIR": str(data), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    database = ["-v", "--database", url.set(username=None).render_as_string(hide_password=False)]

    wrong = switchboard(*database, "--user", login, "--password-stdin", "ticket", "list", stdin=f"{CANARY}\n", env=env)
    assert wrong.returncode == 5, wrong.stderr
    assert f"Sign-in as {login} failed" in wrong.stderr

    missing = switchboard(*database, "--user", login, "ticket", "list", env=env)
    assert missing.returncode == 5 and "asks" in missing.stderr and "for a password" in missing.stderr

    right = switchboard(
        *database,
        "--user",
        login,
        "--password-stdin",
        "--remember",
        "ticket",
        "list",
        "--json",
        stdin=f"{RIGHT}\n",
        env=env,
    )
    assert right.returncode == 0, right.stderr
    assert "not remembered: this computer has no usable keyring" in right.stderr  # headless CI: no backend

    written = [path for path in data.rglob("*") if path.is_file()]
    assert written, "the run should have written its log"
    for path in written:
        content = path.read_bytes()
        assert CANARY.encode() not in content and RIGHT.encode() not in content, path
    for output in (wrong, missing, right):
        assert CANARY not in output.stdout + output.stderr and RIGHT not in output.stdout + output.stderr
