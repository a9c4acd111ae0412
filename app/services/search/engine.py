"""The Tantivy index on disk: its schema, documents, the marker document that carries the applied change-log
position inside each commit, queries built from a `ParsedQuery`, and snippets for the rows shown.

The only module that imports `tantivy` (with `service`'s type hints through this one).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import tantivy

from app.services.search.feed import SourceDocument
from app.services.search.query import KINDS, ParsedQuery, composed, words_of

SCHEMA_VERSION = 9  # bump on any schema change: an index of another version is rebuilt, never opened
# 9: an article's status holds its state and audience ("published internal"; `feed.article_status`): the
# knowledge panel suggested an archived article, and nothing said an article was for agents only.
MARKER_KEY = "marker"
WRITER_HEAP = 96_000_000
BULK_WRITER_HEAP = 256_000_000
# Every word is searched in one field per kind (`text_field`), which holds the title, the customer and the
# text: a word is then one term, and a query of words an intersection of terms, which Tantivy skips through
# by blocks and scores only where a hit can still make the best few (at 1M tickets 3 to 4x faster than a
# disjunction of three fields per word with a kind filter, the shape before). The title counts more by
# being written into that field more than once (a term's frequency; a clause scoring the title on its own
# cost a third of a query's time at 1M, as every document the words find is scored twice).
TITLE_COPIES = 2
FUZZY_WEIGHT = 0.4  # a word found only by typo tolerance ranks below the exact word
PREFIX_WEIGHT = 0.6
PREFIX_TERMS = 64  # a prefix as typed searches the commonest words it begins, at most this many per field
# Recent activity lifts a hit: the best RERANK_DEPTH x limit by relevance are re-ranked with these factors
# (a range clause in the query itself cost 5 ms a query on 100k documents: it reads the whole column).
RECENT = ((dt.timedelta(days=7), 1.3), (dt.timedelta(days=60), 1.15))
RERANK_DEPTH = 3
SNIPPET_CHARS = 160


class IndexUnusable(Exception):
    """The index on disk cannot be used (missing, another schema version, a corrupt or deleted segment): it
    is rebuilt."""


class UnsearchableQuery(Exception):
    """The index refused to build a query from what was parsed (a bug of ours, or a value beyond its range):
    the index itself is sound, so nothing is rebuilt; the database answers this once."""


FOLDED = "folded"  # the tokenizer of every text field a person's words are looked for in
CUSTOMER_WORDS = "customer_words"  # the customer's words for `customer:` (the field `customer` is as written)
# Tantivy's default tokenizer, and accents folded: "muller" finds Müller, "strasse" Straße, "ecole" École.
# Tokenizers are not stored in the index: every opened index registers it (`_registered`), and the query's words
# go through the same analyzer (`fold`). Tantivy measures a word's length in UTF-8 bytes: at 40, a Russian or
# Greek word of 21 letters was dropped, and so was any Chinese or Japanese text (written without spaces) of 14
# characters before the next punctuation mark.
MAX_WORD_BYTES = 120
_ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(MAX_WORD_BYTES))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.ascii_fold())
    .build()
)


@functools.lru_cache(maxsize=8192)
def fold(word: str) -> str:
    """A word as the index holds it: lower case, accents folded (a word the analyzer would cut or drop
    stays as it is, and then matches nothing, as before; a word of Chinese or Japanese characters is
    several: `tokens`)."""
    tokens = _tokens(word)
    return tokens[0] if len(tokens) == 1 else word.lower()


def _tokens(word: str) -> list[str]:
    """A typed word as the index's words: one, none (punctuation), or several (`_prepared`)."""
    return [str(token) for token in _ANALYZER.analyze(_prepared(word))]


# Chinese and Japanese are written without spaces: each of these characters is a word of its own, and a word
# typed of several is searched as their phrase ("返金" finds 返金 in any sentence, as CJK search engines do
# with single characters). Hangul is left out: Korean separates its words by spaces.
_CJK = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
)
_CJK_CHARACTER = re.compile(f"[{_CJK}]")
CUT = "\u200b"  # a zero-width space: the tokenizer cuts there; only fields nobody reads hold it


