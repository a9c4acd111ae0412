"""`switchboard user …`: user administration for admins. PostgreSQL checks that the caller is one."""

from __future__ import annotations

import click

from app.cli.context import CliContext
from app.cli.inputs import CheckedGroup, prompt_password
from app.cli.output import say, say_json
from app.services.people import directory, users
from app.vocabulary import AgentRole

role_choice = click.Choice([role.value for role in AgentRole])


@click.group("user", cls=CheckedGroup)
def user() -> None:
    """Add, disable and change the people who sign in."""


@user.command("add")
@click.argument("login")
@click.option("--role", type=role_choice, default="agent", show_default=True)
@click.option("--name", "display_name", default=None)
@click.option("--email", default=None)
@click.option("--queue", "queues", multiple=True, help="A queue the person works (repeat for several).")
@click.option("--password-prompt", is_flag=True, help="Type the password instead of generating one.")
@click.option("--no-password", is_flag=True, help="For peer or GSSAPI sign-in.")
@click.pass_obj
def add(
    ctx: CliContext,
    login: str,
    role: str,
    display_name: str | None,
    email: str | None,
    queues: tuple[str, ...],
    password_prompt: bool,
    no_password: bool,
) -> None:
    """Create a login role and its agent; a generated password is shown once."""
    password = prompt_password("Password", confirm=True) if password_prompt else None
    with ctx.runtime().uow() as uow:
        queue_ids = tuple(directory.find_queue_id(uow, name=queue) for queue in queues)
        created = users.add_user(
            uow,
            login=login,
            display_name=display_name or login,
            email=email or f"{login}@localhost",
            role=AgentRole(role),
            queue_ids=queue_ids,
            password=password,
            generate=not (password_prompt or no_password),
        )
        uow.commit()
    say(f"Added {login} as {role}.")
    if created.generated_password:
        say(f"Password for {login} (shown once, note it now): {created.generated_password}")


@user.command("disable")
@click.argument("login")
@click.pass_obj
def disable(ctx: CliContext, login: str) -> None:
    """Revoke the login; the person's history stays."""
    with ctx.runtime().uow() as uow:
        users.disable_user(uow, login=login)
        uow.commit()
    say(f"{login} can no longer sign in; their history is kept.")


@user.command("role")
@click.argument("login")
@click.argument("role", type=role_choice)
@click.pass_obj
def set_role(ctx: CliContext, login: str, role: str) -> None:
    """Move a person to another group role."""
    with ctx.runtime().uow() as uow:
        users.set_role(uow, login=login, role=AgentRole(role))
        uow.commit()
    say(f"{login} is now {role}.")


@user.command("password")
@click.argument("login")
@click.option("--generate", is_flag=True, help="Generate a password and show it once.")
@click.pass_obj
def password(ctx: CliContext, login: str, generate: bool) -> None:
    """Set a password: your own, or (admins) anyone's."""
    new = users.generate_password() if generate else prompt_password("New password", confirm=True)
    with ctx.runtime().uow() as uow:
        users.set_password(uow, login=login, password=new)
        uow.commit()
    say(f"Password of {login} changed." + (f" New password (shown once): {new}" if generate else ""))


@user.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_users(ctx: CliContext, as_json: bool) -> None:
    """Everyone who may sign in, and who no longer may."""
    with ctx.runtime().uow() as uow:
        people = users.list_users(uow)
    if as_json:
        say_json(
            [
                {
                    "login": p.login,
                    "name": p.display_name,
                    "email": p.email,
                    "role": p.role.value,
                    "active": p.is_active,
                }
                for p in people
            ]
        )
        return
    say(*(f"{p.login:<24} {p.role.value:<11} {p.display_name}{'' if p.is_active else '  (disabled)'}" for p in people))
