"""`switchboard kb …`: knowledge base articles from the command line. Any agent writes drafts; editors
(supervisors, admins, and agents an admin named) publish, archive and edit anything. What a login may read
and change is the database's call (migration 0018_knowledge_base)."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.context import CliContext
from app.cli.inputs import VERSION, CheckedGroup, read_stdin, stdin_is_terminal
from app.cli.output import say, say_json, say_lines, text_lines
from app.services.errors import InvalidInput, NotFound
from app.services.knowledge import service as kb
from app.services.knowledge.dto import Article, ArticleState, ArticleSummary, Visibility
from app.services.people import directory
from app.services.platform.bounded_input import read_file
from app.services.platform.uow import UnitOfWork
from app.services.tickets import queries

ARTICLE_ID = click.IntRange(1, 2**63 - 1)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
version_option = click.option(
    "--if-version", "expected_version", type=VERSION, metavar="N",
    help="Refuse (exit 9) if the article changed since version N.",
)  # fmt: skip
MAX_FILE = 10 * 1024 * 1024


@click.group("kb", cls=CheckedGroup)
def kb_group() -> None:
    """Knowledge base articles: list, show, add, edit, publish, archive, history."""


@kb_group.command("list")
@click.option("--state", type=click.Choice([s.value for s in ArticleState]), default=None)
@click.option("--category", default=None, help="A category path, e.g. 'Billing/Refunds' (with its subcategories).")
@json_option
@click.pass_obj
def list_articles(ctx: CliContext, state: str | None, category: str | None, as_json: bool) -> None:
    """The articles you may read: published ones, your drafts, and (for editors) every draft and archive."""
    with ctx.runtime().uow() as uow:
        category_id = kb.find_category(uow, category).id if category else None
        found = kb.list_articles(uow, state=ArticleState(state) if state else None, category_id=category_id)
    if as_json:
        say_json([summary.to_json() for summary in found])
        return
    if not found:
        say("No articles.")
    for summary in found:
        say(_line(summary))


@kb_group.command("show")
@click.argument("article_id", type=ARTICLE_ID)
@json_option
@click.pass_obj
def show(ctx: CliContext, article_id: int, as_json: bool) -> None:
    """One article with its text."""
    with ctx.runtime().uow() as uow:
        article = kb.get_article(uow, article_id=article_id)
    _print_article(article, as_json)


@kb_group.command("add")
@click.option("--title", required=True)
@click.option("--body", default=None, help="The text; '-' or nothing reads it from standard input.")
@click.option("--html", "is_html", is_flag=True, help="The body is HTML (sanitised; its text is kept beside it).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--category", default=None, help="A category path, e.g. 'Billing/Refunds' (editors may add new ones).")
@click.option("--public", is_flag=True, help="May be shown to customers (default: internal, for agents).")
@json_option
@click.pass_obj
def add(
    ctx: CliContext,
    title: str,
    body: str | None,
    is_html: bool,
    tags: tuple[str, ...],
    category: str | None,
    public: bool,
    as_json: bool,
) -> None:
    """Write a new article: it starts as your draft (an editor publishes it)."""
    text = _text(body)
    with ctx.runtime().uow() as uow:
        article = kb.create_article(
            uow,
            title=title,
            body="" if is_html else text,
            body_html=text if is_html else None,
            tags=tags,
            category_id=_category_id(uow, category),
            visibility=Visibility.PUBLIC if public else Visibility.INTERNAL,
        )
        uow.commit()
    if as_json:
        say_json(article.to_json())
    else:
        say(f"Added article {article.id} (draft, version {article.version}): {article.summary.title}")


@kb_group.command("edit")
@click.argument("article_id", type=ARTICLE_ID)
@click.option("--title", default=None)
@click.option("--body", default=None, help="The new text; '-' reads it from standard input.")
@click.option("--html", "is_html", is_flag=True, help="The new body is HTML.")
@click.option("--tag", "tags", multiple=True, help="Replace the tags (repeat for more).")
@click.option("--category", default=None, help="A category path; '' for none.")
@click.option("--public/--internal", "public", default=None)
@version_option
@json_option
@click.pass_obj
def edit(
    ctx: CliContext,
    article_id: int,
    title: str | None,
    body: str | None,
    is_html: bool,
    tags: tuple[str, ...],
    category: str | None,
    public: bool | None,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Change an article (editors any; an author their own draft). What you leave out stays as it is."""
    new_text = _text(body) if body is not None else None
    with ctx.runtime().uow() as uow:
        current = kb.get_article(uow, article_id=article_id)
        keep_html = new_text is None and current.body_html is not None
        article = kb.edit_article(
            uow,
            article_id=article_id,
            expected_version=expected_version if expected_version is not None else current.version,
            title=title if title is not None else current.summary.title,
            body=current.body if new_text is None else ("" if is_html else new_text),
            body_html=current.body_html if keep_html else (new_text if is_html else None),
            tags=tags if tags else current.summary.tags,
            category_id=current.summary.category_id if category is None else _category_id(uow, category or None),
            visibility=current.summary.visibility if public is None else _visibility(public),
        )
        uow.commit()
    if as_json:
        say_json(article.to_json())
    else:
        say(f"Saved article {article.id} as version {article.version}.")


