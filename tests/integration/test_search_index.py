"""The search index on real PostgreSQL (both servers), fed through each login's own connection: the set of
ids in a login's index equals exactly what that login may see — after a rebuild, after kill -9 in the middle
of a batch, after transactions that commit out of order, after a segment file is deleted, after a ticket
moves to a queue the agent cannot see, after the login's queues change. Probes as each role's own login."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app.bootstrap import Runtime
from app.services.errors import KnownError
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.jobs import trim_change_log
from app.services.platform.uow import UnitOfWork
from app.services.search.engine import SCHEMA_VERSION
from app.services.search.query import KINDS
from app.services.search.service import SOME_WORDS, Search
from app.services.search.store import IndexHome
from app.services.tickets import service
from tests.support.desk import Desk

pytestmark = pytest.mark.slow


class Opened:
    """A login's runtimes and indexes opened by a test, closed after it."""

    def __init__(self, desk: Desk, base: Path) -> None:
        self.desk, self.base = desk, base
        self.runtimes: list[Runtime] = []
        self.searches: list[Search] = []

    def home(self, person: str) -> IndexHome:
        return IndexHome.for_login("test", self.desk.database, self.desk.login(person), base=self.base)

    def search(self, person: str) -> Search:
        runtime = self.desk.runtime(person)
        self.runtimes.append(runtime)
        search = Search(runtime, self.home(person))
        self.searches.append(search)
        return search

    def close(self) -> None:
        for search in self.searches:
            search.close()
        for runtime in self.runtimes:
            runtime.close()


@pytest.fixture
def opened(desk: Desk, tmp_path: Path) -> Iterator[Opened]:
    o = Opened(desk, tmp_path / "search")
    yield o
    o.close()


def visible(desk: Desk, person: str, kind: str) -> set[int]:
    table = {"ticket": "ticket", "article": "knowledge_article", "customer": "customer"}[kind]
    with desk.connect(person) as connection:
        return {int(str(r[0])) for r in connection.execute(f"SELECT id FROM {table}").fetchall()}


def assert_exact(desk: Desk, person: str, search: Search) -> None:
    index = search._open_current()
    assert index is not None
    for kind in KINDS:
        assert index.ids(kind) == visible(desk, person, kind), kind


def new_ticket(desk: Desk, person: str, queue: str, subject: str, body: str = "Help!") -> int:
    runtime = desk.runtime(person)
    try:
        with runtime.uow() as uow:
            ticket = service.create_ticket(
                uow, subject=subject, customer_id=desk.ids["jane"], queue_id=desk.ids[queue], body=body
            ).ticket
            uow.commit()
    finally:
        runtime.close()
    return ticket.id


@pytest.mark.parametrize("person", ["alice", "bob", "carol", "sam", "dana"])
def test_each_login_indexes_exactly_what_it_may_see(desk: Desk, opened: Opened, person: str) -> None:
    search = opened.search(person)
    search.rebuild()
    assert_exact(desk, person, search)
    tickets = search._open_current().ids("ticket")  # type: ignore[union-attr]
    if person in ("alice", "sam"):  # Billing only
        assert desk.ids["billing_open"] in tickets and desk.ids["tech_open"] not in tickets
    if person in ("bob", "carol"):  # Tech only (carol leads it)
        assert desk.ids["tech_open"] in tickets and desk.ids["billing_open"] not in tickets
    results = search.search("tech_open ticket")
    assert (desk.ids["tech_open"] in {h.id for h in results.hits}) == (person in ("bob", "carol", "dana"))


@pytest.mark.parametrize("person", ["outsider", "ghost"])
def test_a_login_outside_every_group_gets_no_index_with_anything_in_it(desk: Desk, opened: Opened, person: str) -> None:
    search = opened.search(person)
    try:
        search.rebuild()
    except KnownError:
        assert search.home.current() is None
        return
    assert search._open_current().ids("ticket") == set()  # type: ignore[union-attr]


