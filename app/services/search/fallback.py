"""The same queries answered by PostgreSQL, while the index is first built or rebuilt: every word must
appear (ILIKE) in the subject/title, the text or the customer, and every phrase or quoted word as whole words
(as the index matches them); filters on status, queue, tag, number and dates.
Slower and without typo tolerance, and the results say so. Read through the login's own RLS."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.services.platform.plain_text import like_contains
from app.services.platform.uow import UnitOfWork
from app.services.search.dto import SearchHit
from app.services.search.engine import fallback_snippet
from app.services.search.feed import article_status
from app.services.search.query import ParsedQuery


def _whole_words(words: Sequence[str]) -> str:
    """A PostgreSQL regular expression for these words in a row, each a whole word (a phrase, or a quoted
    word: "refund" does not find "refunds"). Words are letters and digits only (`query.words_of`), so
    nothing in them needs escaping."""
    return r"\m" + r"[^[:alnum:]]+".join(words) + r"\M"


def _ticket_holds(param: str, op: str) -> str:
    """The ticket's subject, customer name or one of its messages matches the pattern `%(param)s`."""
    return (
        f"(t.subject {op} %({param})s OR c.name {op} %({param})s OR EXISTS (SELECT FROM switchboard.message m "
        f"WHERE m.ticket_id = t.id AND m.body_text {op} %({param})s))"
    )


def _article_holds(param: str, op: str) -> str:
    return f"(a.title {op} %({param})s OR a.body {op} %({param})s)"


def _customer_holds(param: str, op: str) -> str:
    return (
        f"(c.name {op} %({param})s OR EXISTS (SELECT FROM switchboard.customer_email e "
        f"WHERE e.customer_id = c.id AND e.address {op} %({param})s))"
    )


def _words_where(
    patterns: Sequence[tuple[str, bool]], without: Sequence[str], holds: Callable[[str, str], str]
) -> tuple[list[str], dict[str, object]]:
    """The conditions of the words (each must be held) and of the words left out (`-invoice`: none is)."""
    where, params = ["TRUE"], dict[str, object]()
    for i, (pattern, regex) in enumerate(patterns):
        params[f"w{i}"] = pattern
        where.append(holds(f"w{i}", "~*" if regex else "ILIKE"))
    for i, word in enumerate(without):
        params[f"x{i}"] = like_contains(word)
        where.append(f"NOT {holds(f'x{i}', 'ILIKE')}")
    return where, params


