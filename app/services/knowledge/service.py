"""The knowledge base's behaviour: keyword-only functions over a unit of work, returning frozen values.

Reads go through the login's own row-level security (an agent sees published articles and their own
drafts; editors everything). Every write is a call to one of the database's `kb_*` definer functions
(migration 0018_knowledge_base), which decide who may do what, check the expected version and raise it;
the history and the change log are written by the database's triggers. What the functions refuse comes
back as the domain's errors: `NotFound`, `NotPermitted`, `InvalidInput`, `ArticleConflict`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased

from app.models import (
    Agent,
    Customer,
    CustomerEmail,
    KnowledgeArticle,
    KnowledgeArticleVersion,
    KnowledgeAttachment,
    KnowledgeCategory,
    Organisation,
    TicketStatus,
)
from app.models import Blob as BlobRow
from app.services.errors import InvalidInput, KnownError, NotFound, NotPermitted
from app.services.knowledge.dto import (
    Article,
    ArticleConflict,
    ArticleDiff,
    ArticleDraft,
    ArticleState,
    ArticleSummary,
    ArticleVersion,
    Attachment,
    Category,
    Visibility,
)
from app.services.knowledge.redaction import describe, redact
from app.services.knowledge.text import MAX_BODY_CHARS, images_dropped, prepare_body
from app.services.platform.database.failures import first_line
from app.services.platform.plain_text import clean_line
from app.services.platform.uow import UnitOfWork
from app.services.tickets.queries import get_ticket
from app.vocabulary import MessageKind, StatusCategory

MAX_TITLE = 300
MAX_TAG = 64
MAX_TAGS = 20
MAX_CATEGORY_NAME = 100
# A file's media type: one type/subtype token, as the table's check says it (migration 0046).
MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9_.+-]{0,126}")
# SQLSTATEs the kb_* functions and constraints refuse with, and what each means to a person.
_REFUSALS: dict[str, type[KnownError]] = {
    "42501": NotPermitted,  # insufficient_privilege
    "P0002": NotFound,  # no_data_found: no article (or ticket) by that id for this login
    "23514": InvalidInput,  # check_violation
    "23503": InvalidInput,  # foreign_key_violation: no such category
    "23505": InvalidInput,  # unique_violation: a category or file name that exists already
    "22001": InvalidInput,  # string_data_right_truncation
}


# --- categories ----------------------------------------------------------------------------------------------


def list_categories(uow: UnitOfWork) -> list[Category]:
    """The whole tree, each node with its path, ordered as a tree is read (parents before children)."""
    rows = uow.session.execute(
        select(KnowledgeCategory.id, KnowledgeCategory.name, KnowledgeCategory.parent_id, KnowledgeCategory.position)
    ).all()
    by_id = {row.id: row for row in rows}

    def path(category_id: int) -> tuple[str, ...]:
        names: list[str] = []
        seen: set[int] = set()
        current: int | None = category_id
        while current is not None and current in by_id and current not in seen:
            seen.add(current)
            names.append(by_id[current].name)
            current = by_id[current].parent_id
        return tuple(reversed(names))

    categories = [Category(row.id, row.name, row.parent_id, path(row.id)) for row in rows]
    return sorted(categories, key=lambda c: tuple(name.casefold() for name in c.path))


def add_category(uow: UnitOfWork, *, name: str, parent_id: int | None = None) -> Category:
    name = clean_line(name)
    if not name or len(name) > MAX_CATEGORY_NAME:
        raise InvalidInput(f"A category needs a name of 1 to {MAX_CATEGORY_NAME} characters")
    created = _call(uow, "SELECT switchboard.kb_add_category(:name, :parent)", name=name, parent=parent_id)
    return next(c for c in list_categories(uow) if c.id == created)


def find_category(uow: UnitOfWork, label: str) -> Category:
    """A category by its path ("Billing/Refunds", "Billing ▸ Refunds") or, when unambiguous, its name."""
    wanted = tuple(part.strip().casefold() for part in label.replace("▸", "/").split("/") if part.strip())
    categories = list_categories(uow)
    exact = [c for c in categories if tuple(n.casefold() for n in c.path) == wanted]
    if len(exact) == 1:
        return exact[0]
    named = [c for c in categories if len(wanted) == 1 and c.name.casefold() == wanted[0]]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise InvalidInput(f"{label!r} names several categories: " + ", ".join(c.label for c in named))
    raise NotFound(f"No category {label!r}")


def ensure_category_path(uow: UnitOfWork, path: Sequence[str]) -> Category:
    """The category at `path`, adding the missing nodes (an editor's call)."""
    parent: Category | None = None
    for depth in range(1, len(path) + 1):
        wanted = tuple(path[:depth])
        found = next((c for c in list_categories(uow) if c.path == wanted), None)
        parent = found or add_category(uow, name=wanted[-1], parent_id=parent.id if parent else None)
    if parent is None:
        raise InvalidInput("A category path needs at least one name")
    return parent


# --- reading -------------------------------------------------------------------------------------------------


def list_articles(
    uow: UnitOfWork,
    *,
    state: ArticleState | None = None,
    category_id: int | None = None,
    include_subcategories: bool = True,
    limit: int = 1000,
) -> list[ArticleSummary]:
    """The articles this login may read, by category path then title."""
    categories = {c.id: c for c in list_categories(uow)}
    query = _summary_select()
    if state is not None:
        query = query.where(KnowledgeArticle.state == state.value)
    if category_id is not None:
        wanted = {category_id}
        if include_subcategories and category_id in categories:
            root = categories[category_id].path
            wanted |= {c.id for c in categories.values() if c.path[: len(root)] == root}
        query = query.where(KnowledgeArticle.category_id.in_(wanted))
    rows = uow.session.execute(query.order_by(KnowledgeArticle.title, KnowledgeArticle.id).limit(limit)).all()
    summaries = [_to_summary(row, categories) for row in rows]
    return sorted(summaries, key=lambda s: (s.category == "", s.category.casefold(), s.title.casefold(), s.id))


def get_article(uow: UnitOfWork, *, article_id: int) -> Article:
    categories = {c.id: c for c in list_categories(uow)}
    editor = aliased(Agent)
    row = uow.session.execute(
        _summary_select()
        .add_columns(
            KnowledgeArticle.body,
            KnowledgeArticle.body_html,
            KnowledgeArticle.published_at,
            KnowledgeArticle.source_ticket_id,
            editor.display_name.label("updated_by_name"),
        )
        .outerjoin(editor, editor.id == KnowledgeArticle.updated_by_id)
        .where(KnowledgeArticle.id == article_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"No article {article_id}")
    files = uow.session.execute(
        select(KnowledgeAttachment)
        .where(KnowledgeAttachment.article_id == article_id)
        .order_by(KnowledgeAttachment.filename)
    ).scalars()
    return Article(
        summary=_to_summary(row, categories),
        body=row.body,
        body_html=row.body_html,
        published_at=row.published_at,
        updated_by_name=row.updated_by_name,
        source_ticket_id=row.source_ticket_id,
        attachments=tuple(Attachment(f.id, f.filename, f.media_type, f.size, f.blob_sha256) for f in files),
    )


def history(uow: UnitOfWork, *, article_id: int) -> list[ArticleVersion]:
    """Every saved version, newest first, with who saved it."""
    get_article(uow, article_id=article_id)  # NotFound for an article this login may not read
    rows = uow.session.execute(
        select(KnowledgeArticleVersion, Agent.display_name)
        .outerjoin(Agent, Agent.id == KnowledgeArticleVersion.author_id)
        .where(KnowledgeArticleVersion.article_id == article_id)
        .order_by(KnowledgeArticleVersion.version.desc())
    ).all()
    return [ArticleVersion(v.version, v.title, ArticleState(v.state), name, v.created_at) for v, name in rows]


def diff(
    uow: UnitOfWork, *, article_id: int, old_version: int | None = None, new_version: int | None = None
) -> ArticleDiff:
    """What changed between two versions (default: the latest and the one before), as a unified diff of
    the fields people read: title, state, visibility, category, tags, then the text line by line."""
    versions = {
        v.version: v
        for v in uow.session.scalars(
            select(KnowledgeArticleVersion).where(KnowledgeArticleVersion.article_id == article_id)
        )
    }
    if not versions:
        raise NotFound(f"No article {article_id}")
    new = new_version if new_version is not None else max(versions)
    old = old_version if old_version is not None else max((v for v in versions if v < new), default=new)
    missing = [v for v in (old, new) if v not in versions]
    if missing:
        raise NotFound(f"Article {article_id} has no version {missing[0]} (it has 1 to {max(versions)})")
    categories = {c.id: c.label for c in list_categories(uow)}
    lines = difflib.unified_diff(
        _diffable(versions[old], categories),
        _diffable(versions[new], categories),
        fromfile=f"version {old}",
        tofile=f"version {new}",
        lineterm="",
        n=2,
    )
    return ArticleDiff(article_id, old, new, tuple(lines))


def attachment_data(uow: UnitOfWork, *, attachment_id: int) -> tuple[Attachment, bytes]:
    row = uow.session.execute(
        select(KnowledgeAttachment, BlobRow.data)
        .join(BlobRow, BlobRow.sha256 == KnowledgeAttachment.blob_sha256)
        .where(KnowledgeAttachment.id == attachment_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"No attached file {attachment_id}")
    found, data = row
    return Attachment(found.id, found.filename, found.media_type, found.size, found.blob_sha256), data


def is_editor(uow: UnitOfWork) -> bool:
    return bool(uow.session.execute(text("SELECT switchboard.kb_is_editor()")).scalar_one())


# --- writing -------------------------------------------------------------------------------------------------


def create_article(
    uow: UnitOfWork,
    *,
    title: str,
    body: str,
    body_html: str | None = None,
    tags: Iterable[str] = (),
    category_id: int | None = None,
    visibility: Visibility = Visibility.INTERNAL,
    source_ticket_id: int | None = None,
) -> Article:
    """A new draft, written by the signed-in agent (any agent may; editors publish)."""
    title, body_text, safe_html, clean_tags = _checked(title, body, body_html, tags)
    created = _call(
        uow,
        "SELECT switchboard.kb_create_article(:title, :body, :html, CAST(:tags AS text[]), :category, "
        ":visibility, :ticket)",
        title=title,
        body=body_text,
        html=safe_html,
        tags=list(clean_tags),
        category=category_id,
        visibility=Visibility(visibility).value,
        ticket=source_ticket_id,
    )
    return get_article(uow, article_id=int(created))


def edit_article(
    uow: UnitOfWork,
    *,
    article_id: int,
    expected_version: int,
    title: str,
    body: str,
    body_html: str | None = None,
    tags: Iterable[str] = (),
    category_id: int | None = None,
    visibility: Visibility = Visibility.INTERNAL,
) -> Article:
    """Saves a new version if the article is still at `expected_version` (else `ArticleConflict`)."""
    title, body_text, safe_html, clean_tags = _checked(title, body, body_html, tags)
    _call(
        uow,
        "SELECT switchboard.kb_edit_article(:article, :expected, :title, :body, :html, CAST(:tags AS text[]), "
        ":category, :visibility)",
        article=article_id,
        expected=expected_version,
        title=title,
        body=body_text,
        html=safe_html,
        tags=list(clean_tags),
        category=category_id,
        visibility=Visibility(visibility).value,
        conflict_on=(article_id, expected_version),
    )
    return get_article(uow, article_id=article_id)


def set_state(uow: UnitOfWork, *, article_id: int, expected_version: int, state: ArticleState) -> Article:
    """Publish, archive or take back to draft (editors only), at the version the caller saw."""
    _call(
        uow,
        "SELECT switchboard.kb_set_article_state(:article, :expected, :state)",
        article=article_id,
        expected=expected_version,
        state=ArticleState(state).value,
        conflict_on=(article_id, expected_version),
    )
    return get_article(uow, article_id=article_id)


def publish(uow: UnitOfWork, *, article_id: int, expected_version: int | None = None) -> Article:
    version = expected_version if expected_version is not None else get_article(uow, article_id=article_id).version
    return set_state(uow, article_id=article_id, expected_version=version, state=ArticleState.PUBLISHED)


def archive(uow: UnitOfWork, *, article_id: int, expected_version: int | None = None) -> Article:
    version = expected_version if expected_version is not None else get_article(uow, article_id=article_id).version
    return set_state(uow, article_id=article_id, expected_version=version, state=ArticleState.ARCHIVED)


def attach_file(uow: UnitOfWork, *, article_id: int, filename: str, media_type: str, data: bytes) -> Attachment:
    """Stores the bytes once by their sha256 (the database computes it) and lists them on the article."""
    name = clean_line(filename).replace("/", "_").replace("\\", "_")
    if not MEDIA_TYPE.fullmatch(media_type.strip()):  # it is sent back as a header one day: one token, no breaks
        raise InvalidInput(f"{media_type!r} is not a media type such as image/png or application/pdf")
    if name in {a.filename for a in get_article(uow, article_id=article_id).attachments}:
        raise InvalidInput(f"The article has a file named {name!r} already; rename this one, nothing was saved")
    address = _call(
        uow,
        "SELECT switchboard.kb_attach_file(:article, :name, :media_type, :data)",
        article=article_id,
        name=name,
        media_type=media_type.strip().lower(),
        data=data,
    )
    attachments = get_article(uow, article_id=article_id).attachments
    return next(a for a in attachments if a.sha256 == address and a.filename == name)


def set_editor(uow: UnitOfWork, *, agent_id: int, is_editor: bool) -> bool:
    """An admin makes an agent a knowledge base editor, or takes it back."""
    return bool(_call(uow, "SELECT switchboard.kb_set_editor(:agent, :flag)", agent=agent_id, flag=is_editor))


# --- from a solved ticket ------------------------------------------------------------------------------------


def draft_from_ticket(uow: UnitOfWork, *, ticket_id: int) -> ArticleDraft:
    """A resolved ticket's question (the customer's first message) and accepted answer (the last public
    reply) as an article's text, with the customer's names, addresses, phone numbers and address lines
    taken out (`redaction`), for the agent to check."""
    detail = get_ticket(uow, ticket_id=ticket_id)
    ticket = detail.ticket
    category = uow.session.scalar(select(TicketStatus.category).where(TicketStatus.key == ticket.status))
    if category != StatusCategory.DONE:
        raise InvalidInput(f"Ticket #{ticket.number} is not resolved yet: only a solved ticket has an answer to keep")
    question = next((m for m in detail.messages if m.kind is MessageKind.CUSTOMER_MESSAGE), None)
    answer = next((m for m in reversed(detail.messages) if m.kind is MessageKind.PUBLIC_REPLY), None)
    if question is None or answer is None:
        raise InvalidInput(f"Ticket #{ticket.number} has no customer question and public answer to keep")
    names = [ticket.customer_name]
    organisation = uow.session.scalar(
        select(Organisation.name)
        .join(Customer, Customer.organisation_id == Organisation.id)
        .where(Customer.id == ticket.customer_id)
    )
    if organisation:
        names.append(organisation)
    emails = list(
        uow.session.scalars(select(CustomerEmail.address).where(CustomerEmail.customer_id == ticket.customer_id))
    )
    found_question = redact(_message_text(question.body_text, question.body_html), names=names, emails=emails)
    found_answer = redact(_message_text(answer.body_text, answer.body_html), names=names, emails=emails)
    found_title = redact(ticket.subject, names=names, emails=emails)
    removed = found_question.removed + found_answer.removed + found_title.removed
    body = f"Question\n\n{found_question.text}\n\nAnswer\n\n{found_answer.text}\n"
    return ArticleDraft(
        title=found_title.text[:MAX_TITLE] or f"From ticket #{ticket.number}",
        body=body,
        tags=tuple(ticket.tags[:MAX_TAGS]),
        source_ticket_id=ticket.id,
        removed=describe(removed),
        queue_name=ticket.queue_name,
    )


def create_from_ticket(uow: UnitOfWork, *, ticket_id: int) -> tuple[Article, ArticleDraft]:
    """The draft of `draft_from_ticket`, saved as the agent's own draft article (in the category named like
    the ticket's queue, when there is one)."""
    draft = draft_from_ticket(uow, ticket_id=ticket_id)
    queue = draft.queue_name
    roots = [c for c in list_categories(uow) if c.parent_id is None]
    category = next((c for c in roots if c.name.casefold() == queue.casefold()), None)
    article = create_article(
        uow,
        title=draft.title,
        body=draft.body,
        tags=draft.tags,
        category_id=category.id if category else None,
        source_ticket_id=ticket_id,
    )
    return article, draft


# --- helpers -------------------------------------------------------------------------------------------------


def _summary_select() -> Any:
    author = aliased(Agent)
    return select(
        KnowledgeArticle.id,
        KnowledgeArticle.title,
        KnowledgeArticle.state,
        KnowledgeArticle.visibility,
        KnowledgeArticle.category_id,
        KnowledgeArticle.tags,
        KnowledgeArticle.version,
        KnowledgeArticle.updated_at,
        author.display_name.label("author_name"),
    ).outerjoin(author, author.id == KnowledgeArticle.author_id)


def _to_summary(row: Any, categories: dict[int, Category]) -> ArticleSummary:
    category = categories.get(row.category_id) if row.category_id is not None else None
    return ArticleSummary(
        id=row.id,
        title=row.title,
        state=ArticleState(row.state),
        visibility=Visibility(row.visibility),
        category_id=row.category_id,
        category=category.label if category else "",
        tags=tuple(row.tags or ()),
        version=row.version,
        author_name=row.author_name,
        updated_at=row.updated_at,
    )


def _checked(
    title: str, body: str, body_html: str | None, tags: Iterable[str]
) -> tuple[str, str, str | None, tuple[str, ...]]:
    title = clean_line(title)
    if not title:
        raise InvalidInput("An article needs a title.")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"A title may be at most {MAX_TITLE} characters long; this one has {len(title):,}.")
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInput(f"An article may be at most {MAX_BODY_CHARS:,} characters long.")
    if body_html and (dropped := images_dropped(body_html)):
        kinds = ", ".join(f"{count} with a {scheme}: address" for scheme, count in sorted(dropped.items()))
        raise InvalidInput(
            f"An article keeps no image embedded in its HTML ({kinds}): put each image where colleagues can "
            "open it (an https:// address, e.g. the intranet) and link it there, or remove it."
        )
    try:
        body_text, safe_html = prepare_body(body, body_html)
    except ValueError as refused:
        raise InvalidInput(f"An article's formatting may hold {refused}") from None
    clean_tags = tuple(dict.fromkeys(tag for tag in (clean_line(t).lower() for t in tags) if tag))
    if len(clean_tags) > MAX_TAGS:
        raise InvalidInput(f"An article has at most {MAX_TAGS} tags; this one has {len(clean_tags)}.")
    if long := next((tag for tag in clean_tags if len(tag) > MAX_TAG), None):
        raise InvalidInput(f"A tag has at most {MAX_TAG} characters; {long[:24]!r}… has {len(long)}.")
    return title, body_text, safe_html, clean_tags


def _call(uow: UnitOfWork, statement: str, *, conflict_on: tuple[int, int] | None = None, **params: Any) -> Any:
    """One kb_* function call; its refusal as the domain's error (the transaction is then rolled back)."""
    try:
        return uow.session.execute(text(statement), params).scalar_one()
    except DBAPIError as error:
        state = getattr(error.orig, "sqlstate", None)
        uow.session.rollback()
        if state == "40001" and conflict_on is not None:
            raise _conflict(uow, *conflict_on) from None
        if state in _REFUSALS:
            raise _REFUSALS[state](_sentence(first_line(error))) from None
        raise


def _conflict(uow: UnitOfWork, article_id: int, expected_version: int) -> ArticleConflict:
    rows = uow.session.execute(
        select(KnowledgeArticleVersion.version, Agent.display_name)
        .outerjoin(Agent, Agent.id == KnowledgeArticleVersion.author_id)
        .where(KnowledgeArticleVersion.article_id == article_id, KnowledgeArticleVersion.version > expected_version)
        .order_by(KnowledgeArticleVersion.version)
    ).all()
    current = max((version for version, _name in rows), default=expected_version)
    by = tuple(dict.fromkeys(name or "someone" for _version, name in rows))
    return ArticleConflict(article_id=article_id, expected_version=expected_version, current_version=current, by=by)


def _sentence(line: str) -> str:
    line = line.strip()
    return (line[:1].upper() + line[1:]) if line else "The database refused the change"


def _message_text(body_text: str, body_html: str | None) -> str:
    if body_text.strip() or not body_html:
        return body_text
    return prepare_body("", body_html)[0]


def _diffable(version: KnowledgeArticleVersion, categories: dict[int, str]) -> list[str]:
    category = categories.get(version.category_id, "") if version.category_id is not None else ""
    return [
        f"Title: {version.title}",
        f"State: {version.state}",
        f"Visibility: {version.visibility}",
        f"Category: {category}",
        f"Tags: {', '.join(version.tags or ())}",
        "",
        *version.body.splitlines(),
    ]
