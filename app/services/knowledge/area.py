"""The desk's knowledge base area (`desk.knowledge`): each method one unit of work, frozen values out."""

from __future__ import annotations

from app.services.knowledge import service
from app.services.knowledge.dto import (
    Article,
    ArticleDiff,
    ArticleDraft,
    ArticleState,
    ArticleSummary,
    ArticleVersion,
    Category,
    Visibility,
)
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWorkSource


class KnowledgeBase(SpeaksDomainErrors):
    """Articles as the signed-in login may read and write them (the database decides; see service)."""

    def __init__(self, runtime: UnitOfWorkSource) -> None:
        self.runtime = runtime

    def may_edit(self) -> bool:
        """Whether this login is a knowledge base editor (publishes, archives, edits any article)."""
        with self.runtime.uow() as uow:
            return service.is_editor(uow)

    def categories(self) -> list[Category]:
        with self.runtime.uow() as uow:
            return service.list_categories(uow)

    def articles(self, state: ArticleState | None = None) -> list[ArticleSummary]:
        with self.runtime.uow() as uow:
            return service.list_articles(uow, state=state)

    def article(self, article_id: int) -> Article:
        with self.runtime.uow() as uow:
            return service.get_article(uow, article_id=article_id)

    def create(
        self, *, title: str, body: str, tags: tuple[str, ...], category_id: int | None, visibility: Visibility
    ) -> Article:
        with self.runtime.uow() as uow:
            article = service.create_article(
                uow, title=title, body=body, tags=tags, category_id=category_id, visibility=visibility
            )
            uow.commit()
            return article

    def save(
        self,
        article_id: int,
        expected_version: int,
        *,
        title: str,
        body: str,
        body_html: str | None,
        tags: tuple[str, ...],
        category_id: int | None,
        visibility: Visibility,
    ) -> Article:
        with self.runtime.uow() as uow:
            article = service.edit_article(
                uow,
                article_id=article_id,
                expected_version=expected_version,
                title=title,
                body=body,
                body_html=body_html,
                tags=tags,
                category_id=category_id,
                visibility=visibility,
            )
            uow.commit()
            return article

    def set_state(self, article_id: int, expected_version: int, state: ArticleState) -> Article:
        with self.runtime.uow() as uow:
            article = service.set_state(uow, article_id=article_id, expected_version=expected_version, state=state)
            uow.commit()
            return article

    def history(self, article_id: int) -> list[ArticleVersion]:
        with self.runtime.uow() as uow:
            return service.history(uow, article_id=article_id)

    def diff(self, article_id: int, old_version: int | None = None, new_version: int | None = None) -> ArticleDiff:
        with self.runtime.uow() as uow:
            return service.diff(uow, article_id=article_id, old_version=old_version, new_version=new_version)

    def from_ticket(self, ticket_id: int) -> tuple[Article, ArticleDraft]:
        """Turns a resolved ticket into the agent's own draft article (customer data taken out)."""
        with self.runtime.uow() as uow:
            found = service.create_from_ticket(uow, ticket_id=ticket_id)
            uow.commit()
            return found
