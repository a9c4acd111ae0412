"""The `switchboard` command: the desktop app by default, and subcommands for IT, scripts and demos."""

from __future__ import annotations

import click

from app import __version__
from app.cli.context import CliContext
from app.cli.db import db
from app.cli.demo import demo
from app.cli.errors import run_guarded
from app.cli.tickets import ticket


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database",
    "database_url",
    metavar="URL",
    help="PostgreSQL URL of a team server (default: settings, then the embedded database).",
)
@click.option(
    "--as",
    "acting_login",
    metavar="LOGIN",
    help="Act as the agent with this database login (until per-person sign-in lands).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail to the log file.")
@click.version_option(__version__, prog_name="switchboard")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, acting_login: str | None, verbose: bool) -> None:
    """Switchboard, the help desk on your own PostgreSQL."""
    ctx.obj = CliContext(database_url=database_url, acting_login=acting_login, verbose=verbose)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        click.echo(
            "The Switchboard desktop client is not part of this build yet. "
            "Use `switchboard ticket --help` to work with tickets, or `switchboard --help` for everything."
        )


cli.add_command(db)
cli.add_command(demo)
cli.add_command(ticket)


def main() -> None:
    run_guarded(cli)