def _prepared(text: str) -> str:
    """Text as the analyzer should see it, in the index and in a query alike (plain ASCII passes as it is):
    - composed (NFC): mail from some systems writes é as e and a combining accent, which the tokenizer cut
      into "e" and "cole", so "école" never found it;
    - the Turkish capital İ as I: lower-cased it is i and a combining dot, which the folding keeps and the
      tokenizer cuts between (İşçi would be found neither as typed nor as isci); a word lower-cased by
      Python carries the dot: it goes too;
    - a cut (`CUT`) around every Chinese or Japanese character (`_CJK`)."""
    if text.isascii():
        return text
    text = composed(text).replace("İ", "I").replace("i\u0307", "i")
    return _CJK_CHARACTER.sub(f"{CUT}\\g<0>{CUT}", text)


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("doc_key", stored=True, tokenizer_name="raw")
    b.add_text_field("kind", stored=True, tokenizer_name="raw")
    b.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    b.add_unsigned_field("number", stored=True, indexed=True, fast=True)
    # Words are searched in the kind's text field (`text_field`). The title and the customer are stored for
    # display and indexed only as which documents hold a word (customer: filters by the customer's words);
    # the text is only stored (UTF-8), for snippets, which weigh words by the kind's text field (`_snippet`):
    # tokenizing it a second time cost a rebuild a third of its CPU time.
    b.add_text_field("title", stored=True, tokenizer_name=FOLDED, index_option="basic")
    b.add_bytes_field("body", stored=True)
    b.add_text_field("customer", stored=True, tokenizer_name="raw", index_option="basic")  # as written, shown
    b.add_text_field(CUSTOMER_WORDS, stored=False, tokenizer_name=FOLDED, index_option="basic")  # `customer:`
    for kind in KINDS:
        b.add_text_field(text_field(kind), stored=False, tokenizer_name=FOLDED)
    b.add_text_field("status", stored=True, tokenizer_name="raw")
    b.add_text_field("queue", stored=True, tokenizer_name="raw")  # lower-cased, for the queue: filter
    b.add_text_field("queue_name", stored=True, tokenizer_name="raw")  # as the queue is named, for display
    b.add_text_field("tag", stored=True, tokenizer_name="raw")
    b.add_date_field("created", stored=True, indexed=True, fast=True)
    b.add_date_field("updated", stored=True, indexed=True, fast=True)
    b.add_integer_field("updated_s", fast=True)  # the same in seconds, for re-ranking (dates have no fast reads)
    b.add_text_field("marker", stored=True, tokenizer_name="raw")
    b.add_text_field("last_customer", stored=True, index_option="basic")  # for more-like-this
    return b.build()


def text_field(kind: str) -> str:
    """The field a kind's words are searched in: its own, so a search of one kind needs no kind filter and
    each kind's word statistics are its own."""
    return f"text_{kind}"


SCHEMA = build_schema()


@dataclass(frozen=True)
class Marker:
    """What an index holds, committed inside it with each batch: how far the change log was applied, and
    for which login scope and schema version."""

    txid: int
    seq: int
    scope: str
    schema_version: int = SCHEMA_VERSION
    covered: int = 0  # a change-log horizon read up to: every entry of a lower transaction id is applied

    @property
    def position(self) -> tuple[int, int]:
        return (self.txid, self.seq)


@dataclass(frozen=True)
class RawHit:
    kind: str
    id: int
    number: int
    title: str
    status: str
    queue: str
    customer: str
    updated: dt.datetime | None
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]


def _raw_hit(doc: tantivy.Document, score: object, snippet: str, highlights: tuple[tuple[int, int], ...]) -> RawHit:
    """A hit as the stored fields of its document hold it; the snippet is the caller's (the best fragment
    of a search, the start of the text for more-like-this)."""
    return RawHit(
        kind=str(doc.get_first("kind")),
        id=int(doc.get_first("id") or 0),
        number=int(doc.get_first("number") or 0),
        title=str(doc.get_first("title") or ""),
        status=" ".join(str(value) for value in doc.get_all("status")),
        queue=str(doc.get_first("queue_name") or doc.get_first("queue") or ""),
        customer=str(doc.get_first("customer") or ""),
        updated=doc.get_first("updated"),
        score=float(score) if isinstance(score, (int, float)) else 0.0,
        snippet=snippet,
        highlights=highlights,
    )