def test_a_disabled_login_cannot_build_or_read_an_index(desk: Desk, opened: Opened) -> None:
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Finn', 'finn@desk.test', 'agent', NULL, %s)",
            (desk.login("finn"), [desk.ids["billing"]]),
        )
    finn = opened.search("finn")
    finn.rebuild()
    assert finn._open_current().ids("ticket") == visible(desk, "finn", "ticket") != set()  # type: ignore[union-attr]
    with desk.connect("dana") as dana:
        dana.execute("SELECT disable_user(%s)", (desk.login("finn"),))
    again = opened.search("finn")
    with pytest.raises(KnownError):
        again.rebuild()
    with pytest.raises(KnownError):
        again.search("billing_open")


def test_a_ticket_moved_to_a_queue_the_agent_cannot_see_leaves_the_index_at_the_reconcile(
    desk: Desk, opened: Opened
) -> None:
    search = opened.search("alice")
    search.rebuild()
    moving = new_ticket(desk, "alice", "billing", "Wrong queue zebrafish")
    search.sync_once()
    assert moving in {h.id for h in search.search("zebrafish").hits}
    with desk.connect_as_dba() as dba:
        dba.execute("UPDATE switchboard.ticket SET queue_id = %s WHERE id = %s", (desk.ids["tech"], moving))
    search.sync_once()  # the change log hides the move from alice: her index cannot learn it from there
    assert search.reconcile() == (1, 0)
    assert moving not in {h.id for h in search.search("zebrafish").hits}
    assert_exact(desk, "alice", search)
    with desk.connect_as_dba() as dba:  # and back: the reconcile adds it again
        dba.execute("UPDATE switchboard.ticket SET queue_id = %s WHERE id = %s", (desk.ids["billing"], moving))
    search.sync_once()
    assert_exact(desk, "alice", search)


def test_transactions_committing_out_of_order_are_never_skipped(desk: Desk, opened: Opened) -> None:
    search = opened.search("alice")
    search.rebuild()
    first = new_ticket(desk, "alice", "billing", "First of two")
    second = new_ticket(desk, "alice", "billing", "Second of two")
    search.sync_once()
    with desk.connect_as_dba() as slow, desk.connect_as_dba() as quick:
        slow.autocommit = quick.autocommit = False
        slow.execute("UPDATE switchboard.ticket SET subject = 'slow aardvark' WHERE id = %s", (first,))
        quick.execute("UPDATE switchboard.ticket SET subject = 'quick aardvark' WHERE id = %s", (second,))
        quick.commit()  # logged later, committed first
        search.sync_once()
        assert search.search("aardvark").hits == ()  # held back below the horizon, not skipped
        slow.commit()
    search.sync_once()
    assert {h.id for h in search.search("aardvark").hits} == {first, second}
    assert_exact(desk, "alice", search)


def test_a_deleted_segment_file_leads_to_a_rebuild_and_answers_from_the_database_meanwhile(
    desk: Desk, opened: Opened
) -> None:
    search = opened.search("alice")
    search.rebuild()
    generation = search.home.current()
    assert generation is not None
    segment = next(p for p in generation.iterdir() if p.suffix in (".idx", ".store", ".term"))
    segment.unlink()
    search.close()
    fresh = opened.search("alice")  # what the next process finds
    answered = fresh.search("billing_open")
    assert answered.from_database and desk.ids["billing_open"] in {h.id for h in answered.hits}
    assert "database" in (answered.status_line or "")
    assert fresh.needs_build()
    assert fresh.ensure_built()
    assert fresh.search("billing_open").source == "index"
    assert_exact(desk, "alice", fresh)


def test_an_index_of_an_earlier_schema_is_rebuilt_and_answers_from_the_database_meanwhile(
    desk: Desk, opened: Opened
) -> None:
    """An upgrade that changes what the index holds (SCHEMA_VERSION) never reads the old index with the
    new queries: the workstation's index is rebuilt, as after a corrupt segment."""
    search = opened.search("alice")
    search.rebuild()
    generation = search.home.current()
    assert generation is not None
    (generation / "schema_version").write_text(str(SCHEMA_VERSION - 1))
    search.close()
    fresh = opened.search("alice")
    answered = fresh.search("billing_open")
    assert answered.from_database and desk.ids["billing_open"] in {h.id for h in answered.hits}
    assert fresh.needs_build() and fresh.ensure_built()
    assert fresh.search("billing_open").source == "index"
    assert (fresh.home.current() / "schema_version").read_text() == str(SCHEMA_VERSION)  # type: ignore[operator]
    assert_exact(desk, "alice", fresh)


