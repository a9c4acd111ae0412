"""The `switchboard` command: the desktop app by default, and subcommands for IT, scripts and demos."""

from __future__ import annotations

import importlib

import click

from app import __version__
from app.cli.errors import run_guarded
from app.cli.inputs import CheckedGroup

# Each command's module, imported only when that command runs (or for --help): a `switchboard ticket show`
# need not load search, the connectors, the knowledge base's demo articles or the SLA calendars first. Every
# CLI call is a new process, so this is paid on each one (the e2e suite makes hundreds).
COMMANDS = {
    "agent": "app.cli.routing:agent_group",
    "connector": "app.cli.connector:connector_group",
    "db": "app.cli.db:db",
    "demo": "app.cli.demo:demo",
    "doctor": "app.cli.doctor:doctor",
    "escalations": "app.cli.sla:escalations",
    "index": "app.cli.search:index_group",
    "kb": "app.cli.kb:kb_group",
    "response": "app.cli.responses:response",
    "routing": "app.cli.routing:routing_group",
    "search": "app.cli.search:search",
    "sla": "app.cli.sla:sla_group",
    "team": "app.cli.sla:team",
    "ticket": "app.cli.tickets:ticket",
    "user": "app.cli.users:user",
    "worker": "app.cli.worker:worker",
}
# Commands that join another module's group when that group loads.
JOINS = {"ticket": ("app.cli.routing:next_ticket",)}


def _load(spec: str) -> click.Command:
    module, name = spec.split(":")
    command = getattr(importlib.import_module(module), name)
    assert isinstance(command, click.Command), spec
    return command


class LazyGroup(CheckedGroup):
    """The top-level group: its commands are named here and imported when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        command = _load(spec)
        if isinstance(command, click.Group):
            for joining in JOINS.get(cmd_name, ()):
                joined = _load(joining)
                if joined.name not in command.commands:
                    command.add_command(joined)
        return command


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database",
    "database_url",
    metavar="URL",
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
    if ctx.invoked_subcommand is None:
        # The desktop client shows its sign-in window first and loads the database layers behind it (issue
        # 12: start-up); a bad --database is said in that window.
        from app import desktop
        from app.services.platform.paths import data_dir
        from app.services.platform.redaction import configure_logging

        configure_logging(data_dir() / "logs", verbose=verbose)
        if startup_probe or smoke:
            ctx.exit(desktop.run_startup_probe() if startup_probe else desktop.run_smoke())
        ctx.exit(desktop.run_desktop(database_url=database_url, login=user))
    from app.cli.context import CliContext
    from app.services.platform.config import parse_database_url

    if database_url:  # a malformed URL, or one holding a password (it would show in `ps`), before anything runs
        parse_database_url(database_url, source="--database")
    ctx.obj = CliContext(
        database_url=database_url,
        acting_login=acting_login,
        user=user,
        password_stdin=password_stdin,
        remember=remember,
        verbose=verbose,
    )
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    run_guarded(cli)