def doc_key(kind: str, id_: int) -> str:
    return f"{kind}:{id_}"


def _utc(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _document(source: SourceDocument) -> tantivy.Document:
    data: dict[str, Any] = {
        "doc_key": doc_key(source.kind, source.id),
        "kind": source.kind,
        "id": source.id,
        "number": source.number,
        "title": source.title,
        "body": source.body.encode(),
        "customer": source.customer,
        CUSTOMER_WORDS: _prepared(source.customer),
        text_field(source.kind): [
            *[_prepared(source.title)] * TITLE_COPIES,
            _prepared(source.customer),
            _prepared(source.body),
        ],
        "last_customer": source.last_customer_message[:4000],
        "created": _utc(source.created),
        "updated": _utc(source.updated or source.created),
        "updated_s": int(_utc(source.updated or source.created).timestamp()),
    }
    if source.status:
        data["status"] = source.status.lower().split()  # an article's are two: its state and its audience
    if source.queue:
        data["queue"] = source.queue.lower()
        data["queue_name"] = source.queue
    if source.tags:
        data["tag"] = [t.lower() for t in source.tags]
    return tantivy.Document.from_dict(data, SCHEMA)


def _registered(index: tantivy.Index) -> tantivy.Index:
    index.register_tokenizer(FOLDED, _ANALYZER)
    return index


class TantivyIndex:
    """One index directory. Reading is safe from any thread and any process; writing needs the writer lock
    (`store.WriterLock`) and goes through `write()`."""

    def __init__(self, path: Path, *, create: bool = False, bulk: bool = False) -> None:
        """`bulk`: a rebuild, written with a larger heap on every core; the incremental writer uses one."""
        self.path = path
        self._bulk = bulk
        try:
            if create:
                path.mkdir(parents=True, exist_ok=True)
                (path / "schema_version").write_text(str(SCHEMA_VERSION))
                self._index = _registered(tantivy.Index(SCHEMA, str(path), reuse=False))
            else:
                version = (path / "schema_version").read_text().strip()
                if version != str(SCHEMA_VERSION):
                    raise IndexUnusable(f"schema version {version}, this build uses {SCHEMA_VERSION}")
                self._index = _registered(tantivy.Index.open(str(path)))
                self._index.searcher()  # opens every segment: a missing or corrupt file shows here
        except IndexUnusable:
            raise
        except (OSError, ValueError) as error:
            raise IndexUnusable(str(error)) from error
        self._writer: tantivy.IndexWriter | None = None

    # -- writing ---------------------------------------------------------------------------------------
    def _w(self) -> tantivy.IndexWriter:
        if self._writer is None:
            if self._bulk:
                self._writer = self._index.writer(heap_size=BULK_WRITER_HEAP, num_threads=0)
            else:
                self._writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    def upsert(self, sources: Iterable[SourceDocument]) -> int:
        writer, n = self._w(), 0
        for source in sources:
            writer.delete_documents_by_query(
                tantivy.Query.term_query(SCHEMA, "doc_key", doc_key(source.kind, source.id))
            )
            writer.add_document(_document(source))
            n += 1
        return n

    def add_new(self, sources: Iterable[SourceDocument]) -> int:
        """For a fresh index: no delete first."""
        writer, n = self._w(), 0
        for source in sources:
            writer.add_document(_document(source))
            n += 1
        return n

    def delete(self, kind: str, ids: Iterable[int]) -> int:
        writer, n = self._w(), 0
        for id_ in ids:
            writer.delete_documents_by_query(tantivy.Query.term_query(SCHEMA, "doc_key", doc_key(kind, id_)))
            n += 1
        return n

    def commit(self, marker: Marker) -> None:
        """The documents written since the last commit and the marker, in one commit: after a crash the
        index holds either both or neither."""
        writer = self._w()
        writer.delete_documents_by_query(tantivy.Query.term_query(SCHEMA, "doc_key", MARKER_KEY))
        payload = json.dumps(
            {
                "txid": marker.txid,
                "seq": marker.seq,
                "scope": marker.scope,
                "schema_version": marker.schema_version,
                "covered": marker.covered,
            }
        )
        writer.add_document(
            tantivy.Document.from_dict(
                {"doc_key": MARKER_KEY, "kind": MARKER_KEY, "marker": payload, "id": 0, "number": 0}, SCHEMA
            )
        )
        writer.commit()
        self._index.reload()

    def close_writer(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer.wait_merging_threads()
            self._writer = None

    # -- reading ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        try:
            self._index.reload()
        except ValueError as error:
            raise IndexUnusable(str(error)) from error

    def marker(self) -> Marker | None:
        searcher = self._index.searcher()
        hits = searcher.search(tantivy.Query.term_query(SCHEMA, "doc_key", MARKER_KEY), 1).hits
        if not hits:
            return None
        payload = json.loads(searcher.doc(hits[0][1]).get_first("marker") or "{}")
        return Marker(
            int(payload["txid"]),
            int(payload["seq"]),
            str(payload["scope"]),
            int(payload["schema_version"]),
            int(payload.get("covered", 0)),
        )

    def count(self, kind: str) -> int:
        return int(self._index.searcher().search(tantivy.Query.term_query(SCHEMA, "kind", kind), 1, count=True).count)  # type: ignore[attr-defined]

    def ids(self, kind: str) -> set[int]:
        """Every id of a kind in the index (fast field reads, no stored documents)."""
        searcher = self._index.searcher()
        total = max(1, searcher.num_docs)
        hits = searcher.search(tantivy.Query.term_query(SCHEMA, "kind", kind), total, count=False).hits
        values = searcher.fast_field_values("id", [address for _, address in hits])
        return {int(v) for v in values if v is not None}

    def holds(self, field: str, value: str) -> bool:
        """Whether any document has this value in a filter's field (`status`, `queue`, `tag`)."""
        return int(self._index.searcher().doc_freq(field, value)) > 0

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())

    def search(
        self,
        parsed: ParsedQuery,
        *,
        kinds: Sequence[str],
        limit: int,
        now: dt.datetime,
        with_snippets: bool = True,
        count: bool = True,
        every_word: bool = True,
    ) -> tuple[list[RawHit], int | None]:
        """The best `limit` hits and, with `count`, how many documents match in all (None without: counting
        visits every match, which the top hits alone need not). Without `every_word`, a document needs only
        some of the words, those with more of them (and rarer ones) first."""
        parsed = _folded(parsed)  # the words as the index holds them, for the query and the snippets
        searcher = self._index.searcher()
        found: dict[tuple[str, str], list[str]] = {}

        def completions(field: str, prefix: str) -> list[str]:
            if (field, prefix) not in found:
                found[field, prefix] = _completions(searcher, field, prefix)
            return found[field, prefix]

        try:
            query, text_query = _build(
                parsed,
                kinds,
                now,
                known=lambda field, word: searcher.doc_freq(field, word) > 0,
                completions=completions,
                kind_sizes=_kind_sizes(searcher),
                every_word=every_word,
            )
        except (ValueError, OverflowError) as error:
            raise UnsearchableQuery(str(error)) from error
        if parsed.has_text or parsed.phrases:
            result = searcher.search(query, limit * RERANK_DEPTH, count=count)
            ranked = _by_recency(searcher, result.hits, now)[:limit]
        else:  # filters only: the most recently active first
            result = searcher.search(query, limit, count=count, order_by_field="updated_s")
            ranked = result.hits
        generators: dict[str, tantivy.SnippetGenerator] = {}

        def generator(kind: str) -> tantivy.SnippetGenerator | None:
            if text_query is None:
                return None
            if kind not in generators:
                generators[kind] = tantivy.SnippetGenerator.create(searcher, text_query, SCHEMA, text_field(kind))
            return generators[kind]

        hits = []
        for score, address in ranked:
            doc = searcher.doc(address)
            snippet, ranges = "", cast(tuple[tuple[int, int], ...], ())
            if with_snippets:
                snippet, ranges = _snippet(doc, generator, parsed)
            hits.append(_raw_hit(doc, score, snippet, ranges))
        return hits, (int(result.count or 0) if count else None)  # type: ignore[attr-defined]

    def more_like_this(
        self,
        text: str,
        *,
        kinds: Sequence[str],
        exclude: tuple[str, int] | None,
        limit: int,
        now: dt.datetime,
        statuses: Sequence[str] = (),
    ) -> list[RawHit]:
        """Documents sharing the rarer words of `text` (a ticket's subject and last customer message): the
        words of the text, each optional, the best-matching first; with `statuses`, only documents of one of
        them (articles: "published")."""
        words = [w for w in dict.fromkeys(map(fold, words_of(text))) if len(w) >= 4][:30]
        if not words:
            return []
        fields = [text_field(kind) for kind in kinds]
        should = [
            (tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, field, word)) for word in words for field in fields
        ]
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, tantivy.Query.boolean_query(should))]
        if exclude is not None:
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_query(SCHEMA, "doc_key", doc_key(*exclude))))
        if statuses:
            clauses.append((tantivy.Occur.Must, _any_of("status", statuses)))
        query = tantivy.Query.boolean_query(clauses)
        searcher = self._index.searcher()
        hits = []
        for score, address in searcher.search(query, limit).hits:
            doc = searcher.doc(address)
            hits.append(_raw_hit(doc, score, _body(doc)[:SNIPPET_CHARS], ()))
        return hits

    def stored(self, kind: str, id_: int, field: str) -> str | None:
        """One stored field of one document (an article's text, a ticket's last customer message)."""
        searcher = self._index.searcher()
        hits = searcher.search(tantivy.Query.term_query(SCHEMA, "doc_key", doc_key(kind, id_)), 1).hits
        if not hits:
            return None
        doc = searcher.doc(hits[0][1])
        return _body(doc) if field == "body" else str(doc.get_first(field) or "")


