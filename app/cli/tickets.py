"""`switchboard ticket …`: the ticket service for people at a terminal and for scripts (`--json`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from app.cli.context import CliContext
from app.cli.inputs import TICKET_NUMBER, VERSION, CheckedGroup, read_stdin, stdin_is_terminal
from app.cli.output import say, say_json, text_lines
from app.services.errors import InvalidInput
from app.services.people import directory
from app.services.platform.uow import UnitOfWork
from app.services.tickets import queries, service
from app.services.tickets.dto import TicketChanged, TicketDetail, TicketSummary
from app.vocabulary import Channel, Priority, TicketType

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
version_option = click.option(
    "--if-version",
    "expected_version",
    type=VERSION,
    metavar="N",
    help="Refuse (exit 9) if the ticket changed since version N.",
)


@click.group(cls=CheckedGroup)
def ticket() -> None:
    """Create, read and change tickets."""


def _emit(data: Any, as_json: bool, lines: list[str]) -> None:
    """JSON for scripts, or lines for people (each escaped: customer text never drives the terminal)."""
    if as_json:
        say_json(data)
    else:
        say(*lines)


def _describe_change(result: TicketChanged) -> list[str]:
    t = result.ticket
    what = ", ".join(sorted(result.changed_fields)) or "nothing changed"
    return [f"#{t.number} {t.status} (version {t.version}): {what}"]


def _mutate(ctx: CliContext, number: int, as_json: bool, action: Callable[[UnitOfWork, int], TicketChanged]) -> None:
    with ctx.runtime().uow() as uow:
        ticket_id = queries.ticket_id_for_number(uow, number=number)
        result = queries.as_landed(uow, action(uow, ticket_id))
        uow.commit()
    _emit(result.to_json(), as_json, _describe_change(result))


def _body(body: str | None) -> str:
    if body is not None:
        return body
    if stdin_is_terminal():
        raise InvalidInput("Give the text with --body, or pipe it in")
    return read_stdin()


@ticket.command("create")
@click.option("--subject", required=True)
@click.option("--customer", "customer_email", required=True, metavar="EMAIL")
@click.option("--customer-name", default=None)
@click.option("--queue", "queue_name", required=True)
@click.option("--body", default=None, help="The request text (default: read from standard input).")
@click.option("--priority", type=click.Choice([p.label for p in Priority]), default="normal")
@click.option("--type", "ticket_type", type=click.Choice([t.value for t in TicketType]), default="question")
@click.option("--channel", type=click.Choice([c.value for c in Channel]), default="manual")
@click.option("--tag", "tags", multiple=True)
@json_option
@click.pass_obj
def create(
    ctx: CliContext,
    subject: str,
    customer_email: str,
    customer_name: str | None,
    queue_name: str,
    body: str | None,
    priority: str,
    ticket_type: str,
    channel: str,
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Open a ticket on behalf of a customer."""
    text = _body(body)
    with ctx.runtime().uow() as uow:
        result = service.create_ticket(
            uow,
            subject=subject,
            body=text,
            queue_id=directory.find_queue_id(uow, name=queue_name),
            customer_id=directory.find_or_create_customer(uow, email=customer_email, name=customer_name),
            priority=Priority.parse(priority),
            ticket_type=TicketType(ticket_type),
            channel=Channel(channel),
            tags=tags,
        )
        result = queries.as_landed(uow, result)  # routed and given due times, as it is committed
        uow.commit()
    _emit(result.to_json(), as_json, [f"Created #{result.ticket.number}: {result.ticket.subject}"])


@ticket.command("show")
@click.argument("number", type=TICKET_NUMBER)
@json_option
@click.pass_obj
def show(ctx: CliContext, number: int, as_json: bool) -> None:
    """Show a ticket and its conversation."""
    with ctx.runtime().uow() as uow:
        detail = queries.get_ticket(uow, ticket_id=queries.ticket_id_for_number(uow, number=number))
    _emit(detail.to_json(), as_json, _format_detail(detail))


