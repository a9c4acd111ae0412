"""Search (issue 15): the login's Tantivy index beside PostgreSQL full-text search (GIN + ts_rank) in the
same run, on the benchmark corpus.

    python -m benchmarks.corpus --database postgresql://postgres@127.0.0.1:5432/switchboard_bench_search
    python -m benchmarks.bench_search --database postgresql://postgres@127.0.0.1:5432/switchboard_bench_search

Measures: a full rebuild (every document the login may read, through the same code the client runs) and
the index's size on disk; 200 mixed queries (words, phrases, prefixes as typed, typos) through
`Search.search` with snippets for the 20 hits shown, p50/p95/p99; the same queries in PostgreSQL (GIN
expression indexes on subject and message text, ts_rank, ts_headline for the 20 shown; typos are simply
not found there); freshness: a note committed by another connection, until the client's sync thread (its
real one-second loop) has it in the index. Runs as the database's own URL (the superuser: no RLS, so the
figures are the engines', not row-level security's). `--drop` drops the benchmark database afterwards;
`--index-dir DIR` keeps the index there and `--reuse` searches the one already there (no rebuild), to
iterate on queries in seconds. Searches are the desktop's (no total counted).
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from app.services.platform.config import parse_database_url
from app.services.search.query import words_of
from app.services.search.service import Search
from app.services.search.store import IndexHome
from app.services.tickets import service
from benchmarks.common import libpq, percentile, print_table, trusted_runtime

FTS_INDEXES = [
    "CREATE INDEX IF NOT EXISTS bench_search_subject_fts ON switchboard.ticket "
    "USING gin (to_tsvector('english', subject))",
    "CREATE INDEX IF NOT EXISTS bench_search_message_fts ON switchboard.message "
    "USING gin (to_tsvector('english', body_text))",
]
FTS_QUERY = """
    WITH q AS (SELECT {tsquery}('english', %(q)s) AS q),
    hits AS (
        SELECT t.id AS ticket_id, ts_rank(to_tsvector('english', t.subject), q.q) * 3 AS rank
        FROM switchboard.ticket t, q WHERE to_tsvector('english', t.subject) @@ q.q
        UNION ALL
        SELECT m.ticket_id, ts_rank(to_tsvector('english', m.body_text), q.q)
        FROM switchboard.message m, q WHERE to_tsvector('english', m.body_text) @@ q.q
    ),
    top AS (SELECT ticket_id, max(rank) AS rank FROM hits GROUP BY ticket_id ORDER BY rank DESC LIMIT 20)
    SELECT t.number, t.subject, ts_headline('english', coalesce(m.body_text, ''), q.q)
    FROM top JOIN switchboard.ticket t ON t.id = top.ticket_id CROSS JOIN q
    LEFT JOIN LATERAL (SELECT body_text FROM switchboard.message WHERE ticket_id = t.id ORDER BY id LIMIT 1) m ON true
    ORDER BY top.rank DESC
"""


def mixed_queries(database: str, count: int, seed: int) -> list[tuple[str, str, bool]]:
    """(kind, text, typing): words, phrases, prefixes and typos drawn from the corpus's own subjects."""
    rng = random.Random(seed)
    with psycopg.connect(libpq(parse_database_url(database, source="--database"))) as connection:
        subjects = [
            str(r[0])
            for r in connection.execute(
                "SELECT subject FROM switchboard.ticket TABLESAMPLE SYSTEM (5) REPEATABLE (7) LIMIT 2000"
            ).fetchall()
        ]
    queries: list[tuple[str, str, bool]] = []
    while len(queries) < count:
        words = [w for w in words_of(rng.choice(subjects)) if w.isalpha() and len(w) >= 4]
        if len(words) < 2:
            continue
        kind = ("words", "phrase", "prefix", "typo")[len(queries) % 4]
        if kind == "words":
            queries.append((kind, " ".join(rng.sample(words, 2)), False))
        elif kind == "phrase":
            start = rng.randrange(len(words) - 1)
            queries.append((kind, f'"{words[start]} {words[start + 1]}"', False))
        elif kind == "prefix":
            word = rng.choice(words)
            queries.append((kind, word[: rng.randint(3, max(3, len(word) - 1))], True))
        else:
            long_words = [w for w in words if len(w) >= 5]
            if not long_words:
                continue
            word = rng.choice(long_words)
            i = rng.randrange(1, len(word) - 1)
            queries.append((kind, word[:i] + word[i + 1] + word[i] + word[i + 2 :], False))
    return queries


def pg_text(kind: str, text: str) -> tuple[str, str]:
    """The closest PostgreSQL query: words (AND), a phrase, a prefix (:*); a typo is searched as typed."""
    if kind == "phrase":
        return "phraseto_tsquery", text.strip('"')
    if kind == "prefix":
        return "to_tsquery", f"{text}:*"
    return "plainto_tsquery", text