def _any_of(field: str, values: Sequence[str]) -> tantivy.Query:
    """A filter: the field holds any of the values; it adds nothing to the score. Term queries, never a
    term-set query: a term set reads every posting of its terms into a bit set on each search (1M for
    kind:ticket at 1M tickets, 4 ms a query), a term query is intersected by skipping through its postings."""
    Q = tantivy.Query
    if not values:
        return Q.empty_query()
    terms = [Q.term_query(SCHEMA, field, value) for value in dict.fromkeys(values)]
    either = terms[0] if len(terms) == 1 else Q.boolean_query([(tantivy.Occur.Should, t) for t in terms])
    return Q.const_score_query(either, 0.0)


def _kinds(kinds: Sequence[str]) -> tantivy.Query:
    return _any_of("kind", kinds)


KindSizes = Callable[[str], int]  # kind -> how many documents of it the index holds (an estimate will do)


def _kind_sizes(searcher: tantivy.Searcher) -> KindSizes:
    """How many documents of each kind the searcher's index holds (deleted ones not yet merged away included:
    an estimate, enough to choose the cheaper filter)."""
    return lambda kind: int(searcher.doc_freq("kind", kind))


def _kind_clauses(wanted: Sequence[str], sizes: KindSizes | None) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """Only documents of the wanted kinds, by the cheaper of two equal filters: the wanted kinds' postings
    intersected with the words, or the other kinds' (and the marker's) excluded. A search of tickets at 1M
    tickets skipped through a million postings to keep them (6.7 ms for "order"); excluding the 105,000
    articles and customers costs 4.1 ms, and a search of every kind needs no filter beyond the marker."""
    others = [kind for kind in KINDS if kind not in wanted]
    if sizes is None or not wanted or sum(map(sizes, wanted)) <= sum(map(sizes, others)):
        return [(tantivy.Occur.Must, _kinds(wanted))]
    return [(tantivy.Occur.MustNot, tantivy.Query.term_query(SCHEMA, "kind", kind)) for kind in (*others, MARKER_KEY)]