def _format_detail(detail: TicketDetail) -> list[str]:
    t = detail.ticket
    lines = [
        f"#{t.number} {t.subject}",
        f"  status {t.status} · priority {t.priority.label} · {t.type.value} · queue {t.queue_name}",
        f"  customer {t.customer_name} · assignee {t.assignee_name or '—'} · version {t.version}",
    ]
    if t.tags:
        lines.append(f"  tags {', '.join(t.tags)}")
    if t.merged_into_id:
        lines.append(f"  merged into ticket id {t.merged_into_id}")
    for message in detail.messages:
        lines += ["", f"[{message.kind.value}] {message.author_name}, {message.created_at:%Y-%m-%d %H:%M %Z}"]
        lines.extend(f"  {line}" for line in text_lines(message.body_text.rstrip("\r\n")))
    return lines


@ticket.command("list")
@click.option("--status", "statuses", multiple=True, help="Repeat for several.")
@click.option("--queue", "queue_name")
@click.option("--assignee", metavar="LOGIN")
@click.option("--unassigned", is_flag=True)
@click.option("--priority", "priorities", multiple=True, type=click.Choice([p.label for p in Priority]))
@click.option("--tag")
@click.option("--sort", type=click.Choice([s.value for s in queries.SortOrder]), default="sla_due")
@click.option("--limit", type=click.IntRange(1, queries.MAX_PAGE_SIZE), default=50, show_default=True)
@click.option("--all", "every_page", is_flag=True, help="Every matching ticket, page after page.")
@json_option
@click.pass_obj
def list_(
    ctx: CliContext,
    statuses: tuple[str, ...],
    queue_name: str | None,
    assignee: str | None,
    unassigned: bool,
    priorities: tuple[str, ...],
    tag: str | None,
    sort: str,
    limit: int,
    every_page: bool,
    as_json: bool,
) -> None:
    """List tickets, soonest SLA due first by default."""
    with ctx.runtime().uow() as uow:
        if statuses:  # a misspelt status would list nothing, as if no ticket had it
            rules = service.load_rules(uow)
            for status in statuses:
                rules.category(status)
        ticket_filter = queries.TicketFilter(
            statuses=statuses,
            queue_id=directory.find_queue_id(uow, name=queue_name) if queue_name else None,
            assignee_id=directory.find_agent_id(uow, login_or_email=assignee) if assignee else None,
            unassigned=unassigned,
            priorities=tuple(Priority.parse(p) for p in priorities),
            tag=tag,
        )
        rows: list[TicketSummary] = []
        cursor: queries.PageCursor | None = None
        while True:
            page = queries.list_tickets(
                uow,
                ticket_filter=ticket_filter,
                sort=queries.SortOrder(sort),
                after=cursor,
                limit=queries.MAX_PAGE_SIZE if every_page else limit,
            )
            rows += page.rows
            cursor = page.next_cursor
            if not every_page or cursor is None:
                break
    _emit([row.to_json() for row in rows], as_json, [_format_row(row) for row in rows] or ["No tickets match."])


def _format_row(t: TicketSummary) -> str:
    due = f"{t.sla_due_at:%Y-%m-%d %H:%M}" if t.sla_due_at else "—"
    return (
        f"#{t.number:<7} {t.status:<12} {t.priority.label:<7} {t.queue_name[:14]:<14} "
        f"{(t.assignee_name or '—')[:18]:<18} due {due:<16} {t.subject[:60]}"
    )


@ticket.command("reply")
@click.argument("number", type=TICKET_NUMBER)
@click.option("--body", default=None, help="The reply (default: read from standard input).")
@click.option("--status", "then_status", default=None, help="Also move the ticket to this status.")
@version_option
@json_option
@click.pass_obj
def reply(
    ctx: CliContext, number: int, body: str | None, then_status: str | None, expected_version: int | None, as_json: bool
) -> None:
    """Send a public reply to the customer."""
    text = _body(body)
    _mutate(
        ctx,
        number,
        as_json,
        lambda uow, ticket_id: service.reply(
            uow, ticket_id=ticket_id, body=text, expected_version=expected_version, then_status=then_status
        ),
    )


@ticket.command("note")
@click.argument("number", type=TICKET_NUMBER)
@click.option("--body", default=None, help="The note (default: read from standard input).")
@version_option
@json_option
@click.pass_obj
def note(ctx: CliContext, number: int, body: str | None, expected_version: int | None, as_json: bool) -> None:
    """Add an internal note (agents only)."""
    text = _body(body)
    _mutate(
        ctx,
        number,
        as_json,
        lambda uow, ticket_id: service.add_note(uow, ticket_id=ticket_id, body=text, expected_version=expected_version),
    )


