"""The knowledge base as its callers see it: frozen values, no SQLAlchemy (the desktop imports this module)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import asdict, dataclass
from typing import Any

from app.services.errors import KnownError


class ArticleState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Visibility(enum.StrEnum):
    """Internal: for agents only. Public: may be shown or sent to customers."""

    INTERNAL = "internal"
    PUBLIC = "public"


class ArticleConflict(KnownError):
    """A save based on a stale read; says who saved in between, so nobody overwrites a colleague blindly."""

    exit_code = 9

    def __init__(self, *, article_id: int, expected_version: int | None, current_version: int, by: tuple[str, ...]):
        self.article_id = article_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.by = by
        who = ", ".join(by) or "someone"
        super().__init__(
            f"Article {article_id} was changed by {who} since you opened it (your version {expected_version}, "
            f"now {current_version}); nothing was saved. Reopen it to see their changes."
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Category:
    """`path` is the names from the root down, e.g. ("Billing", "Refunds")."""

    id: int
    name: str
    parent_id: int | None
    path: tuple[str, ...]

    @property
    def label(self) -> str:
        return " ▸ ".join(self.path)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class ArticleSummary:
    id: int
    title: str
    state: ArticleState
    visibility: Visibility
    category_id: int | None
    category: str  # the category's path as one label, "" for none
    tags: tuple[str, ...]
    version: int
    author_name: str | None
    updated_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class Attachment:
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Article:
    """`body` is the text; `body_html` the sanitised HTML when the article has formatting (show it only
    through `app.services.platform.sanitize.display_html`, like a message)."""

    summary: ArticleSummary
    body: str
    body_html: str | None
    published_at: dt.datetime | None
    updated_by_name: str | None
    source_ticket_id: int | None
    attachments: tuple[Attachment, ...] = ()

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def version(self) -> int:
        return self.summary.version

    def to_json(self) -> dict[str, Any]:
        data = self.summary.to_json()
        data.update(
            body=self.body,
            body_html=self.body_html,
            published_at=_jsonable(self.published_at),
            updated_by_name=self.updated_by_name,
            source_ticket_id=self.source_ticket_id,
            attachments=[_jsonable(asdict(attachment)) for attachment in self.attachments],
        )
        return data


@dataclass(frozen=True)
class ArticleVersion:
    """One entry of an article's history: what it was at `version`, and who saved it when."""

    version: int
    title: str
    state: ArticleState
    author_name: str | None
    created_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class ArticleDiff:
    """A unified diff of two versions (title, state, visibility, category, tags and text), line by line."""

    article_id: int
    old_version: int
    new_version: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class ArticleDraft:
    """What a solved ticket becomes: a draft article for the agent to check before an editor publishes it.
    `removed` says what customer data was taken out (kinds and counts, never the data itself)."""

    title: str
    body: str
    tags: tuple[str, ...]
    source_ticket_id: int
    removed: tuple[str, ...]
    queue_name: str = ""
