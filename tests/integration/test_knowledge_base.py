"""The knowledge base through the service, as each person's own login on both servers: drafts, publishing,
versions with their authors and a diff, conflicts, files as content-addressed blobs, the change log, and a
solved ticket turned into a draft without the customer's data.

People (tests/support/desk.py): alice and ann work Billing, bob works Tech, carol leads Tech (supervisor),
sam is a supervisor who leads nothing, dana is an admin.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

import pytest

from app.services.errors import InvalidInput, NotFound, NotPermitted
from app.services.knowledge import service as kb
from app.services.knowledge.dto import ArticleConflict, ArticleState, Visibility
from app.services.platform import changes
from app.services.platform.uow import UnitOfWork
from app.services.tickets import service as tickets
from tests.support.desk import Desk

pytestmark = pytest.mark.slow
T = TypeVar("T")


def as_(desk: Desk, person: str, work: Callable[[UnitOfWork], T], *, commit: bool = True) -> T:
    """`work` in one unit of work on `person`'s own login."""
    runtime = desk.runtime(person)
    try:
        with runtime.uow() as uow:
            result = work(uow)
            if commit:
                uow.commit()
            return result
    finally:
        runtime.close()


def titles(desk: Desk, person: str) -> set[str]:
    return {a.title for a in as_(desk, person, lambda uow: kb.list_articles(uow), commit=False)}


def test_a_draft_is_its_authors_until_an_editor_publishes_it(desk: Desk) -> None:
    draft = as_(
        desk,
        "alice",
        lambda uow: kb.create_article(
            uow,
            title="Refunds for duplicate charges",
            body="Refund the second charge.",
            tags=["Refund", "billing", "refund"],
        ),
    )
    assert draft.summary.state is ArticleState.DRAFT and draft.version == 1
    assert draft.summary.tags == ("refund", "billing") and draft.summary.author_name == "Alice"
    assert draft.summary.visibility is Visibility.INTERNAL
    assert "Refunds for duplicate charges" in titles(desk, "alice")
    for other in ("ann", "bob", "sam"):  # another agent, another queue, a supervisor: sam is an editor
        assert ("Refunds for duplicate charges" in titles(desk, other)) is (other == "sam")
    with pytest.raises(NotPermitted):
        as_(desk, "alice", lambda uow: kb.publish(uow, article_id=draft.id))
    with pytest.raises(NotFound):  # ann may not read it, so may not learn it exists
        as_(desk, "ann", lambda uow: kb.get_article(uow, article_id=draft.id))
    published = as_(desk, "carol", lambda uow: kb.publish(uow, article_id=draft.id, expected_version=1))
    assert published.summary.state is ArticleState.PUBLISHED and published.published_at is not None
    assert all("Refunds for duplicate charges" in titles(desk, p) for p in ("ann", "bob", "dana"))
    # Now it is everyone's: its author may no longer change it alone.
    with pytest.raises(NotPermitted):
        as_(
            desk,
            "alice",
            lambda uow: kb.edit_article(uow, article_id=draft.id, expected_version=2, title="Mine", body="x"),
        )
    archived = as_(desk, "dana", lambda uow: kb.archive(uow, article_id=draft.id))
    assert archived.summary.state is ArticleState.ARCHIVED
    assert "Refunds for duplicate charges" not in titles(desk, "ann")


