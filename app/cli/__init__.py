"""The `switchboard` command: the desktop app by default, and subcommands for IT, scripts and demos."""

from __future__ import annotations

import click

from app import __version__
from app.cli.connector import connector_group
from app.cli.context import CliContext
from app.cli.db import db
from app.cli.demo import demo
from app.cli.doctor import doctor
from app.cli.errors import run_guarded
from app.cli.inputs import CheckedGroup
from app.cli.kb import kb_group
from app.cli.responses import response
from app.cli.routing import agent_group, next_ticket, routing_group
from app.cli.search import index_group, search
from app.cli.sla import escalations, sla_group
from app.cli.tickets import ticket
from app.cli.users import user as user_group
from app.cli.worker import worker
from app.services.platform.config import parse_database_url


def _check_database_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a malformed URL, or one holding a password (it would show in `ps`), before anything runs."""
    if value:
        parse_database_url(value, source="--database")
    return value


@click.group(cls=CheckedGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database",
    "database_url",
    metavar="URL",
    callback=_check_database_url,
    help="PostgreSQL URL of a team server (default: settings, then the embedded database).",
)
@click.option(
    "--user",
    "-U",
    "user",
    metavar="LOGIN",
    help="Sign in as this login (default: the URL's user; on the embedded database, its local admin).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--remember", is_flag=True, help="Keep the password in the OS keyring (never in a file).")
@click.option(
    "--as",
    "acting_login",
    metavar="LOGIN",
    hidden=True,
    help="Trusted sessions only (superuser, owner role): act for this agent.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail to the log file.")
@click.option("--smoke", is_flag=True, help="Open the client on a throwaway database and exit 0 if it works.")
@click.option("--startup-probe", is_flag=True, hidden=True, help="Time the start to the sign-in window, then exit.")
@click.version_option(__version__, prog_name="switchboard")
@click.pass_context
def cli(
    ctx: click.Context,
    database_url: str | None,
    user: str | None,
    password_stdin: bool,
    remember: bool,
    acting_login: str | None,
    verbose: bool,
    smoke: bool,
    startup_probe: bool,
) -> None:
    """Switchboard, the help desk on your own PostgreSQL."""
    ctx.obj = CliContext(
        database_url=database_url,
        acting_login=acting_login,
        user=user,
        password_stdin=password_stdin,
        remember=remember,
        verbose=verbose,
    )
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        from app import desktop  # Qt loads only for the desktop client

        if startup_probe or smoke:
            ctx.exit(desktop.run_startup_probe() if startup_probe else desktop.run_smoke())
        ctx.exit(desktop.run_desktop(configured=ctx.obj.target, login=user))


cli.add_command(connector_group)
cli.add_command(db)
cli.add_command(demo)
cli.add_command(doctor)
cli.add_command(kb_group)
cli.add_command(response)
cli.add_command(routing_group)
cli.add_command(sla_group)
cli.add_command(escalations)
cli.add_command(agent_group)
cli.add_command(ticket)
ticket.add_command(next_ticket)
cli.add_command(user_group)
cli.add_command(worker)
cli.add_command(search)
cli.add_command(index_group)


def main() -> None:
    run_guarded(cli)