Completions = Callable[[str, str], Sequence[str]]  # (field, prefix) -> the words of the field it begins


def _word(
    word: str,
    *,
    prefix: bool,
    fuzzy: bool,
    fields: Sequence[str],
    completions: Completions | None = None,
) -> tantivy.Query:
    """One word in any of the fields (one per kind searched; a document has only its kind's), a typo or
    the start of a word counting less. Alone, the word is one term query: an intersection of such queries
    is the fast shape (see TITLE_COPIES). `completions`: the prefix matches these words of each field
    (`_completions`: the commonest few), each a term query, all at the one constant score a prefix match
    has; without it, a prefix query (every word it begins, read into a bit set per search)."""
    Q = tantivy.Query
    options: list[tantivy.Query] = []
    for field in fields:
        options.append(Q.term_query(SCHEMA, field, word))
        if fuzzy:
            options.append(
                Q.boost_query(
                    Q.fuzzy_term_query(SCHEMA, field, word, distance=1, transposition_cost_one=True), FUZZY_WEIGHT
                )
            )
        if prefix and completions is None:
            options.append(
                Q.boost_query(Q.fuzzy_term_query(SCHEMA, field, word, distance=0, prefix=True), PREFIX_WEIGHT)
            )
        elif prefix and completions is not None and (terms := completions(field, word)):
            either = [(tantivy.Occur.Should, Q.term_query(SCHEMA, field, term)) for term in terms]
            options.append(Q.const_score_query(Q.boolean_query(either), PREFIX_WEIGHT))
    if len(options) == 1:
        return options[0]
    return Q.disjunction_max_query(options, tie_breaker=0.1)