@kb_group.command("publish")
@click.argument("article_id", type=ARTICLE_ID)
@version_option
@json_option
@click.pass_obj
def publish(ctx: CliContext, article_id: int, expected_version: int | None, as_json: bool) -> None:
    """Publish an article: every agent reads it (editors only)."""
    _set_state(ctx, article_id, expected_version, ArticleState.PUBLISHED, as_json)


@kb_group.command("archive")
@click.argument("article_id", type=ARTICLE_ID)
@version_option
@json_option
@click.pass_obj
def archive(ctx: CliContext, article_id: int, expected_version: int | None, as_json: bool) -> None:
    """Archive an article: agents no longer see it; it and its history are kept (editors only)."""
    _set_state(ctx, article_id, expected_version, ArticleState.ARCHIVED, as_json)


@kb_group.command("history")
@click.argument("article_id", type=ARTICLE_ID)
@click.option("--diff", "diff_range", is_flag=False, flag_value="latest", default=None, metavar="[OLD:NEW]",
              help="Show what changed between two versions (alone: the last change).")  # fmt: skip
@json_option
@click.pass_obj
def history(ctx: CliContext, article_id: int, diff_range: str | None, as_json: bool) -> None:
    """Every version of an article, who saved it and when; --diff shows what changed."""
    with ctx.runtime().uow() as uow:
        if diff_range is not None:
            old, new = _versions(diff_range)
            found = kb.diff(uow, article_id=article_id, old_version=old, new_version=new)
            if as_json:
                say_json(found.to_json())
            else:
                say_lines(found.lines or [f"Versions {found.old_version} and {found.new_version} are the same."])
            return
        versions = kb.history(uow, article_id=article_id)
    if as_json:
        say_json([version.to_json() for version in versions])
        return
    for version in versions:
        when = version.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        say(f"v{version.version:<4} {when}  {version.state.value:<9}  {version.author_name or '—'}: {version.title}")


@kb_group.command("from-ticket")
@click.argument("number", type=click.IntRange(1, 2**63 - 1))
@json_option
@click.pass_obj
def from_ticket(ctx: CliContext, number: int, as_json: bool) -> None:
    """Turn a resolved ticket into your draft article: its question and answer, the customer's names,
    addresses, phone numbers and address lines taken out. Check it before an editor publishes it."""
    with ctx.runtime().uow() as uow:
        ticket_id = queries.ticket_id_for_number(uow, number=number)
        article, draft = kb.create_from_ticket(uow, ticket_id=ticket_id)
        uow.commit()
    if as_json:
        say_json({**article.to_json(), "removed": list(draft.removed)})
        return
    say(f"Added draft article {article.id} from ticket #{number}: {article.summary.title}")
    say("Removed: " + (", ".join(draft.removed) or "nothing") + ". Check the text before it is published.")


@kb_group.command("categories")
@json_option
@click.pass_obj
def categories(ctx: CliContext, as_json: bool) -> None:
    """The category tree."""
    with ctx.runtime().uow() as uow:
        found = kb.list_categories(uow)
    if as_json:
        say_json([category.to_json() for category in found])
        return
    for category in found:
        say(f"{category.id:>5}  {'  ' * (len(category.path) - 1)}{category.name}")