def ms(samples: list[float]) -> list[str]:
    return [f"{percentile(samples, p) * 1000:.1f}" for p in (0.5, 0.95, 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--freshness-samples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--pg-timeout-s", type=int, default=30, help="a PostgreSQL query slower than this counts so")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database afterwards")
    parser.add_argument(
        "--index-dir", type=Path, help="keep the index in this folder (default: a scratch folder, removed after)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="with --index-dir: search the index already there, if usable"
    )
    args = parser.parse_args()
    url = parse_database_url(args.database, source="--database")
    runtime = trusted_runtime(args.database)
    base = args.index_dir or Path(tempfile.mkdtemp(prefix="switchboard-bench-search-"))
    search = Search(runtime, IndexHome.for_login("bench", str(url.database), str(url.username), base=base))
    try:
        if args.reuse and search.try_become_writer() and not search.needs_build():
            status = search.status()
            print(f"Reused the index in {base}: {sum(status.documents.values()):,} documents.")
        else:
            started = time.perf_counter()
            status = search.rebuild()
            rebuild_s = time.perf_counter() - started
            documents = sum(status.documents.values())
            print(
                f"Full rebuild: {documents:,} documents ({status.documents}) in {rebuild_s:.1f} s "
                f"({documents / rebuild_s:,.0f}/s); index {status.size_bytes / 1_048_576:,.0f} MiB on disk."
            )
        queries = mixed_queries(args.database, args.queries, args.seed)
        for _kind, text, typing in queries[:10]:  # warm the page cache as a client's first searches do
            search.search(text, typing=typing)
        tantivy: dict[str, list[float]] = {}
        found: dict[str, list[int]] = {}
        for kind, text, typing in queries:
            started = time.perf_counter()
            results = search.search(text, kinds=("ticket",), limit=20, typing=typing)
            tantivy.setdefault(kind, []).append(time.perf_counter() - started)
            found.setdefault(kind, []).append(len(results.hits))
            assert results.source == "index"
        with psycopg.connect(libpq(url), autocommit=True) as connection:
            started = time.perf_counter()
            for statement in FTS_INDEXES:
                connection.execute(statement)
            print(f"PostgreSQL GIN indexes built in {time.perf_counter() - started:.1f} s.")
            connection.execute(f"SET statement_timeout = '{args.pg_timeout_s}s'")
            postgres: dict[str, list[float]] = {}
            pg_found: dict[str, list[int]] = {}
            timeouts = 0
            for kind, text, _typing in queries:
                function, value = pg_text(kind, text)
                started = time.perf_counter()
                answered: list[tuple[object, ...]] = []
                try:
                    answered = connection.execute(FTS_QUERY.format(tsquery=function), {"q": value}).fetchall()
                except psycopg.errors.QueryCanceled:
                    timeouts += 1
                except psycopg.errors.SyntaxError:
                    pass
                postgres.setdefault(kind, []).append(time.perf_counter() - started)
                pg_found.setdefault(kind, []).append(len(answered))
        rows: list[list[str]] = []
        for kind in ("words", "phrase", "prefix", "typo"):
            rows.append(
                [
                    kind,
                    f"{len(tantivy[kind])}",
                    *ms(tantivy[kind]),
                    *ms(postgres[kind]),
                    f"{sum(1 for n in found[kind] if n)}/{sum(1 for n in pg_found[kind] if n)}",
                ]
            )
        every_t = [s for v in tantivy.values() for s in v]
        every_p = [s for v in postgres.values() for s in v]
        all_t, all_p = sum(1 for v in found.values() for n in v if n), sum(1 for v in pg_found.values() for n in v if n)
        rows.append(["all", f"{len(every_t)}", *ms(every_t), *ms(every_p), f"{all_t}/{all_p}"])
        print(
            f"\n{len(queries)} mixed queries, 20 hits with snippets each (PostgreSQL timeouts at "
            f"{args.pg_timeout_s} s: {timeouts}):"
        )
        print_table(
            ["queries", "n", "tantivy p50 ms", "p95", "p99", "PostgreSQL p50 ms", "p95", "p99", "with hits t/pg"],
            rows,
        )
        print(f"p95 ratio PostgreSQL / tantivy: {percentile(every_p, 0.95) / percentile(every_t, 0.95):,.0f}x")
        print(
            f"\nFreshness (a note committed by another connection until the client's sync has it), "
            f"{args.freshness_samples} samples:"
        )
        print_table(["p50 s", "p95 s", "max s"], [freshness(search, runtime, args.freshness_samples)])
    finally:
        search.close()
        runtime.close()
        if args.index_dir is None:
            shutil.rmtree(base, ignore_errors=True)
        if args.drop:
            with psycopg.connect(libpq(url.set(database="postgres")), autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
                print(f"dropped {url.database}")
        else:
            with psycopg.connect(libpq(url), autocommit=True) as connection:
                for statement in FTS_INDEXES:
                    connection.execute("DROP INDEX IF EXISTS switchboard." + statement.split()[5])


def freshness(search: Search, runtime: object, samples: int) -> list[str]:
    from app.bootstrap import Runtime

    assert isinstance(runtime, Runtime)
    stop = threading.Event()
    follower = threading.Thread(target=search.follow, args=(stop,), daemon=True)
    follower.start()
    delays: list[float] = []
    try:
        with runtime.uow() as uow:
            ticket_id = int(
                uow.session.connection()
                .exec_driver_sql("SELECT id FROM switchboard.ticket ORDER BY id DESC LIMIT 1")
                .scalar_one()
            )
        for n in range(samples):
            token = f"fresh{n}x{random.randrange(10**9)}"
            with runtime.uow() as uow:
                service.add_note(uow, ticket_id=ticket_id, body=f"Checked {token}", expected_version=None)
                uow.commit()
            committed = time.perf_counter()
            while not search.search(token).hits:
                time.sleep(0.01)
                if time.perf_counter() - committed > 30:
                    break
            delays.append(time.perf_counter() - committed)
            time.sleep(random.uniform(0, 1))  # commits land anywhere in the follower's second
    finally:
        stop.set()
        follower.join(30)
    return [f"{percentile(delays, 0.5):.2f}", f"{percentile(delays, 0.95):.2f}", f"{max(delays):.2f}"]


if __name__ == "__main__":
    main()