def _range(field: str, start: dt.datetime | None, end: dt.datetime | None) -> tantivy.Query:
    return tantivy.Query.range_query(
        SCHEMA,
        field,
        tantivy.FieldType.Date,
        start or dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        end or dt.datetime(2262, 1, 1, tzinfo=dt.UTC),
        include_lower=True,
        include_upper=False,
    )


def _by_recency(searcher: tantivy.Searcher, hits: list[tuple[Any, Any]], now: dt.datetime) -> list[tuple[float, Any]]:
    """Relevance times a lift for recent activity, best first."""
    seconds = searcher.fast_field_values("updated_s", [address for _, address in hits])
    scored = []
    for (score, address), updated in zip(hits, seconds, strict=True):
        lift = 1.0
        if isinstance(updated, int):
            age = now - dt.datetime.fromtimestamp(updated, dt.UTC)
            lift = next((factor for limit, factor in RECENT if age <= limit), 1.0)
        scored.append((float(score) * lift, address))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return scored


def _completions(searcher: tantivy.Searcher, field: str, prefix: str) -> list[str]:
    """The words of the field the prefix begins, the PREFIX_TERMS commonest (a walk of the term dictionary,
    no postings read). A prefix that begins more words than that ("co", "pro") finds the documents of the
    commonest; one more letter typed narrows it to the rest."""
    return [str(term) for term, _ in searcher.terms_with_prefix(field, prefix, limit=PREFIX_TERMS)]