def test_new_queues_for_a_login_wipe_and_rebuild_its_index(desk: Desk, opened: Opened) -> None:
    with desk.connect("dana") as dana:
        gus_id = dana.execute(
            "SELECT add_user(%s, 'Gus', 'gus@desk.test', 'agent', NULL, %s)",
            (desk.login("gus"), [desk.ids["billing"]]),
        ).fetchone()[0]  # type: ignore[index]
    gus = opened.search("gus")
    gus.rebuild()
    assert desk.ids["tech_open"] not in gus._open_current().ids("ticket")  # type: ignore[union-attr]
    with desk.connect("dana") as dana:
        dana.execute("SELECT set_queue_members(%s, %s)", (desk.ids["tech"], [desk.ids["bob"], gus_id]))
    gus.close()  # the next process (or this one's follower, which notices the same)
    later = opened.search("gus")
    assert later.search("tech_open").from_database  # the old scope is not used, not even for a moment
    assert later.ensure_built()
    assert_exact(desk, "gus", later)
    assert desk.ids["tech_open"] in later._open_current().ids("ticket")  # type: ignore[union-attr]


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sqlalchemy.engine import make_url
    from app.bootstrap import Runtime
    from app.services.platform.database.engine import build_engine, build_session_factory
    from app.services.search.service import Search
    from app.services.search.store import IndexHome
    url, base, database, login = sys.argv[1:5]
    engine = build_engine(make_url(url))
    home = IndexHome.for_login("test", database, login, base=Path(base))
    search = Search(Runtime(engine, build_session_factory(engine)), home)
    search.ensure_built()
    print("ready", flush=True)
    while True:
        if search.sync_once(batch=3):
            print("committed", flush=True)
    """
)


def test_kill_9_in_the_middle_of_a_batch_loses_nothing(desk: Desk, opened: Opened) -> None:
    """A writer process applies the log three entries per commit and is killed mid-stream; the next
    process takes the lock (the OS freed it), resumes from the committed marker and ends exact."""
    url = desk.url.set(drivername="postgresql", username=desk.login("alice"), password=None)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            url.render_as_string(hide_password=False),
            str(opened.base),
            desk.database,
            desk.login("alice"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        created = [new_ticket(desk, "alice", "billing", f"Killed mid-batch gnu {i}") for i in range(12)]
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.ticket SET subject = subject || ' renamed' WHERE id = ANY(%s)", (created,))
        assert child.stdout.readline().strip() == "committed"  # at least one batch in, more to come
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    search = opened.search("alice")
    assert search.try_become_writer()  # the dead writer's lock is gone
    search.sync_once()
    assert_exact(desk, "alice", search)
    renamed = search.search("gnu renamed", limit=50)
    assert {h.id for h in renamed.hits} == set(created)
    assert all(h.title.endswith("renamed") for h in renamed.hits)


def test_a_second_process_of_the_same_login_searches_read_only(desk: Desk, opened: Opened) -> None:
    writer = opened.search("alice")
    writer.rebuild()
    reader = opened.search("alice")
    assert not reader.try_become_writer()
    with pytest.raises(KnownError):
        reader.sync_once()
    ticket = new_ticket(desk, "alice", "billing", "Read only okapi")
    writer.sync_once()
    assert ticket in {h.id for h in reader.search("okapi", catch_up=True).hits}


def test_hostile_queries_answered_by_the_database_fallback_never_raise(desk: Desk, opened: Opened) -> None:
    search = opened.search("alice")  # no index yet: every answer comes from PostgreSQL
    for text in [
        '"unbalanced',
        "x" * 10_000,
        "100%_off \\ '; DROP TABLE ticket; --",
        "nosuch:field",
        ".*(a|b)[",
        "status:new queue:billing tag:x created:>2026-01-01 #1",
        "customer:jane",
        "ticket -billing_open NOT tech -100%_",
    ]:
        results = search.search(text)
        assert results.from_database or (not results.hits and results.notes)  # nothing searchable: it says so
        assert results.status_line
    left_out = {h.title for h in search.search("ticket -anns").hits}  # `-word` from the database too
    assert "billing_open ticket" in left_out and "billing_anns ticket" not in left_out


def test_the_database_answers_tag_and_date_filters_as_the_index_does(desk: Desk, opened: Opened) -> None:
    """While the index is away the database answers; it listed articles whatever `tag:` and `created:` said,
    and a date past the index's range (a typo of 2026) failed the index's query and threw the index away."""
    from app.services.knowledge import service as kb

    writer = desk.runtime("dana")
    opened.runtimes.append(writer)
    with writer.uow() as uow:
        tagged = kb.create_article(uow, title="Quokka sync stalls", body="Restart the quokka.", tags=["Sync"]).id
        kb.create_article(uow, title="Quokka invoices", body="Quokka billing.", tags=["billing"])
        uow.commit()
    queries = {
        "quokka tag:sync": {tagged},
        "quokka tag:SYNC": {tagged},
        "quokka created:>2199-01-01": set(),
        "quokka created:<2000-01-01": set(),
    }

    def answers(search: Search, source: str) -> dict[str, set[int]]:
        found = {text: search.search(text, kinds=("article",)) for text in queries}
        assert {result.source for result in found.values()} == {source}
        return {text: {hit.id for hit in result.hits} for text, result in found.items()}

    assert answers(opened.search("dana"), "database") == queries  # no index yet
    indexed = opened.search("dana")
    indexed.rebuild()
    assert answers(indexed, "index") == queries
    typo = indexed.search("quokka created:>2962-01-01", kinds=("article",))
    assert typo.source == "index" and any("outside the years" in note for note in typo.notes)
    assert not indexed.needs_build()


def test_a_status_is_found_by_the_label_the_desk_shows_as_well_as_by_its_key(desk: Desk, opened: Opened) -> None:
    """`status:"waiting on customer"` found nothing, and the note said no ticket had that status: the index
    holds keys (`waiting`), the desk shows labels (a real-world probe)."""
    ticket = desk.ids["billing_open"]
    with desk.connect_as_dba() as dba:
        before = dba.execute("SELECT status FROM switchboard.ticket WHERE id = %s", (ticket,)).fetchone()
        label = dba.execute("SELECT label FROM switchboard.ticket_status WHERE key = 'waiting'").fetchone()
        dba.execute("UPDATE switchboard.ticket SET status = 'waiting' WHERE id = %s", (ticket,))
    assert before is not None and label is not None
    try:
        search = opened.search("alice")
        search.rebuild()
        for typed in ("status:waiting", f'status:"{label[0]}"', f"status:{str(label[0]).lower().replace(' ', '_')}"):
            found = search.search(typed, kinds=("ticket",))
            assert ticket in {hit.id for hit in found.hits}, typed
            assert not any("Nothing you may see" in note for note in found.notes), typed
    finally:
        with desk.connect_as_dba() as dba:
            dba.execute("UPDATE switchboard.ticket SET status = %s WHERE id = %s", (before[0], ticket))


def test_articles_follow_their_state_as_each_login_may_read_them(desk: Desk, opened: Opened) -> None:
    """A draft is the author's (and editors') only; published reaches every agent's index at the next sync;
    archived leaves it again — through the change log entries the knowledge base writes, read under RLS."""
    from app.services.knowledge import service as kb
    from app.services.knowledge.dto import ArticleState

    alice, dana = opened.search("alice"), opened.search("dana")
    alice.rebuild()
    dana.rebuild()
    writer = desk.runtime("dana")
    opened.runtimes.append(writer)

    def by_dana(step: str, article_id: int = 0, version: int = 0) -> tuple[int, int]:
        with writer.uow() as uow:
            if step == "create":
                article = kb.create_article(uow, title="Resetting a wombat token", body="Hold the wombat button.")
            else:
                state = ArticleState.PUBLISHED if step == "publish" else ArticleState.ARCHIVED
                article = kb.set_state(uow, article_id=article_id, expected_version=version, state=state)
            uow.commit()
        return article.id, article.version

    def found(search: Search) -> set[int]:
        search.sync_once()
        return {h.id for h in search.search("wombat", kinds=("article",)).hits}

    article_id, version = by_dana("create")
    assert found(alice) == set() and found(dana) == {article_id}
    article_id, version = by_dana("publish", article_id, version)
    assert found(alice) == {article_id}
    by_dana("archive", article_id, version)
    assert found(alice) == set()
    assert_exact(desk, "alice", alice)
    assert_exact(desk, "dana", dana)


def test_a_deleted_index_folder_is_rebuilt_by_one_writer_only(desk: Desk, opened: Opened) -> None:
    running = opened.search("alice")
    running.rebuild()
    shutil.rmtree(running.home.root)  # someone cleans the cache while the client runs
    other = opened.search("alice")
    assert other.search("billing_open").from_database  # answers meanwhile
    running.follow_step()  # the running client notices, takes a fresh lock and rebuilds
    assert running.is_writer and not other.try_become_writer()
    assert running.home.root.stat().st_mode & 0o077 == 0
    assert other.search("billing_open").source == "index"
    assert_exact(desk, "alice", other)


def trim_change_log_days_later(desk: Desk, days: int) -> dict[str, object]:
    """The worker's real housekeeping job, run as the DBA's trusted session with the clock `days` ahead."""
    engine = build_engine(desk.url)
    try:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
        return trim_change_log(lambda: UnitOfWork(build_session_factory(engine), clock=lambda: later))
    finally:
        engine.dispose()


def test_an_index_built_on_an_empty_change_log_is_not_rebuilt_at_the_first_change(desk: Desk, opened: Opened) -> None:
    """A new desk, or tickets loaded without the triggers: nothing in the log when the index is built. The
    first change is then the oldest entry the log keeps, above the index's position; only a trim that
    housekeeping recorded may make a follower rebuild (the kept-entry rule of 0023 rebuilt here)."""
    with desk.connect_as_dba() as dba:
        dba.execute("SET session_replication_role = replica")  # the log refuses deletes through a trigger
        dba.execute("DELETE FROM switchboard.change_log")
    search = opened.search("alice")
    search.rebuild()
    generation = search.home.current()
    created = new_ticket(desk, "alice", "billing", "First change wombat")
    assert trim_change_log_days_later(desk, 0)["deleted"] == 0  # housekeeping ran: nothing old, nothing recorded
    assert search.sync_once() >= 1 and not search.needs_build()
    assert search.home.current() == generation
    assert {h.id for h in search.search("wombat").hits} == {created}


def test_a_client_offline_longer_than_the_change_log_keeps_rebuilds_and_one_in_step_does_not(
    desk: Desk, opened: Opened
) -> None:
    offline = opened.search("alice")
    offline.rebuild()
    old_generation = offline.home.current()
    offline.close()  # the workstation is switched off
    in_step = opened.search("bob")  # Tech: alice's Billing changes are not his to see
    in_step.rebuild()
    in_step.covered_every_s = 0  # record how far it read at every sync (a minute in the client)
    created = new_ticket(desk, "alice", "billing", "Missed capybara while away")
    with desk.connect_as_dba() as dba:  # an edit of a ticket the old index holds
        dba.execute(
            "UPDATE switchboard.ticket SET subject = 'Renamed capybara' WHERE id = %s", (desk.ids["billing_anns"],)
        )
    in_step.sync_once()
    tech_generation = in_step.home.current()

    trimmed = trim_change_log_days_later(desk, 31)
    assert trimmed["deleted"]  # the entries of both changes are gone from the log
    with desk.connect("alice") as alice:
        assert alice.execute("SELECT count(*) FROM change_log WHERE ticket_id = %s", (created,)).fetchone() == (0,)

    back = opened.search("alice")  # switched on again: it notices before answering from the old index
    answered = back.search("capybara")
    assert answered.from_database and {created, desk.ids["billing_anns"]} <= {h.id for h in answered.hits}
    assert back.needs_build()
    back.follow_step()  # the follower rebuilds into a new generation and swaps it in
    assert back.home.current() not in (None, old_generation)
    assert {h.id for h in back.search("capybara").hits} == {created, desk.ids["billing_anns"]}
    assert back.search("capybara").source == "index"
    assert_exact(desk, "alice", back)
    assert back.sync_once() == 0 and not back.needs_build()  # rebuilt once, not again and again

    assert in_step.sync_once() == 0 and not in_step.needs_build()  # in step when trimmed: kept as it is
    assert in_step.home.current() == tech_generation
    assert_exact(desk, "bob", in_step)


@pytest.mark.parametrize("person", ["alice", "bob", "carol", "sam", "dana"])
def test_every_active_login_learns_of_article_edits_through_the_change_log(
    desk: Desk, opened: Opened, person: str
) -> None:
    """Published and internal articles are every active staff login's to read; their change-log entries
    carry ids only, so each index learns of an edit at the next sync and reads the text under RLS."""
    from app.services.knowledge import service as kb
    from app.services.knowledge.dto import Visibility

    writer = desk.runtime("dana")
    opened.runtimes.append(writer)
    with writer.uow() as uow:
        article = kb.create_article(uow, title=f"Pangolin guide {person}", body="Feed the pangolin.")
        article = kb.publish(uow, article_id=article.id)
        uow.commit()
    search = opened.search(person)
    search.rebuild()
    with writer.uow() as uow:
        kb.edit_article(
            uow,
            article_id=article.id,
            expected_version=article.version,
            title=f"Quokka guide {person}",
            body="Feed the quokka.",
            visibility=Visibility.INTERNAL,
        )
        uow.commit()
    with desk.connect(person) as connection:
        rows = connection.execute(
            "SELECT entity, entity_id, ticket_id FROM change_log WHERE entity = 'knowledge_article' AND entity_id = %s",
            (article.id,),
        ).fetchall()
        assert rows and all(r == ("knowledge_article", article.id, None) for r in rows)
        assert connection.execute("SELECT change_log_trimmed_through()").fetchone() is not None
    search.sync_once()
    assert {h.id for h in search.search(f"quokka {person}", kinds=("article",)).hits} == {article.id}
    # (one word: "pangolin dana" now finds the article by "dana" alone, as holding some of the words)
    assert article.id not in {h.id for h in search.search("pangolin", kinds=("article",)).hits}
    assert_exact(desk, person, search)


def test_the_change_log_holds_ids_only_and_no_inactive_or_outside_login_reads_it(desk: Desk) -> None:
    with desk.connect_as_dba() as dba:
        columns = {
            r[0]
            for r in dba.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'switchboard' AND table_name = 'change_log'"
            )
        }
    assert columns == {"seq", "txid", "entity", "entity_id", "ticket_id", "operation", "changed_at"}
    with desk.connect("dana") as dana:
        dana.execute(
            "SELECT add_user(%s, 'Hal', 'hal@desk.test', 'agent', NULL, %s)",
            (desk.login("hal"), [desk.ids["billing"]]),
        )
        dana.execute("SELECT disable_user(%s)", (desk.login("hal"),))
    with desk.connect_as_dba() as dba:  # disabled users cannot log in nor connect; if one could, it reads nothing
        dba.execute(f'ALTER ROLE "{desk.login("hal")}" LOGIN')
        dba.execute(f'GRANT CONNECT ON DATABASE "{desk.database}" TO "{desk.login("hal")}"')
    refused = (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable, psycopg.errors.UndefinedFunction)
    for person in ("hal", "outsider"):  # disabled (out of every group now); in no group at all
        with desk.connect(person) as connection:
            for statement in ("SELECT count(*) FROM change_log", "SELECT change_log_trimmed_through()"):
                with pytest.raises(refused):
                    connection.execute(statement)
    with desk.connect("ghost") as ghost:  # in the agent group without an agent row: RLS shows nothing
        assert ghost.execute("SELECT count(*) FROM change_log").fetchone() == (0,)
        assert ghost.execute("SELECT change_log_trimmed_through()").fetchone() == (None,)


def test_phrases_match_exact_words_and_queues_show_their_names_from_the_database_and_the_index(
    desk: Desk, opened: Opened
) -> None:
    singular = new_ticket(desk, "alice", "billing", "Otter question", body="The late refund of my otter.")
    plural = new_ticket(desk, "alice", "billing", "Otter questions", body="Two late refunds of my otters.")
    search = opened.search("alice")

    def found(text: str, source: str) -> set[int]:
        results = search.search(text, kinds=("ticket",))
        assert results.source == source
        assert all(h.queue == "Billing" for h in results.hits)  # as the queue is named, not lower-cased
        return {h.id for h in results.hits}

    for source in ("database", "index"):  # while the index is built, then from it
        assert found('"late refund" otter', source) == {singular}
        assert found('"late refunds" otter', source) == {plural}
        assert found('"refund" otter', source) == {singular}
        search.rebuild()


def test_a_sentence_no_ticket_holds_whole_finds_those_holding_most_of_its_words(desk: Desk, opened: Opened) -> None:
    """ "customer wants refund for trial" found nothing, where "refund trial" found it: every word had to
    match. With nothing holding every word, those holding some come, the most first, and it is said."""
    trial = new_ticket(desk, "alice", "billing", "Refund for the trial", body="Please refund my trial month.")
    other = new_ticket(desk, "alice", "billing", "Refund twice", body="Refund the second charge.")
    search = opened.search("alice")
    search.rebuild()
    results = search.search("customer wants refund for trial", kinds=("ticket",))
    assert results.source == "index"
    assert [h.id for h in results.hits][:2] == [trial, other]  # two of the words before one
    assert SOME_WORDS in results.notes
    every = search.search("refund trial", kinds=("ticket",))
    assert [h.id for h in every.hits] == [trial] and SOME_WORDS not in every.notes


@pytest.mark.parametrize("wipe", [False, True])
def test_sign_out_wipes_the_local_index_only_when_the_site_says_so(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wipe: bool
) -> None:
    from app.desktop import client_for

    site = tmp_path / "site"
    (site / "switchboard").mkdir(parents=True)
    (site / "switchboard" / "settings.toml").write_text(f"[search]\nwipe_on_sign_out = {str(wipe).lower()}\n")
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(site))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user"))
    runtime = desk.runtime("alice")
    client = client_for(runtime, search_base=tmp_path / "search")
    search = runtime.search(tmp_path / "search")  # the one the client opens on first use (one per runtime)
    assert client.search is not None and client.search.home.root == search.home.root  # type: ignore[attr-defined]
    search.rebuild()
    home = search.home.root
    assert home.is_dir() and search.home.current() is not None
    client.close()  # signing out
    assert home.exists() is not wipe


def test_sign_out_wipes_an_earlier_sessions_index_this_session_never_opened(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client opens the index only after its first page: a window closed before that still leaves no
    index behind when the site says to wipe it."""
    from app.desktop import client_for

    site = tmp_path / "site"
    (site / "switchboard").mkdir(parents=True)
    (site / "switchboard" / "settings.toml").write_text("[search]\nwipe_on_sign_out = true\n")
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(site))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user"))
    earlier = desk.runtime("alice")
    search = earlier.search(tmp_path / "search")
    search.rebuild()
    home = search.home.root
    earlier.close()
    assert home.is_dir()
    client_for(desk.runtime("alice"), search_base=tmp_path / "search").close()  # signed in, out at once
    assert not home.exists()
