"""`switchboard db`: the schema and the first admin, for IT."""

from __future__ import annotations

import click

from app.cli.context import CliContext
from app.cli.inputs import CheckedGroup
from app.cli.output import say
from app.services.people import users
from app.services.people.first_admin import create_first_admin
from app.services.platform.database import schema
from app.vocabulary import AgentRole


@click.group(cls=CheckedGroup)
def db() -> None:
    """Database schema: status, upgrade, and the first admin of a server."""


@db.command()
@click.pass_obj
def status(ctx: CliContext) -> None:
    """Show the schema revision of the database and of this build."""
    target = ctx.target
    state = schema.schema_status(ctx.raw_engine())
    say(f"Database: {target.describe()}")
    say(state.describe())
    if not state.is_current:
        raise SystemExit(7)


@db.command()
@click.pass_obj
def upgrade(ctx: CliContext) -> None:
    """Upgrade the schema to this build's revision (run by the DBA, a superuser, once per release)."""
    engine = ctx.raw_engine()
    before = schema.schema_status(engine)
    if not before.known_to_code:
        raise click.ClickException(before.describe() + " Upgrade Switchboard itself first.")
    schema.upgrade(engine)
    say(f"Upgraded {ctx.target.describe()} from {before.database or 'empty'} to {schema.code_revision()}.")


@db.command()
@click.option("--admin", "login", required=True, help="Login of the first admin (a new PostgreSQL role).")
@click.option("--name", "display_name", default=None, help="The admin's name as colleagues see it.")
@click.option("--email", default=None)
@click.option("--no-password", is_flag=True, help="For servers that sign in with peer or GSSAPI authentication.")
@click.pass_obj
def init(ctx: CliContext, login: str, display_name: str | None, email: str | None, no_password: bool) -> None:
    """Prepare a new server: upgrade the schema, create the roles and the first admin (run once, as a superuser)."""
    users.check_login(login)
    engine = ctx.raw_engine()
    users.check_not_a_group(login, str(engine.url.database))  # before anything is made: nothing half done
    schema.upgrade(engine)
    created = create_first_admin(
        engine,
        login=login,
        display_name=display_name or login,
        email=email or f"{login}@localhost",
        role=AgentRole.ADMIN,
        generate_password=not no_password,
    )
    say(f"Schema at {schema.code_revision()}; {login!r} is an admin of this help desk.")
    if created.generated_password:
        say(f"Password for {login} (shown once, note it now): {created.generated_password}")