def _build(
    parsed: ParsedQuery,
    kinds: Sequence[str],
    now: dt.datetime,
    known: Callable[[str, str], bool] = lambda _f, _w: False,
    completions: Completions | None = None,
    kind_sizes: KindSizes | None = None,
    every_word: bool = True,
) -> tuple[tantivy.Query, tantivy.Query | None]:
    """The query, and a query of the same words over the stored text, for snippets. The words are folded
    (`_folded`) by the caller.

    `known(field, word)`: the word exists as typed; typo tolerance is then left out for it (a fuzzy term
    walks the whole term dictionary, the costliest part of a query on a large index), so a typo still
    finds the word it was meant to be and a correct word costs what an exact term costs. `completions`: see
    `_word`; a prefix that begins some word is being typed, not mistyped, so it gets no typo tolerance then.
    `kind_sizes`: see `_kind_clauses` (without: the wanted kinds are intersected), needed only when no
    word is searched: words are searched in the wanted kinds' own fields."""
    Q, Occur = tantivy.Query, tantivy.Occur
    wanted = [k for k in kinds if not parsed.filters.get("kind") or k in parsed.filters["kind"]]
    fields = [text_field(kind) for kind in wanted]
    if not fields:
        return Q.empty_query(), None

    def exists(word: str) -> bool:
        return any(known(field, word) for field in fields)

    must: list[tuple[tantivy.Occur, tantivy.Query]] = []
    shown: list[str] = []  # the words the snippet marks
    for word in parsed.words:
        fuzzy = parsed.fuzzy(word) and not exists(word)
        must.append((Occur.Must, _word(word, prefix=False, fuzzy=fuzzy, fields=fields)))
    for word in parsed.exact:  # a quoted word: as typed, no typo tolerance
        must.append((Occur.Must, _word(word, prefix=False, fuzzy=False, fields=fields)))
    if parsed.prefix:
        fuzzy = parsed.fuzzy(parsed.prefix) and not exists(parsed.prefix)
        if fuzzy and completions is not None:
            fuzzy = not any(completions(field, parsed.prefix) for field in fields)
        must.append(
            (Occur.Must, _word(parsed.prefix, prefix=True, fuzzy=fuzzy, fields=fields, completions=completions))
        )
        if completions is not None:
            shown += [term for field in fields for term in completions(field, parsed.prefix)]
    if not every_word and len(must) > 1:  # some of the words: one of them at least, more ranks higher
        must = [(Occur.Must, Q.boolean_query([(Occur.Should, query) for _occur, query in must]))]
    for phrase in parsed.phrases:
        options = [Q.phrase_query(SCHEMA, field, list(phrase)) for field in fields]
        must.append((Occur.Must, options[0] if len(options) == 1 else Q.disjunction_max_query(options)))
    searches_words = bool(must)
    for word in parsed.customer_words:
        must.append((Occur.Must, _word(word, prefix=False, fuzzy=False, fields=(CUSTOMER_WORDS,))))
    for word in parsed.without:  # `-invoice`: left out wherever the words are searched (no typo tolerance)
        must.append((Occur.MustNot, _word(word, prefix=False, fuzzy=False, fields=fields)))
    shown += [*parsed.words, *parsed.exact, *(w for p in parsed.phrases for w in p), *parsed.customer_words]
    if not searches_words:
        must += _kind_clauses(wanted, kind_sizes)
    for name in ("status", "queue", "tag"):
        if values := parsed.filters.get(name):
            must.append((Occur.Must, _any_of(name, values)))
    if parsed.numbers:
        must.append((Occur.Must, Q.term_set_query(SCHEMA, "number", list(parsed.numbers))))
    if parsed.created is not None:
        must.append((Occur.Must, _range("created", parsed.created.start, parsed.created.end)))
    if parsed.updated is not None:
        must.append((Occur.Must, _range("updated", parsed.updated.start, parsed.updated.end)))
    if not parsed.has_text:
        must.append((Occur.Must, Q.all_query()))
    snippet_terms = [(Occur.Should, Q.term_query(SCHEMA, f, w)) for w in dict.fromkeys(shown) for f in fields]
    return Q.boolean_query(must), Q.boolean_query(snippet_terms) if snippet_terms else None


def _folded(parsed: ParsedQuery) -> ParsedQuery:
    """The query's words as the index holds them (`fold`). A typed word that is several of the index's
    (Chinese or Japanese characters, `_prepared`) becomes their phrase; among a customer's words, which
    are indexed without positions, each of them must be there."""
    words, word_phrases = _split(parsed.words)
    exact, exact_phrases = _split(parsed.exact)
    prefix, prefix_phrases = _split((parsed.prefix,) if parsed.prefix else ())
    customer, customer_phrases = _split(parsed.customer_words)
    without, _without_phrases = _split(parsed.without)  # a word the index holds as several: left out of this
    phrases = tuple(tuple(t for word in phrase for t in _tokens(word) or [word.lower()]) for phrase in parsed.phrases)
    return replace(
        parsed,
        words=words,
        prefix=prefix[0] if prefix else None,
        phrases=(*phrases, *word_phrases, *exact_phrases, *prefix_phrases),
        exact=exact,
        customer_words=(*customer, *(t for phrase in customer_phrases for t in phrase)),
        without=without,
    )


def _split(typed: Iterable[str]) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Typed words as the index's: those that are one of its words, and those that are several."""
    single: list[str] = []
    several: list[tuple[str, ...]] = []
    for word in typed:
        tokens = _tokens(word)
        if len(tokens) > 1:
            several.append(tuple(tokens))
        else:
            single.append(tokens[0] if tokens else word.lower())
    return tuple(single), tuple(several)


def _body(doc: tantivy.Document) -> str:
    value = doc.get_first("body")
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value or "")


