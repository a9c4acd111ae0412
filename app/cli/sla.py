"""`switchboard sla explain N` and `switchboard escalations`: why a ticket is due when it is, and what the
sweep escalated, through the caller's own row-level security."""

from __future__ import annotations

import click

from app.cli.context import CliContext
from app.cli.inputs import TICKET_NUMBER, CheckedCommand, CheckedGroup
from app.cli.output import say, say_json, say_lines
from app.services.sla import board, ledger
from app.services.tickets import queries


@click.group("sla", cls=CheckedGroup)
def sla_group() -> None:
    """Service levels: due times and the ledger that explains them."""


@sla_group.command("explain", cls=CheckedCommand)
@click.argument("number", type=TICKET_NUMBER)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def explain(ctx: CliContext, number: int, as_json: bool) -> None:
    """The ticket's SLA ledger in words, per target, and the due times it gives."""
    with ctx.runtime().uow() as uow:
        ticket_id = queries.ticket_id_for_number(uow, number=number)
        explained = ledger.explain_ticket(uow, ticket_id)
    if as_json:
        say_json(explained.as_json())
        return
    policy = explained.policy or "no policy applies"
    lines = [f"#{explained.number}: {policy} ({explained.calendar}, {explained.time_zone})"]
    for target in explained.targets:
        lines.append(f"{target.target.label}:")
        lines += [f"  {line}" for line in target.lines]
    if not explained.targets:
        lines.append("no SLA ledger (a ticket from before the SLA engine, or no policy)")
    say_lines(lines)


@click.command("escalations", cls=CheckedCommand)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def escalations(ctx: CliContext, as_json: bool) -> None:
    """Warnings and escalation steps on tickets still open, soonest due first (what you may see)."""
    with ctx.runtime().uow() as uow:
        rows = board.open_escalations(uow)
    if as_json:
        say_json([row.as_json() for row in rows])
        return
    if not rows:
        say("no open escalations")
        return
    say_lines(
        f"#{r.number} {r.target.replace('_', ' ')} level {r.level} ({r.action.replace('_', ' ')}), due "
        f"{r.due_at:%Y-%m-%d %H:%M %Z}: {r.subject} [{r.queue}, {r.priority}, {r.status}]"
        for r in rows
    )