@ticket.command("status")
@click.argument("number", type=TICKET_NUMBER)
@click.argument("status")
@version_option
@json_option
@click.pass_obj
def status(ctx: CliContext, number: int, status: str, expected_version: int | None, as_json: bool) -> None:
    """Move a ticket to another status (closed tickets come back only with `reopen`)."""
    _mutate(
        ctx,
        number,
        as_json,
        lambda uow, ticket_id: service.change_status(
            uow, ticket_id=ticket_id, status=status, expected_version=expected_version
        ),
    )


@ticket.command("reopen")
@click.argument("number", type=TICKET_NUMBER)
@version_option
@json_option
@click.pass_obj
def reopen(ctx: CliContext, number: int, expected_version: int | None, as_json: bool) -> None:
    """Reopen a resolved or closed ticket."""
    _mutate(
        ctx,
        number,
        as_json,
        lambda uow, ticket_id: service.reopen(uow, ticket_id=ticket_id, expected_version=expected_version),
    )


@ticket.command("assign")
@click.argument("number", type=TICKET_NUMBER)
@click.argument("login", required=False)
@click.option("--none", "unassign", is_flag=True, help="Unassign the ticket.")
@version_option
@json_option
@click.pass_obj
def assign(
    ctx: CliContext, number: int, login: str | None, unassign: bool, expected_version: int | None, as_json: bool
) -> None:
    """Assign a ticket to an agent (by login or email), or unassign it with --none."""
    if bool(login) == unassign:
        raise InvalidInput("Name an agent's login, or pass --none to unassign")

    def action(uow: UnitOfWork, ticket_id: int) -> TicketChanged:
        assignee = None if unassign else directory.find_agent_id(uow, login_or_email=login or "")
        return service.assign(uow, ticket_id=ticket_id, assignee_id=assignee, expected_version=expected_version)

    _mutate(ctx, number, as_json, action)


@ticket.command("set")
@click.argument("number", type=TICKET_NUMBER)
@click.option("--subject")
@click.option("--priority", type=click.Choice([p.label for p in Priority]))
@click.option("--queue", "queue_name")
@click.option("--type", "ticket_type", type=click.Choice([t.value for t in TicketType]))
@click.option("--tag", "tags", multiple=True, help="Replace the tags (repeat for several).")
@version_option
@json_option
@click.pass_obj
def set_fields(
    ctx: CliContext,
    number: int,
    subject: str | None,
    priority: str | None,
    queue_name: str | None,
    ticket_type: str | None,
    tags: tuple[str, ...],
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Change subject, priority, queue, type or tags."""

    def action(uow: UnitOfWork, ticket_id: int) -> TicketChanged:
        changes = service.FieldChanges(
            subject=subject,
            priority=Priority.parse(priority) if priority else None,
            queue_id=directory.find_queue_id(uow, name=queue_name) if queue_name else None,
            ticket_type=TicketType(ticket_type) if ticket_type else None,
            tags=tags or None,
        )
        return service.update_fields(uow, ticket_id=ticket_id, changes=changes, expected_version=expected_version)

    _mutate(ctx, number, as_json, action)


@ticket.command("merge")
@click.argument("number", type=TICKET_NUMBER)
@click.argument("into_number", type=TICKET_NUMBER)
@version_option
@json_option
@click.pass_obj
def merge(ctx: CliContext, number: int, into_number: int, expected_version: int | None, as_json: bool) -> None:
    """Merge ticket NUMBER into INTO_NUMBER (its messages move; it closes)."""

    def action(uow: UnitOfWork, ticket_id: int) -> TicketChanged:
        target_id = queries.ticket_id_for_number(uow, number=into_number)
        return service.merge(uow, source_id=ticket_id, target_id=target_id, expected_version=expected_version)

    _mutate(ctx, number, as_json, action)


@ticket.command("link")
@click.argument("number", type=TICKET_NUMBER)
@click.argument("related_number", type=TICKET_NUMBER)
@json_option
@click.pass_obj
def link(ctx: CliContext, number: int, related_number: int, as_json: bool) -> None:
    """Mark two tickets as related."""

    def action(uow: UnitOfWork, ticket_id: int) -> TicketChanged:
        related_id = queries.ticket_id_for_number(uow, number=related_number)
        return service.link(uow, ticket_id=ticket_id, related_id=related_id)

    _mutate(ctx, number, as_json, action)
