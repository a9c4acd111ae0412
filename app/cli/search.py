"""`switchboard search QUERY` and `switchboard index status|rebuild|follow`: the signed-in login's search
index on this workstation, from the command line (issue 15)."""

from __future__ import annotations

import threading

import click

from app.cli.context import CliContext
from app.cli.inputs import CheckedCommand, CheckedGroup
from app.cli.output import say, say_json, say_lines
from app.services.errors import KnownError
from app.services.search.dto import PLURAL_TO_KIND, IndexStatus, SearchResults
from app.services.search.query import KINDS


@click.command("search", cls=CheckedCommand)
@click.argument("query", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(sorted(PLURAL_TO_KIND)), help="Only tickets, articles or customers.")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def search(ctx: CliContext, query: tuple[str, ...], kind: str | None, limit: int, as_json: bool) -> None:
    """Search tickets, articles and customers you may see: words, "phrases", typos, and filters
    (status:waiting queue:billing customer:NAME tag:T created:>2026-01-01 #10423)."""
    engine = ctx.runtime().search()
    kinds = (PLURAL_TO_KIND[kind],) if kind else KINDS
    results = engine.search(" ".join(query), kinds=kinds, limit=limit, catch_up=True, count=as_json)
    _show(results, as_json)
    if results.from_database and engine.try_become_writer():
        # The first search (or the first after the index was lost) answers from the database, then builds
        # the index so the next one is fast.
        say("Building the search index…", err=True)
        try:
            engine.rebuild()
        except KnownError as error:  # the answer above stands; the index waits for the next search
            say(str(error), err=True)
            return
        say("The search index is ready.", err=True)


def _show(results: SearchResults, as_json: bool) -> None:
    if as_json:
        say_json(results.as_json())
        return
    lines = []
    if results.status_line:
        lines.append(results.status_line)
    if not results.hits:
        lines.append("nothing found")
    for hit in results.hits:
        head = f"#{hit.number}" if hit.kind == "ticket" else hit.kind
        extra = f" [{hit.queue}, {hit.status}]" if hit.kind == "ticket" else ""
        lines.append(f"{head} {hit.title}{extra}")
        if hit.snippet:
            lines.append("    " + hit.marked_snippet("[", "]").replace("\n", " "))
    say_lines(lines)


@click.group("index", cls=CheckedGroup)
def index_group() -> None:
    """Your search index on this workstation."""


def _show_status(status: IndexStatus, as_json: bool) -> None:
    if as_json:
        say_json(status.as_json())
        return
    lines = [f"state: {status.state}", f"path: {status.path}"]
    if status.progress:
        lines.append(f"built: {status.progress.done} of {status.progress.total} ({status.progress.percent}%)")
    if status.position:
        lines.append(f"change log applied up to: {status.position[0]}/{status.position[1]}")
    lines += [f"{kind}s: {n}" for kind, n in status.documents.items()]
    if status.size_bytes:
        lines.append(f"size: {status.size_bytes / 1_048_576:.1f} MiB")
    say_lines(lines)


@index_group.command("status", cls=CheckedCommand)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def index_status(ctx: CliContext, as_json: bool) -> None:
    """Ready, building or missing; how far the change log is applied; documents per kind; size."""
    _show_status(ctx.runtime().search().status(), as_json)


@index_group.command("rebuild", cls=CheckedCommand)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def index_rebuild(ctx: CliContext, as_json: bool) -> None:
    """Build the index anew (into a new directory, swapped in when complete)."""
    _show_status(ctx.runtime().search().rebuild(), as_json)


@index_group.command("follow", cls=CheckedCommand)
@click.pass_obj
def index_follow(ctx: CliContext) -> None:
    """Keep the index in step with the database until interrupted (what the desktop client does in the
    background): builds it if needed, applies the change log about once a second, reconciles now and then."""
    engine = ctx.runtime().search()
    stop = threading.Event()
    try:
        engine.follow(stop)
    except KeyboardInterrupt:
        stop.set()