def search(uow: UnitOfWork, parsed: ParsedQuery, *, kinds: Sequence[str], limit: int) -> list[SearchHit]:
    connection = uow.session.connection()
    # (a pattern, and whether it is a whole-word regular expression rather than an ILIKE substring)
    patterns = [
        *((like_contains(w), False) for w in (*parsed.words, *((parsed.prefix,) if parsed.prefix else ()))),
        *((_whole_words(p), True) for p in (*parsed.phrases, *((w,) for w in parsed.exact))),
    ]
    hits: list[SearchHit] = []
    wanted = [k for k in kinds if not parsed.filters.get("kind") or k in parsed.filters["kind"]]
    if "ticket" in wanted:
        where, params = _words_where(patterns, parsed.without, _ticket_holds)
        for i, word in enumerate(parsed.customer_words):
            params[f"c{i}"] = like_contains(word)
            where.append(
                f"(c.name ILIKE %(c{i})s OR EXISTS (SELECT FROM switchboard.customer_email e "
                f"WHERE e.customer_id = c.id AND e.address ILIKE %(c{i})s))"
            )
        if statuses := parsed.filters.get("status"):
            where.append("t.status = ANY(%(statuses)s)")
            params["statuses"] = list(statuses)
        if queues := parsed.filters.get("queue"):
            where.append("lower(q.name) = ANY(%(queues)s)")
            params["queues"] = list(queues)
        if parsed.numbers:
            where.append("t.number = ANY(%(numbers)s)")
            params["numbers"] = list(parsed.numbers)
        where += _narrowed(parsed, params, tags="t.tags", created="t.created_at", updated="t.updated_at")
        params["limit"] = limit
        rows = connection.exec_driver_sql(
            "SELECT t.id, t.number, t.subject, t.status, q.name, c.name, t.updated_at, "
            "(SELECT string_agg(m.body_text, E'\\n' ORDER BY m.created_at) FROM switchboard.message m "
            " WHERE m.ticket_id = t.id AND m.kind <> 'system_event') "
            "FROM switchboard.ticket t JOIN switchboard.queue q ON q.id = t.queue_id "
            "JOIN switchboard.customer c ON c.id = t.customer_id "
            f"WHERE {' AND '.join(where)} ORDER BY t.updated_at DESC LIMIT %(limit)s",
            params,
        ).all()
        for id_, number, subject, status, queue, customer, updated, body in rows:
            snippet, marks = fallback_snippet(str(body or ""), parsed)
            hits.append(
                SearchHit(
                    "ticket",
                    int(id_),
                    int(number),
                    str(subject),
                    snippet,
                    marks,
                    str(status),
                    str(queue),
                    str(customer),
                    updated,
                )
            )
    only_tickets = parsed.filters.keys() & {"status", "queue"} or parsed.numbers or parsed.customer_words
    if "article" in wanted and not only_tickets:
        where, params = _words_where(patterns, parsed.without, _article_holds)
        where += _narrowed(parsed, params, tags="a.tags", created="a.created_at", updated="a.updated_at")
        params["limit"] = limit
        for id_, title, body, updated, state, visibility in connection.exec_driver_sql(
            "SELECT a.id, a.title, a.body, a.updated_at, a.state, a.visibility FROM switchboard.knowledge_article a "
            f"WHERE {' AND '.join(where)} ORDER BY a.updated_at DESC LIMIT %(limit)s",
            params,
        ).all():
            snippet, marks = fallback_snippet(str(body or ""), parsed)
            status = article_status(str(state), str(visibility))
            hits.append(SearchHit("article", int(id_), None, str(title), snippet, marks, status, updated=updated))
    if "customer" in wanted and not only_tickets and patterns:
        where, params = _words_where(patterns, (), _customer_holds)
        where += _narrowed(parsed, params, tags=None, created="c.created_at", updated="c.created_at")
        params["limit"] = limit
        for id_, name, created in connection.exec_driver_sql(
            f"SELECT c.id, c.name, c.created_at FROM switchboard.customer c WHERE {' AND '.join(where)} "
            "ORDER BY c.name LIMIT %(limit)s",
            params,
        ).all():
            hits.append(SearchHit("customer", int(id_), None, str(name), "", updated=created))
    return hits


def _narrowed(
    parsed: ParsedQuery, params: dict[str, object], *, tags: str | None, created: str, updated: str
) -> list[str]:
    """The tag and date filters for one kind, as the index applies them to every kind: a tag matches in
    any case, and a kind without tags (customers) matches no `tag:` at all; a customer's "updated" is its
    creation, as indexed. Articles were listed whatever `tag:` and `created:` said while the index was away."""
    where: list[str] = []
    if wanted := parsed.filters.get("tag"):
        if tags is None:
            return ["false"]
        where.append(f"EXISTS (SELECT FROM unnest({tags}) AS tag WHERE lower(tag) = ANY(%(tags)s))")
        params["tags"] = [tag.lower() for tag in wanted]
    for name, column, dates in (("created", created, parsed.created), ("updated", updated, parsed.updated)):
        if dates is not None and dates.start is not None:
            where.append(f"{column} >= %({name}_start)s")
            params[f"{name}_start"] = dates.start
        if dates is not None and dates.end is not None:
            where.append(f"{column} < %({name}_end)s")
            params[f"{name}_end"] = dates.end
    return where