def test_every_version_is_kept_with_its_author_and_reads_as_a_diff(desk: Desk) -> None:
    article = as_(
        desk, "sam", lambda uow: kb.create_article(uow, title="Resetting two-factor", body="Step one.\nStep two.\n")
    )
    as_(desk, "sam", lambda uow: kb.publish(uow, article_id=article.id, expected_version=1))
    edited = as_(
        desk,
        "carol",
        lambda uow: kb.edit_article(
            uow,
            article_id=article.id,
            expected_version=2,
            title="Resetting two-factor authentication",
            body="Step one.\nStep two, with the recovery code.\n",
            tags=["2fa"],
            visibility=Visibility.PUBLIC,
        ),
    )
    assert edited.version == 3 and edited.updated_by_name == "Carol"
    history = as_(desk, "bob", lambda uow: kb.history(uow, article_id=article.id), commit=False)
    assert [(v.version, v.author_name, v.state) for v in history] == [
        (3, "Carol", ArticleState.PUBLISHED),
        (2, "Sam", ArticleState.PUBLISHED),
        (1, "Sam", ArticleState.DRAFT),
    ]
    diff = as_(desk, "bob", lambda uow: kb.diff(uow, article_id=article.id), commit=False)
    assert (diff.old_version, diff.new_version) == (2, 3)
    assert "-Title: Resetting two-factor" in diff.lines and "+Title: Resetting two-factor authentication" in diff.lines
    assert "-Step two." in diff.lines and "+Step two, with the recovery code." in diff.lines
    assert "+Visibility: public" in diff.lines and "+Tags: 2fa" in diff.lines
    assert " Step one." in diff.lines  # context stays
    first = as_(
        desk, "bob", lambda uow: kb.diff(uow, article_id=article.id, old_version=1, new_version=2), commit=False
    )
    assert "-State: draft" in first.lines and "+State: published" in first.lines
    with pytest.raises(NotFound):
        as_(desk, "bob", lambda uow: kb.diff(uow, article_id=article.id, old_version=9), commit=False)


def test_a_stale_save_is_refused_and_names_who_saved_first(desk: Desk) -> None:
    article = as_(desk, "carol", lambda uow: kb.create_article(uow, title="VAT numbers", body="Old text"))
    as_(
        desk,
        "sam",
        lambda uow: kb.edit_article(
            uow, article_id=article.id, expected_version=1, title="VAT numbers", body="Sam's text"
        ),
    )
    with pytest.raises(ArticleConflict) as refused:
        as_(
            desk,
            "carol",
            lambda uow: kb.edit_article(
                uow, article_id=article.id, expected_version=1, title="VAT numbers", body="Carol's text"
            ),
        )
    assert refused.value.by == ("Sam",) and refused.value.current_version == 2
    assert "Sam" in str(refused.value) and "nothing was saved" in str(refused.value)
    assert as_(desk, "carol", lambda uow: kb.get_article(uow, article_id=article.id), commit=False).body == "Sam's text"
    with pytest.raises(ArticleConflict):
        as_(
            desk,
            "carol",
            lambda uow: kb.set_state(uow, article_id=article.id, expected_version=1, state=ArticleState.PUBLISHED),
        )


def test_an_admin_makes_an_agent_an_editor_and_takes_it_back(desk: Desk) -> None:
    article = as_(desk, "ann", lambda uow: kb.create_article(uow, title="Plan changes mid-cycle", body="Prorated."))
    with pytest.raises(NotPermitted):
        as_(desk, "carol", lambda uow: kb.set_editor(uow, agent_id=desk.ids["ann"], is_editor=True))
    assert as_(desk, "dana", lambda uow: kb.set_editor(uow, agent_id=desk.ids["ann"], is_editor=True)) is True
    assert as_(desk, "ann", kb.is_editor, commit=False)
    as_(desk, "ann", lambda uow: kb.publish(uow, article_id=article.id))
    as_(desk, "dana", lambda uow: kb.set_editor(uow, agent_id=desk.ids["ann"], is_editor=False))
    assert not as_(desk, "ann", kb.is_editor, commit=False)
    with pytest.raises(NotPermitted):
        as_(desk, "ann", lambda uow: kb.archive(uow, article_id=article.id))


