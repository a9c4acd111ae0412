"""`switchboard response …`: the team's canned responses, and one's own signature. What a login may see
and change is the database's call (supervisors for the queues they lead, admins for all)."""

from __future__ import annotations

import click

from app.cli.context import CliContext
from app.cli.inputs import CheckedGroup, read_stdin, stdin_is_terminal
from app.cli.output import say, say_json
from app.services.errors import InvalidInput
from app.services.people import directory
from app.services.responses import service as responses
from app.services.responses.dto import PLACEHOLDERS


@click.group("response", cls=CheckedGroup)
def response() -> None:
    """List, add and retire canned responses; set your signature."""


@response.command("list")
@click.option("--queue", default=None, help="Only the responses offered in this queue (and team-wide ones).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_responses(ctx: CliContext, queue: str | None, as_json: bool) -> None:
    """The responses you may use."""
    with ctx.runtime().uow() as uow:
        queue_id = directory.find_queue_id(uow, name=queue) if queue else None
        found = responses.list_responses(uow, queue_id=queue_id)
    if as_json:
        say_json([{"id": r.id, "title": r.title, "queue_id": r.queue_id, "body": r.body} for r in found])
        return
    for item in found:
        say(f"{item.id:>5}  {item.title}" + ("" if item.queue_id is not None else "  (every queue)"))


@response.command(
    "add", help="Add a response. Placeholders: " + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS) + "."
)
@click.option("--title", required=True)
@click.option("--body", default=None, help="The text; '-' or nothing reads it from standard input.")
@click.option("--queue", default=None, help="The queue it belongs to; leave out for every queue (admins).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def add(ctx: CliContext, title: str, body: str | None, queue: str | None, as_json: bool) -> None:
    text = _text(body)
    with ctx.runtime().uow() as uow:
        queue_id = directory.find_queue_id(uow, name=queue) if queue else None
        added = responses.add_response(uow, title=title, body=text or "", queue_id=queue_id)
        uow.commit()
    if as_json:
        say_json({"id": added.id, "title": added.title, "queue_id": added.queue_id})
    else:
        say(f"Added response {added.id}: {added.title}")


@response.command("retire")
@click.argument("response_id", type=click.IntRange(1, 2**63 - 1))
@click.pass_obj
def retire(ctx: CliContext, response_id: int) -> None:
    """Stop offering a response (it is kept, never deleted)."""
    with ctx.runtime().uow() as uow:
        responses.retire_response(uow, response_id=response_id)
        uow.commit()
    say(f"Response {response_id} is no longer offered.")


@response.command("signature")
@click.argument("text", required=False)
@click.pass_obj
def signature(ctx: CliContext, text: str | None) -> None:
    """Show your signature, or set it ('-' reads it from standard input); {signature} in a response."""
    with ctx.runtime().uow() as uow:
        if text is None:
            say(responses.signature_of(uow) or "(no signature yet)")
            return
        responses.set_signature(uow, _text(text))
        uow.commit()
    say("Signature saved.")


def _text(given: str | None) -> str:
    """The text given, or (for '-' or nothing) what is piped in."""
    if given not in (None, "-"):
        return str(given)
    if stdin_is_terminal():
        raise InvalidInput("Give the text as an argument, or pipe it in")
    return read_stdin()