def _snippet(
    doc: tantivy.Document, generator: Callable[[str], tantivy.SnippetGenerator | None], parsed: ParsedQuery
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The best fragment of the text with the query's words marked; typos and prefixes (which Tantivy's
    snippets do not mark) are marked here, by the same rules the query used. Tantivy's snippet reads the
    text from the field its generator was made for, the kind's text field, which is not stored: it is
    handed the stored text under that field's name."""
    body = _body(doc)
    kind = str(doc.get_first("kind"))
    if (
        kind in KINDS
        and (chosen := generator(kind)) is not None
        and (body.isascii() or not _CJK_CHARACTER.search(body, 0, SCAN_CHARS))
    ):
        text = composed(body)  # as the index read it
        chosen.set_max_num_chars(_snippet_bytes(text))
        snippet = chosen.snippet_from_doc(tantivy.Document.from_dict({text_field(kind): text}, SCHEMA))
        fragment = snippet.fragment()
        ranges = _characters(fragment, tuple((r.start, r.end) for r in snippet.highlighted()))
        if ranges:
            return fragment, ranges
    # Typos and prefixes, which Tantivy's snippets do not mark, and Chinese or Japanese text, where they
    # mark every character of a phrase wherever it stands, and may show a fragment without the phrase.
    return _marked(body, parsed)


def _snippet_bytes(body: str) -> int:
    """Tantivy measures a snippet in UTF-8 bytes: `SNIPPET_CHARS` of Cyrillic, Greek or Arabic text (two
    bytes a letter) gave half a snippet, of Chinese or Japanese (three) a third. The text's own bytes per
    character make it `SNIPPET_CHARS` characters in any script."""
    if body.isascii():
        return SNIPPET_CHARS
    start = body[:SCAN_CHARS]
    return round(SNIPPET_CHARS * len(start.encode()) / len(start))


def _characters(text: str, ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Tantivy's highlights count UTF-8 bytes; a snippet is marked by characters (every accent before a
    match shifted its mark by one)."""
    if text.isascii():
        return ranges
    data = text.encode()
    return tuple(
        (len(data[:start].decode(errors="ignore")), len(data[:end].decode(errors="ignore"))) for start, end in ranges
    )


def _places(body: str, runs: Iterable[str]) -> list[tuple[int, int]]:
    """Where each of these strings stands in the start of the text, in order."""
    places = []
    for run in runs:
        at = body.find(run, 0, SCAN_CHARS)
        while at >= 0:
            places.append((at, at + len(run)))
            at = body.find(run, at + len(run), SCAN_CHARS)
    return sorted(places)


def _close(a: str, b: str) -> bool:
    """Within one edit (a transposition counts as one)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_WORDS = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")  # as the index's words (`_prepared`)
SCAN_CHARS = 20_000  # a snippet is looked for in the start of a long text only


def fallback_snippet(
    body: str, parsed: ParsedQuery, chars: int = SNIPPET_CHARS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A fragment around the first word the query matched, every match in it marked: exact words,
    the prefix, and words within one edit of a 5+ letter query word."""
    return _marked(body, _folded(parsed), chars)


def _marked(body: str, parsed: ParsedQuery, chars: int = SNIPPET_CHARS) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`fallback_snippet` of a query already folded (the index's hits: folded once a search, not once a hit).
    A phrase of Chinese or Japanese characters is marked where it stands whole, not character by character."""
    body = composed(body)  # as the index read it (`_prepared`)
    runs = {"".join(p) for p in parsed.phrases if len(p) > 1 and all(map(_CJK_CHARACTER.fullmatch, p))}
    exact = set(parsed.highlight_words) - ({c for run in runs for c in run} - {*parsed.words, *parsed.exact})
    prefix = parsed.prefix
    fuzzy = [w for w in parsed.words if parsed.fuzzy(w)]  # never a quoted word: phrases match as typed
    marks = _places(body, runs)
    if exact:
        first = marks[0][0] if marks else None
        for match in _WORDS.finditer(body, 0, SCAN_CHARS):
            if first is not None and match.start() >= max(0, first - chars // 4) + chars:
                break  # past the fragment the first match opens: nothing further is shown
            word = match.group().lower()
            if not word.isascii():
                word = fold(word)
            if (
                word in exact
                or (prefix is not None and word.startswith(prefix))
                or any(abs(len(word) - len(w)) <= 1 and _close(word, w) for w in fuzzy)
            ):
                marks.append(match.span())
                first = match.start() if first is None else min(first, match.start())
        marks.sort()
    if not marks:
        return body[:chars], ()
    start = max(0, marks[0][0] - chars // 4)
    end = min(len(body), start + chars)
    return body[start:end], tuple((s - start, e - start) for s, e in marks if s >= start and e <= end)
