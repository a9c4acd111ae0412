"""`Search`: what the CLI and the desktop call. It keeps one login's index on this workstation in step with
the database and answers queries from it, or from PostgreSQL while the index is (re)built.

Consistency, in short (docs/design.md has the long form):
- the index is fed only through the login's own connection, so RLS decides what is in it;
- incremental sync reads the change log in (txid, seq) order below the horizon (`platform.changes`) and
  commits the documents and the applied position (the marker document) in one Tantivy commit, so after a
  crash (kill -9 included) it resumes from the last commit and re-applies, idempotently;
- the change log hides the entries of a ticket the login can no longer see (moved to another queue), so a
  periodic reconcile compares the ids in the index with the ids the login may see now;
- anything that makes the index unusable (missing, another schema version, a corrupt or deleted segment,
  another role or other queues for this login) leads to a full rebuild into a new directory, swapped in
  atomically; meanwhile search answers from PostgreSQL and says how far the build is;
- one process writes (a lock file); any other process of the same login searches read-only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from app.services.errors import KnownError
from app.services.platform import changes
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.database.failures import NO_SPACE
from app.services.platform.uow import UnitOfWorkSource
from app.services.search import fallback, feed
from app.services.search.dto import BuildProgress, IndexStatus, SearchHit, SearchResults
from app.services.search.engine import IndexUnusable, Marker, RawHit, TantivyIndex, UnsearchableQuery
from app.services.search.query import KINDS, ParsedQuery, parse
from app.services.search.statuses import StatusNames
from app.services.search.store import IndexHome, WriterLock

log = logging.getLogger(__name__)

SYNC_INTERVAL_S = 1.0  # an index commit about once a second while changes arrive
RECONCILE_INTERVAL_S = 600.0
COVERED_EVERY_S = 60.0  # a quiet index records how far it has read the log (no documents changed) this often
SEARCH_LIMIT = 20
# Said when nothing held every word and the hits hold some: "customer wants refund for trial" found nothing,
# where "refund trial" found the article (usability probe, 2026-12-07).
SOME_WORDS = "Nothing holds every word; these hold some of them, the most first."


class SearchUnavailable(KnownError):
    """The index cannot be built or written here (another process holds it, the disk refused)."""


def _hit(raw: RawHit) -> SearchHit:
    return SearchHit(
        kind=raw.kind,
        id=raw.id,
        number=raw.number if raw.kind == "ticket" else None,
        title=raw.title,
        snippet=raw.snippet,
        highlights=raw.highlights,
        status=raw.status,
        queue=raw.queue,
        customer=raw.customer,
        updated=raw.updated,
        score=raw.score,
    )


class Search(SpeaksDomainErrors):
    """One login's index on this workstation.

    Attributes:
        home: where the index lives (`store.IndexHome`).
    """

    def __init__(self, runtime: UnitOfWorkSource, home: IndexHome) -> None:
        self._runtime = runtime
        self.home = home
        self._statuses = StatusNames(runtime)
        self._writer_lock = WriterLock(home)
        self._guard = threading.RLock()  # one writer operation at a time within this process
        self._index: TantivyIndex | None = None
        self._building: BuildProgress | None = None
        self._needs_rebuild = False
        self._stale: Path | None = None  # a generation that missed entries the change log no longer keeps
        self._last_reconcile = time.monotonic()
        self._covered_at = time.monotonic()
        self.covered_every_s = COVERED_EVERY_S

    # -- reading ---------------------------------------------------------------------------------------
    def _open_current(self) -> TantivyIndex | None:
        """The index CURRENT names, checked (version, segments, scope); None when it must be rebuilt."""
        path = self.home.current()
        if path is None:
            return None
        if path == self._stale:
            self._needs_rebuild = True
            return None
        if self._index is not None and self._index.path == path:
            try:
                self._index.reload()
                return self._index
            except IndexUnusable:
                self._index = None
                return None
        try:
            index = TantivyIndex(path)
            marker = index.marker()
        except (IndexUnusable, ValueError, OSError) as error:
            log.warning("search index unusable (%s): it will be rebuilt", error)
            self._needs_rebuild = True
            return None
        with self._runtime.uow() as uow:
            scope = feed.scope(uow)
            trimmed = changes.trimmed_through(uow)
        if marker is None or marker.scope != scope:
            log.info("search index of another scope or without marker: it will be rebuilt")
            self._needs_rebuild = True
            return None
        if changes.missed_by(trimmed, marker.position, marker.covered):
            self._mark_stale(path)
            return None
        self._index = index
        return index

    def _mark_stale(self, path: Path) -> None:
        """The index was behind when housekeeping trimmed the change log (a workstation off longer than the
        log keeps): what it missed is gone from the log, so it is rebuilt, never patched."""
        log.warning("search index %s is older than what the change log keeps: it will be rebuilt", path)
        self._stale = path
        self._needs_rebuild = True
        if self._index is not None and self._index.path == path:
            self._index = None

    def _progress(self) -> BuildProgress | None:
        if self._building is not None:
            return self._building
        found = self.home.read_progress()
        return BuildProgress(*found) if found else None

    def search(
        self,
        text: str,
        *,
        kinds: Sequence[str] = KINDS,
        limit: int = SEARCH_LIMIT,
        typing: bool = False,
        catch_up: bool = False,
        count: bool = False,
    ) -> SearchResults:
        """Never raises for what a person typed: what it did not understand is in `notes`. Hits come grouped
        by kind (tickets, articles, customers), each group ranked, at most `limit` of each. `catch_up`: apply
        the changes since the last sync first, when this process may write (the CLI's one-off search).
        `count`: `total` is how many documents match in all (the CLI's JSON says so); without it `total` is
        None, as the desktop shows only the rows (counting visits every match the top rows need not)."""
        parsed = self._statuses.keyed(parse(text, typing=typing))
        kinds = tuple(k for k in kinds if k in KINDS) or KINDS
        if parsed.is_empty:
            return SearchResults(text, (), 0, "index", (*parsed.notes, "Type words to search."))
        index = None if self._building is not None else self._open_current()
        behind: tuple[str, ...] = ()
        if index is not None and catch_up and self._writer_lock.try_acquire():
            try:
                self.sync_once()
                index = self._index
            except (IndexUnusable, OSError) as error:  # a full disk, say: the index would answer out of date
                log.warning("search index could not catch up (%s): answering from the database", error)
                index = None
                behind = (
                    f"The search index could not be brought up to date ({_reason(error, self.home.root)}); "
                    "these answers come from the database.",
                )
        if index is not None:
            try:
                now = dt.datetime.now(dt.UTC)
                hits, total = self._indexed(index, parsed, kinds, limit, now, count, every_word=True)
                some: tuple[str, ...] = ()
                if not hits and len(parsed.words) + len(parsed.exact) + bool(parsed.prefix) > 1:
                    hits, total = self._indexed(index, parsed, kinds, limit, now, count, every_word=False)
                    some = (SOME_WORDS,) if hits else ()
                notes = (*parsed.notes, *some, *_unknown(index, parsed, hits))
                return SearchResults(text, tuple(hits), total, "index", notes)
            except UnsearchableQuery as error:  # the query, not the index: nothing to rebuild
                log.warning("search index refused a query (%s): answering from the database", error)
            except (ValueError, OSError) as error:
                log.warning("search index failed (%s): answering from the database, rebuilding", error)
                self._index = None
                self._needs_rebuild = True
        return self._from_database(text, parsed, kinds, limit, behind)

    @staticmethod
    def _indexed(
        index: TantivyIndex,
        parsed: ParsedQuery,
        kinds: Sequence[str],
        limit: int,
        now: dt.datetime,
        count: bool,
        *,
        every_word: bool,
    ) -> tuple[list[SearchHit], int | None]:
        """Grouped: each kind ranked on its own, so tickets never crowd out articles."""
        hits: list[SearchHit] = []
        total: int | None = 0 if count else None
        for kind in kinds:
            raw, found = index.search(parsed, kinds=(kind,), limit=limit, now=now, count=count, every_word=every_word)
            hits += map(_hit, raw)
            if total is not None and found is not None:
                total += found
        return hits, total

    def _from_database(
        self, text: str, parsed: ParsedQuery, kinds: Sequence[str], limit: int, notes: tuple[str, ...] = ()
    ) -> SearchResults:
        with self._runtime.uow() as uow:
            hits = fallback.search(uow, parsed, kinds=kinds, limit=limit)
        return SearchResults(text, tuple(hits), len(hits), "database", (*parsed.notes, *notes), self._progress())

    def similar(self, *, ticket_id: int, limit: int = 5) -> tuple[tuple[SearchHit, ...], tuple[SearchHit, ...]]:
        """Suggested articles and similar past tickets for a ticket: a more-like-this query over its subject
        and last customer message (as the index holds them). Empty while the index is built."""
        index = None if self._building is not None else self._open_current()
        if index is None:
            return (), ()
        subject = index.stored("ticket", ticket_id, "title") or ""
        text = f"{subject} {index.stored('ticket', ticket_id, 'last_customer') or ''}"
        now = dt.datetime.now(dt.UTC)
        articles = index.more_like_this(
            text, kinds=("article",), exclude=None, limit=limit, now=now, statuses=("published",)
        )
        tickets = index.more_like_this(text, kinds=("ticket",), exclude=("ticket", ticket_id), limit=limit, now=now)
        return tuple(map(_hit, articles)), tuple(map(_hit, tickets))

    def article_text(self, article_id: int) -> str | None:
        """An article's text as the index holds it (what the login may read), for inserting into a reply."""
        index = None if self._building is not None else self._open_current()
        return index.stored("article", article_id, "body") if index is not None else None

    def status(self) -> IndexStatus:
        index = None if self._building is not None else self._open_current()
        if index is None:
            progress = self._progress()
            state = "building" if progress is not None else "missing"
            return IndexStatus(state, str(self.home.root), None, {}, 0, self._writer_lock.held, progress)
        marker = index.marker()
        return IndexStatus(
            "ready",
            str(index.path),
            marker.position if marker else None,
            {kind: index.count(kind) for kind in KINDS},
            index.size_bytes(),
            self._writer_lock.held,
        )

    # -- writing ---------------------------------------------------------------------------------------
    @property
    def is_writer(self) -> bool:
        return self._writer_lock.held

    def try_become_writer(self) -> bool:
        return self._writer_lock.try_acquire()

    def needs_build(self) -> bool:
        return self._needs_rebuild or self._open_current() is None

    def ensure_built(self, progress: Callable[[BuildProgress], None] | None = None) -> bool:
        """Build the index if there is none usable; True when it is ready. Needs the writer lock."""
        if not self.needs_build():
            return True
        if not self._writer_lock.try_acquire():
            return False
        self.rebuild(progress)
        return True

    def rebuild(self, progress: Callable[[BuildProgress], None] | None = None) -> IndexStatus:
        """A full rebuild into a new generation, swapped in atomically when complete."""
        self._require_writer()
        with self._guard:
            started = time.monotonic()
            self._building = BuildProgress(0, 0)
            try:
                with self._runtime.uow() as uow:
                    covered = changes.horizon(uow)  # before the head and the pages: see `changes`
                    head = changes.head(uow)
                    scope = feed.scope(uow)
                    total = sum(feed.count(uow, kind) for kind in KINDS)
                self._report(BuildProgress(0, total), progress)
                generation = self.home.new_generation()
                try:
                    index = TantivyIndex(generation, create=True, bulk=True)
                    done = 0
                    for page in self._pages_read_ahead():
                        done += index.add_new(page)
                        self._report(BuildProgress(done, total), progress)
                    index.commit(Marker(head[0], head[1], scope, covered=covered))
                    index.close_writer()
                except (ValueError, OSError) as error:  # tantivy says a full disk as a ValueError
                    shutil.rmtree(generation, ignore_errors=True)  # a failed build's files are no one's
                    reason = _reason(error, self.home.root)
                    raise SearchUnavailable(
                        f"The search index could not be built ({reason}); searches answer from the database meanwhile."
                    ) from error
                self.home.swap_to(generation)
                self._index = TantivyIndex(generation)
                self._needs_rebuild = False
                self._stale = None
                self._last_reconcile = self._covered_at = time.monotonic()
                log.info("search index rebuilt: %d documents in %.1f s", done, time.monotonic() - started)
            finally:
                self._building = None
                self.home.clear_progress()
        return self.status()

    def _pages_read_ahead(self) -> Iterator[list[feed.SourceDocument]]:
        """Every document the login may read, a page at a time, read by a thread of its own a few pages
        ahead: the database's time and the indexing overlap (psycopg waits without the GIL)."""
        pages: queue.Queue[list[feed.SourceDocument] | BaseException | None] = queue.Queue(maxsize=4)
        stop = threading.Event()

        def put(item: list[feed.SourceDocument] | BaseException | None) -> bool:
            while not stop.is_set():
                try:
                    pages.put(item, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        def read() -> None:
            try:
                with self._runtime.uow() as reader:
                    for kind in KINDS:
                        for page in feed.pages(reader, kind):
                            if not put(page):
                                return
            except BaseException as error:  # handed to the indexing side, which raises it
                put(error)
                return
            put(None)

        thread = threading.Thread(target=read, name="search-rebuild-reader", daemon=True)
        thread.start()
        try:
            while (item := pages.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join()

    def _report(self, value: BuildProgress, progress: Callable[[BuildProgress], None] | None) -> None:
        self._building = value
        if value.done == 0 or value.done == value.total or value.done % 5000 < 2000:
            self.home.write_progress(value.done, value.total)
        if progress is not None:
            progress(value)

    def _require_writer(self) -> None:
        if not self._writer_lock.try_acquire():
            raise SearchUnavailable("Another Switchboard process of this login is writing the search index.")

    @contextlib.contextmanager
    def _writable_index(self) -> Iterator[tuple[TantivyIndex, Marker]]:
        """The writer lock, this process's write guard, and the current index with its marker, for one
        write operation; IndexUnusable when there is none to write (it must be rebuilt)."""
        self._require_writer()
        with self._guard:
            index = self._open_current()
            if index is None:
                raise IndexUnusable("no usable index")
            marker = index.marker()
            if marker is None:
                raise IndexUnusable("the index has no marker")
            yield index, marker

    def sync_once(self, *, batch: int = changes.BATCH) -> int:
        """Apply the change log since the marker, a batch per commit; the number of entries applied.
        Needs the writer lock and a usable index (else IndexUnusable / SearchUnavailable)."""
        with self._writable_index() as (index, marker):
            applied = 0
            with self._runtime.uow() as uow:
                horizon = changes.horizon(uow)  # before the reads: once they are done, covered up to here
                if changes.missed_by(changes.trimmed_through(uow), marker.position, marker.covered):
                    self._mark_stale(index.path)
                    raise IndexUnusable("the change log no longer keeps entries this index has not applied")
                while True:
                    entries = changes.changes_since(uow, marker.position, batch)
                    done = len(entries) < batch
                    before, covered = marker, max(marker.covered, horizon) if done else marker.covered
                    if entries:
                        position = entries[-1].position
                        self._apply(uow, index, entries)
                        marker = replace(marker, txid=position[0], seq=position[1], covered=covered)
                    elif time.monotonic() - self._covered_at >= self.covered_every_s:
                        marker = replace(marker, covered=covered)  # nothing of ours changed: how far we read
                    if marker != before:
                        self._commit(index, marker)
                        if marker.covered > before.covered:
                            self._covered_at = time.monotonic()
                    applied += len(entries)
                    if done:
                        return applied

    def _commit(self, index: TantivyIndex, marker: Marker) -> None:
        try:
            index.commit(marker)
        except ValueError as error:
            self._needs_rebuild = True
            raise IndexUnusable(str(error)) from error

    def _apply(self, uow: object, index: TantivyIndex, entries: Sequence[changes.Change]) -> None:
        tickets: set[int] = set()
        customers: set[int] = set()
        articles: set[int] = set()
        for entry in entries:
            if entry.entity in ("ticket", "message") and entry.ticket_id is not None:
                tickets.add(entry.ticket_id)
            elif entry.entity == "customer":
                customers.add(entry.entity_id)
            elif entry.entity == "knowledge_article":
                articles.add(entry.entity_id)
        tickets.update(feed.tickets_of_customers(uow, sorted(customers)))  # type: ignore[arg-type]
        for kind, ids in (("ticket", tickets), ("customer", customers), ("article", articles)):
            if not ids:
                continue
            found = feed.documents(uow, kind, sorted(ids))  # type: ignore[arg-type]
            index.upsert(found)
            index.delete(kind, ids - {d.id for d in found})  # gone, or no longer the login's to see

    def reconcile(self) -> tuple[int, int]:
        """Make the ids in the index exactly the ids the login may see now; (removed, added)."""
        with self._writable_index() as (index, marker):
            removed = added = 0
            with self._runtime.uow() as uow:
                for kind in KINDS:
                    visible = feed.visible_ids(uow, kind)
                    present = index.ids(kind)
                    removed += index.delete(kind, present - visible)
                    added += index.upsert(feed.documents(uow, kind, sorted(visible - present)))
            if removed or added:
                index.commit(marker)
            self._last_reconcile = time.monotonic()
            return removed, added

    def follow_step(self) -> int:
        """One step of the follower (the desktop's background thread, `switchboard index follow`): become
        the writer if nobody is, build if needed, apply the change log, reconcile now and then."""
        if not self._writer_lock.try_acquire():
            return 0
        try:
            if self.needs_build():
                self.rebuild()
            applied = self.sync_once()
            if time.monotonic() - self._last_reconcile > RECONCILE_INTERVAL_S:
                self.reconcile()
            return applied
        except IndexUnusable as error:
            log.warning("search index unusable (%s): rebuilding", error)
            self._needs_rebuild = True
            return 0

    def follow(self, stop: threading.Event, *, interval: float = SYNC_INTERVAL_S) -> None:
        while not stop.is_set():
            try:
                self.follow_step()
            except KnownError as error:  # the server is away, the disk is full: try again next time
                log.warning("search sync: %s", error)
            except Exception:  # a bug of ours must not end the client's sync for good: log it, go on
                log.exception("search sync failed")
                stop.wait(10 * interval)
            stop.wait(interval)

    def wipe(self) -> None:
        """Sign-out on a workstation whose site says so (`settings.wipe_on_sign_out`): let go of the index
        and delete this login's whole folder — every generation, the lock and the progress file. Another
        running process of the same login answers from the database and rebuilds."""
        self.close()
        shutil.rmtree(self.home.root, ignore_errors=True)

    def close(self) -> None:
        with self._guard:
            if self._index is not None:
                self._index.close_writer()
            self._index = None
            self._writer_lock.release()


FILTER_WORDS = {"status": "a status", "queue": "a queue", "tag": "a tag"}


def _unknown(index: TantivyIndex, parsed: ParsedQuery, hits: Sequence[SearchHit]) -> tuple[str, ...]:
    """When nothing was found, the filter values nothing has (a misspelt `status:waitng` found nothing and
    said nothing, as if no ticket waited)."""
    if hits:
        return ()
    return tuple(
        f"Nothing you may see has {FILTER_WORDS[name]} “{value}”."
        for name in FILTER_WORDS
        for value in parsed.filters.get(name, ())
        if not index.holds(name, value)
    )


def _reason(error: Exception, where: Path) -> str:
    """Why the index could not be written, in words: a full disk says so, anything else its own text.
    tantivy often reports a full disk as "an index writer was killed" (the worker thread that hit it died
    first), so the disk holding the index is asked too."""
    words = str(error)
    if NO_SPACE in words.lower() or getattr(error, "errno", None) == errno.ENOSPC or _full(where):
        return "the disk holding it is full"
    return words or type(error).__name__


def _full(where: Path) -> bool:
    try:
        return shutil.disk_usage(where).free < FULL_BELOW_BYTES
    except OSError:
        return False


FULL_BELOW_BYTES = 1024 * 1024  # less than this free, a segment cannot be written
