"""Knowledge base latency through the service, as an agent's and an editor's own login (row-level security,
the kb_* definer functions, the history and change-log triggers all run), on a database of its own that
it drops afterwards.

    python -m benchmarks.bench_knowledge --database postgresql://postgres@127.0.0.1:5432/switchboard_bench_kb
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.services.knowledge import service as kb
from app.services.knowledge.dto import ArticleState
from app.services.platform.config import parse_database_url
from app.services.platform.database import schema
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.uow import UnitOfWork
from benchmarks.common import describe_ms, ensure_database, libpq, login_in_group, print_table

CATEGORIES = [("Billing", "Refunds"), ("Billing", "Invoices"), ("Accounts", "SSO"), ("Network", "VPN")]
WORDS = ["refund", "invoice", "charge", "card", "vpn", "sso", "certificate", "sync", "error", "timeout", "customer"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    url = parse_database_url(args.database, source="--database")
    ensure_database(url)
    try:
        rows = _bench(url, args.articles, args.samples)
    finally:
        _drop(url)
    print(f"{args.articles:,} articles (90% published), {args.samples} samples per row")
    print_table(["as", "operation", "median ms", "p95 ms", "max ms"], rows)


def _bench(url: URL, articles: int, samples: int) -> list[list[str]]:
    engine = build_engine(url)
    schema.upgrade(engine)
    agent_url, editor_url = _logins(engine)
    trusted = Runtime(engine, build_session_factory(engine))
    started = time.perf_counter()
    ids = _fill(trusted, articles)  # published ones: what every login reads
    print(f"filled {articles:,} articles in {time.perf_counter() - started:.1f} s (create + publish, one each)")
    agent, editor = _runtime(agent_url), _runtime(editor_url)
    rng = random.Random(7)
    rows: list[list[str]] = []

    def measure(who: str, what: str, runtime: Runtime, work: Callable[[UnitOfWork], object], commit: bool) -> None:
        timings = []
        for _ in range(samples):
            begin = time.perf_counter()
            with runtime.uow() as uow:
                work(uow)
                if commit:
                    uow.commit()
            timings.append(time.perf_counter() - begin)
        rows.append([who, what, *describe_ms(timings)])

    for who, runtime in (("agent", agent), ("editor", editor)):
        measure(who, "list every readable article", runtime, lambda uow: kb.list_articles(uow), False)
        measure(who, "show one article", runtime, lambda uow: kb.get_article(uow, article_id=rng.choice(ids)), False)
        measure(who, "history + diff", runtime, lambda uow: _history(uow, rng.choice(ids)), False)
    measure("agent", "write a draft", agent, lambda uow: kb.create_article(uow, title="Draft", body="x"), True)
    measure("editor", "save an edit (new version)", editor, lambda uow: _edit(uow, rng.choice(ids)), True)
    for runtime in (agent, editor, trusted):
        runtime.close()
    return rows


def _history(uow: UnitOfWork, article_id: int) -> None:
    kb.history(uow, article_id=article_id)
    kb.diff(uow, article_id=article_id)


def _edit(uow: UnitOfWork, article_id: int) -> None:
    current = kb.get_article(uow, article_id=article_id)
    kb.edit_article(
        uow,
        article_id=article_id,
        expected_version=current.version,
        title=current.summary.title,
        body=current.body + "\nOne more line.",
        tags=current.summary.tags,
        category_id=current.summary.category_id,
        visibility=current.summary.visibility,
    )


def _fill(trusted: Runtime, count: int) -> list[int]:
    rng = random.Random(11)
    ids = []
    with trusted.uow() as uow:
        categories = [kb.ensure_category_path(uow, path).id for path in CATEGORIES]
        uow.commit()
    for n in range(count):
        with trusted.uow() as uow:
            words = rng.sample(WORDS, 4)
            article = kb.create_article(
                uow,
                title=f"{words[0].title()} {words[1]} {n}",
                body="\n\n".join(" ".join(rng.choices(WORDS, k=40)) for _ in range(5)),
                tags=words[:2],
                category_id=rng.choice(categories),
            )
            if n % 10:
                kb.set_state(uow, article_id=article.id, expected_version=1, state=ArticleState.PUBLISHED)
                ids.append(article.id)
            uow.commit()
    return ids


def _logins(engine: Engine) -> tuple[URL, URL]:
    """An agent of a queue and a supervisor (an editor by role), as login roles (trust authentication)."""
    with engine.begin() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        urls = []
        for person, group in (("kb_agent", "agent"), ("kb_editor", "supervisor")):
            login = f"{database}_{person}"
            for statement in login_in_group(login, f"{database}_{group}"):
                connection.exec_driver_sql(statement)
            connection.execute(
                text(
                    "INSERT INTO switchboard.agent (display_name, email, db_login, role, availability)"
                    " VALUES (:name, :email, :login, :role, 'available') ON CONFLICT (db_login) DO NOTHING"
                ),
                {"name": person, "email": f"{login}@bench.test", "login": login, "role": group},
            )
            urls.append(engine.url.set(username=login, password=None))
    return urls[0], urls[1]


def _runtime(url: URL) -> Runtime:
    engine = build_engine(url)
    return Runtime(engine, build_session_factory(engine))


def _drop(url: URL) -> None:
    """The database and the logins it made (roles are cluster-wide)."""
    database = str(url.database)
    with psycopg.connect(libpq(url.set(database="postgres")), autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        for (role,) in connection.execute(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (database.replace("_", "\\_") + "\\_%",)
        ).fetchall():
            connection.execute(f'DROP ROLE IF EXISTS "{role}"')


if __name__ == "__main__":
    main()