def test_categories_form_a_tree_editors_grow(desk: Desk) -> None:
    refunds = as_(desk, "carol", lambda uow: kb.ensure_category_path(uow, ["Billing", "Refunds"]))
    assert refunds.path == ("Billing", "Refunds") and refunds.label == "Billing ▸ Refunds"
    with pytest.raises(NotPermitted):
        as_(desk, "alice", lambda uow: kb.add_category(uow, name="Mine"))
    with pytest.raises(InvalidInput):  # the same name under the same parent
        as_(desk, "carol", lambda uow: kb.add_category(uow, name="Refunds", parent_id=refunds.parent_id))
    article = as_(
        desk,
        "carol",
        lambda uow: kb.create_article(uow, title="Refund windows", body="30 days.", category_id=refunds.id),
    )
    as_(desk, "carol", lambda uow: kb.publish(uow, article_id=article.id))
    billing = as_(desk, "bob", lambda uow: kb.find_category(uow, "billing"), commit=False)
    in_billing = as_(desk, "bob", lambda uow: kb.list_articles(uow, category_id=billing.id), commit=False)
    assert [(a.title, a.category) for a in in_billing] == [("Refund windows", "Billing ▸ Refunds")]


def test_formatting_is_sanitised_and_the_text_follows_it(desk: Desk) -> None:
    article = as_(
        desk,
        "carol",
        lambda uow: kb.create_article(
            uow,
            title="Formatted",
            body="ignored",
            body_html="<h2>Steps</h2><ol><li>Open <b>Billing</b></li><li>Refund</li></ol>"
            '<script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:x()">link</a>',
        ),
    )
    assert article.body_html is not None
    assert "<script" not in article.body_html and "onerror" not in article.body_html
    assert "javascript" not in article.body_html and "<b>Billing</b>" in article.body_html
    assert article.body.splitlines()[:3] == ["Steps", "", "- Open Billing"]


def test_files_are_stored_once_by_their_hash_and_read_only_with_their_article(desk: Desk) -> None:
    data = b"\x89PNG fake screenshot bytes"
    article = as_(desk, "alice", lambda uow: kb.create_article(uow, title="Where the invoice lives", body="See."))
    first = as_(
        desk,
        "alice",
        lambda uow: kb.attach_file(
            uow, article_id=article.id, filename="../../etc/shot.png", media_type="image/png", data=data
        ),
    )
    assert first.sha256 == hashlib.sha256(data).hexdigest() and first.size == len(data)
    assert first.filename == ".._.._etc_shot.png"
    with pytest.raises(NotFound):  # a colleague cannot read a draft's file
        as_(desk, "ann", lambda uow: kb.attachment_data(uow, attachment_id=first.id), commit=False)
    with pytest.raises(InvalidInput):
        as_(
            desk,
            "alice",
            lambda uow: kb.attach_file(
                uow,
                article_id=article.id,
                filename="big.bin",
                media_type="application/octet-stream",
                data=b"x" * (10 * 1024 * 1024 + 1),
            ),
        )
    as_(desk, "carol", lambda uow: kb.publish(uow, article_id=article.id))
    second = as_(
        desk,
        "carol",
        lambda uow: kb.attach_file(uow, article_id=article.id, filename="copy.png", media_type="image/png", data=data),
    )
    assert second.sha256 == first.sha256
    found, read = as_(desk, "bob", lambda uow: kb.attachment_data(uow, attachment_id=first.id), commit=False)
    assert read == data and found.media_type == "image/png"
    with desk.connect_as_dba() as dba:
        assert dba.execute("SELECT count(*) FROM switchboard.blob WHERE sha256 = %s", (first.sha256,)).fetchone() == (
            1,
        )


@pytest.mark.parametrize(
    ("filename", "media_type", "said"),
    [
        ("shot.png", "text/html\r\nX-Evil: 1", "is not a media type"),
        ("shot.png", "png", "is not a media type"),
        ("taken.png", "image/png", "has a file named 'taken.png' already"),
    ],
)
def test_a_file_with_a_forged_type_or_a_name_taken_is_refused_in_words(
    desk: Desk, filename: str, media_type: str, said: str
) -> None:
    article = as_(desk, "alice", lambda uow: kb.create_article(uow, title=f"Files {said}", body="See."))
    as_(
        desk,
        "alice",
        lambda uow: kb.attach_file(uow, article_id=article.id, filename="taken.png", media_type="image/png", data=b"1"),
    )
    with pytest.raises(InvalidInput, match=said):
        as_(
            desk,
            "alice",
            lambda uow: kb.attach_file(uow, article_id=article.id, filename=filename, media_type=media_type, data=b"2"),
        )