@kb_group.command("attach")
@click.argument("article_id", type=ARTICLE_ID)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--type", "media_type", default="application/octet-stream", show_default=True)
@json_option
@click.pass_obj
def attach(ctx: CliContext, article_id: int, path: Path, media_type: str, as_json: bool) -> None:
    """Attach an image or file (at most 10 MiB; stored once by its SHA-256)."""
    data = read_file(path, MAX_FILE)  # before anything else: /dev/zero passed a size check of 0
    with ctx.runtime().uow() as uow:
        attached = kb.attach_file(uow, article_id=article_id, filename=path.name, media_type=media_type, data=data)
        uow.commit()
    if as_json:
        say_json({"id": attached.id, "filename": attached.filename, "size": attached.size, "sha256": attached.sha256})
    else:
        say(f"Attached {attached.filename} ({attached.size:,} bytes, sha256 {attached.sha256[:12]}…)")


@kb_group.command("editor")
@click.argument("login")
@click.option("--revoke", is_flag=True, help="Take the right back.")
@click.pass_obj
def editor(ctx: CliContext, login: str, revoke: bool) -> None:
    """Let an agent write and publish articles (admins only; supervisors and admins may anyway)."""
    with ctx.runtime().uow() as uow:
        agent_id = directory.find_agent_id(uow, login_or_email=login)
        kb.set_editor(uow, agent_id=agent_id, is_editor=not revoke)
        uow.commit()
    say(f"{login} {'is no longer' if revoke else 'is now'} a knowledge base editor.")


def _set_state(
    ctx: CliContext, article_id: int, expected_version: int | None, state: ArticleState, as_json: bool
) -> None:
    with ctx.runtime().uow() as uow:
        version = (
            expected_version if expected_version is not None else kb.get_article(uow, article_id=article_id).version
        )
        article = kb.set_state(uow, article_id=article_id, expected_version=version, state=state)
        uow.commit()
    if as_json:
        say_json(article.to_json())
    else:
        say(f"Article {article.id} is {state.value} (version {article.version}).")


def _print_article(article: Article, as_json: bool) -> None:
    if as_json:
        say_json(article.to_json())
        return
    summary = article.summary
    lines = [
        f"{summary.title}",
        f"{summary.state.value} · {summary.visibility.value} · version {summary.version} · "
        f"{summary.category or 'no category'} · by {summary.author_name or '—'}",
    ]
    if summary.tags:
        lines.append("tags: " + ", ".join(summary.tags))
    lines += ["", *text_lines(article.body)]
    if article.attachments:
        lines += ["", "files:", *(f"  {a.filename} ({a.size:,} bytes, {a.media_type})" for a in article.attachments)]
    say_lines(lines)


def _line(summary: ArticleSummary) -> str:
    state = "" if summary.state is ArticleState.PUBLISHED else f"  [{summary.state.value}]"
    where = f"{summary.category}: " if summary.category else ""
    return f"{summary.id:>5}  {where}{summary.title}{state}"


def _category_id(uow: UnitOfWork, label: str | None) -> int | None:
    if not label:
        return None
    try:
        return kb.find_category(uow, label).id
    except NotFound:
        path = [part.strip() for part in label.replace("▸", "/").split("/") if part.strip()]
        return kb.ensure_category_path(uow, path).id


def _visibility(public: bool) -> Visibility:
    return Visibility.PUBLIC if public else Visibility.INTERNAL


def _versions(given: str) -> tuple[int | None, int | None]:
    if given.strip() in ("", "latest"):
        return None, None
    old, sep, new = given.partition(":")
    try:
        return int(old), (int(new) if sep and new.strip() else None)
    except ValueError:
        raise InvalidInput(f"--diff takes OLD:NEW version numbers, e.g. 2:3, not {given!r}") from None


def _text(given: str | None) -> str:
    """The text given, or (for '-' or nothing) what is piped in."""
    if given not in (None, "-"):
        return str(given)
    if stdin_is_terminal():
        raise InvalidInput("Give the text with --body, or pipe it in")
    return read_stdin()
