"""`switchboard doctor`: check this workstation's set-up and say what to fix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import click

from app.bootstrap import SignIn, connect, password_for
from app.cli.connector import connector_checks
from app.cli.context import CliContext
from app.cli.inputs import CheckedCommand
from app.cli.output import say
from app.ops.doctor import Check, Outcome, probe, run_checks
from app.services.platform.config import DatabaseTarget
from app.services.platform.redaction import redact


def advisory(check: Check) -> Check:
    """A connector that fails is a warning here, not a failure: tickets work without the account panel (it
    says the tool is down), so the desk is healthy; `switchboard connector test NAME` fails on it."""
    if check.outcome is not Outcome.FAIL:
        return check
    return replace(check, outcome=Outcome.WARN, detail=f"{check.detail} (tickets work without it)")


@click.command(cls=CheckedCommand)
@click.pass_obj
def doctor(ctx: CliContext) -> None:
    """Check settings, server, TLS, sign-in, schema, keyring, data directory and disk space."""

    def sign_in(target: DatabaseTarget) -> Callable[[], None]:
        password = password_for(target, ctx.user, ctx.password_from_stdin())  # as the client would sign in
        engine = connect(target, sign_in=SignIn(ctx.user, password))
        probe(engine)

        def close() -> None:
            engine.dispose()

        close.engine = engine  # type: ignore[attr-defined]  # the schema check reads it
        return close

    checks = run_checks(ctx.database_url, sign_in)
    checks += [advisory(check) for check in connector_checks()]  # the account-lookup tools configured here
    for check in checks:
        say(*redact(check.line()).split("\n"))
    failed = [check.name for check in checks if check.outcome is Outcome.FAIL]
    say("", "All checks passed." if not failed else "Failed: " + ", ".join(failed) + ".")
    if failed:
        raise SystemExit(1)
