"""Dump the schema every migration step builds, to compare two versions of the migrations byte for byte.

    .venv/bin/python tools/schema_dump.py before.sql            # on the system server (127.0.0.1:5432)
    ... change the migrations ...
    .venv/bin/python tools/schema_dump.py after.sql && diff -u before.sql after.sql

On a fresh database it walks base → each revision in turn → head, then back down one revision at a time
to base, and up to head again. After each step it appends `pg_dump --schema-only` of the database (function
bodies verbatim, policies, grants) and this database's roles and their memberships (cluster-wide, so
pg_dump leaves them out). The database's name is replaced by DBNAME. The database and its roles are
dropped afterwards. A refactoring of the migrations (moving SQL into files, say) must leave the file
unchanged; a new migration adds steps at the end.

`--url` names another server (its superuser: the roles and BYPASSRLS need one); the pg_dump on PATH must
be able to dump that server's version.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SWITCHBOARD_DATA_DIR", tempfile.mkdtemp(prefix="switchboard-schema-dump-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from app.services.platform.database import schema
from app.services.platform.database.engine import build_engine

DATABASE = "sbschemadump"
ROLE_SUFFIXES = ("_agent", "_supervisor", "_admin", "_owner")  # members before the groups they belong to
ROLES = """
SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
       ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
             WHERE m.member = r.oid ORDER BY 1) AS member_of
FROM pg_roles r WHERE starts_with(r.rolname, %s) ORDER BY r.rolname
"""


def libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def dump(url: URL) -> str:
    """pg_dump's text, without its version banner and the random key of `\\restrict` lines."""
    result = subprocess.run(
        ["pg_dump", "--schema-only", "--no-comments", libpq(url)], check=True, capture_output=True, text=True
    )
    lines = [
        line
        for line in result.stdout.splitlines()
        if not line.startswith(("-- Dumped from", "-- Dumped by", "\\restrict", "\\unrestrict"))
    ]
    with psycopg.connect(libpq(url)) as connection:
        roles = connection.execute(ROLES, (f"{url.database}_",)).fetchall()
    lines += ["-- roles", *(repr(tuple(row)) for row in roles)]
    return "\n".join(lines).replace(str(url.database), "DBNAME") + "\n"


def drop(maintenance: URL, database: str) -> None:
    with psycopg.connect(libpq(maintenance), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        names = [
            row[0]
            for row in connection.execute("SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", (database,))
        ]
        rank = {suffix: index for index, suffix in enumerate(ROLE_SUFFIXES)}
        for name in sorted(names, key=lambda n: next((r for s, r in rank.items() if n.endswith(s)), -1)):
            connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default=DATABASE)
    arguments = parser.parse_args()
    maintenance = make_url(arguments.url)
    target = maintenance.set(database=arguments.database)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", arguments.database):
        parser.error("the database name must be a plain lower-case identifier")
    drop(maintenance, arguments.database)
    with psycopg.connect(libpq(maintenance), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(arguments.database)))
    revisions = [script.revision for script in ScriptDirectory.from_config(schema.alembic_config()).walk_revisions()]
    revisions.reverse()  # base first
    engine = build_engine(target, statement_timeout_ms=0)
    sections: list[str] = []
    try:
        for revision in revisions:
            schema.upgrade(engine, revision)
            sections.append(f"-- ======== up to {revision}\n{dump(target)}")
        for revision in [*reversed(revisions[:-1]), "base"]:
            schema.downgrade(engine, revision)
            sections.append(f"-- ======== down to {revision}\n{dump(target)}")
        schema.upgrade(engine)
        sections.append(f"-- ======== up to head again\n{dump(target)}")
    finally:
        engine.dispose()
        drop(maintenance, arguments.database)
    arguments.output.write_text("".join(sections))
    print(f"{arguments.output}: {len(sections)} dumps, {sum(s.count(chr(10)) for s in sections)} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
