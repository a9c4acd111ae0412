"""`switchboard db`: the schema, for IT."""

from __future__ import annotations

import click

from app.cli.context import CliContext
from app.services.agents import seed_first_admin
from app.services.database import schema


@click.group()
def db() -> None:
    """Database schema: status and upgrade."""


@db.command()
@click.pass_obj
def status(ctx: CliContext) -> None:
    """Show the schema revision of the database and of this build."""
    target = ctx.target
    state = schema.schema_status(ctx.raw_engine())
    click.echo(f"Database: {target.describe()}")
    click.echo(state.describe())
    if not state.is_current:
        raise SystemExit(7)


@db.command()
@click.pass_obj
def upgrade(ctx: CliContext) -> None:
    """Upgrade the schema to this build's revision (run as the schema owner)."""
    engine = ctx.raw_engine()
    before = schema.schema_status(engine)
    if not before.known_to_code:
        raise click.ClickException(before.describe() + " Upgrade Switchboard itself first.")
    schema.upgrade(engine)
    click.echo(f"Upgraded {ctx.target.describe()} from {before.database or 'empty'} to {schema.code_revision()}.")
    if (admin := seed_first_admin(engine)) is not None:
        click.echo(f"The database login {admin!r} is the first admin agent of this help desk.")