def test_a_file_name_loses_its_direction_overrides(desk: Desk) -> None:
    article = as_(desk, "alice", lambda uow: kb.create_article(uow, title="Disguised", body="See."))
    shown = as_(
        desk,
        "alice",
        lambda uow: kb.attach_file(
            uow,
            article_id=article.id,
            filename="invoice\u202efdp.exe",
            media_type="application/octet-stream",
            data=b"MZ",
        ),
    )
    assert shown.filename == "invoicefdp.exe"  # it showed as "invoiceexe.pdf"


def test_every_article_write_is_in_the_change_log(desk: Desk) -> None:
    start = as_(desk, "bob", changes.head, commit=False)
    article = as_(desk, "carol", lambda uow: kb.create_article(uow, title="Change log", body="v1"))
    as_(desk, "carol", lambda uow: kb.publish(uow, article_id=article.id, expected_version=1))
    seen = as_(desk, "bob", lambda uow: changes.changes_since(uow, start), commit=False)
    mine = [(c.entity, c.entity_id, c.ticket_id, c.operation) for c in seen if c.entity == "knowledge_article"]
    assert mine == [
        ("knowledge_article", article.id, None, "insert"),
        ("knowledge_article", article.id, None, "update"),
    ]


def _solved_ticket(desk: Desk) -> int:
    def work(uow: UnitOfWork) -> int:
        created = tickets.create_ticket(
            uow,
            subject="Jane Doe was charged twice for the annual plan",
            customer_id=desk.ids["jane"],
            queue_id=desk.ids["billing"],
            body="Hi team,\n\nI was charged twice for the annual plan (invoice INV-2026-0412).\n"
            "Please call me on +44 20 7946 0958 or write to jane.private@mail.test.\n\n"
            "Thanks,\nJane Doe\n12 Baker Street\nLondon NW1 6XE",
            tags=("refund",),
        ).ticket
        replied = tickets.reply(
            uow,
            ticket_id=created.id,
            body="Hello Jane,\n\nI refunded the duplicate charge; it reaches your card within 5 business days. "
            "We'll confirm to jane@customer.test.\n\nBest regards,\nAlice",
            expected_version=created.version,
        ).ticket
        tickets.change_status(uow, ticket_id=created.id, status="resolved", expected_version=replied.version)
        return created.id

    return as_(desk, "alice", work)


def test_a_solved_ticket_becomes_a_draft_without_the_customers_data(desk: Desk) -> None:
    ticket_id = _solved_ticket(desk)
    article, draft = as_(desk, "alice", lambda uow: kb.create_from_ticket(uow, ticket_id=ticket_id))
    everything = f"{article.summary.title}\n{article.body}"
    for secret in [
        "Jane",
        "Doe",
        "+44 20 7946 0958",
        "jane.private@mail.test",
        "jane@customer.test",
        "Baker Street",
        "NW1 6XE",
        "Thanks",
        "Best regards",
    ]:
        assert secret not in everything, secret
    assert article.summary.title == "[customer] was charged twice for the annual plan"
    assert "I was charged twice for the annual plan (invoice INV-2026-0412)." in article.body
    assert "I refunded the duplicate charge; it reaches your card within 5 business days." in article.body
    assert article.body.startswith("Question\n\n") and "\n\nAnswer\n\n" in article.body
    assert article.summary.state is ArticleState.DRAFT and article.source_ticket_id == ticket_id
    assert article.summary.author_name == "Alice" and article.summary.tags == ("refund",)
    assert {"1 phone number", "2 email addresses"} <= set(draft.removed), draft.removed
    with pytest.raises(NotFound):  # bob works Tech: the ticket does not exist for him
        as_(desk, "bob", lambda uow: kb.create_from_ticket(uow, ticket_id=ticket_id))
    with pytest.raises(InvalidInput, match="not resolved"):
        as_(desk, "bob", lambda uow: kb.create_from_ticket(uow, ticket_id=desk.ids["tech_open"]))
