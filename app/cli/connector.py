"""`switchboard connector list|test NAME|credential NAME|verify|serve-demo|rule …`: the account-lookup connectors
the site settings configure, checked from this workstation; the credential kept in the OS keyring; one
verification pass of the worker's; the demo's tool on its own; and the account priority rules (a VIP tier
raises priority), which live in the database. `switchboard doctor` runs `connector test` for each configured
connector."""

from __future__ import annotations

import threading

import click

from app.cli.context import CliContext
from app.cli.inputs import CheckedCommand, CheckedGroup, read_password_line
from app.cli.output import say, say_json
from app.ops.doctor import Check, Outcome
from app.services.connectors import credentials
from app.services.connectors.base import Account, ConnectorUnavailable, KeyKind
from app.services.connectors.discovery import ConnectorRegistry, Guarded
from app.services.connectors.settings import configured_connectors
from app.services.errors import KnownError, NotFound
from app.services.platform.redaction import redact

TEST_KEY = "switchboard-connector-test"  # a key no tool knows: a 404 proves the tool answered


@click.group("connector", cls=CheckedGroup)
def connector_group() -> None:
    """The account-lookup connectors (the customer's account beside the ticket)."""


@connector_group.command("list", cls=CheckedCommand)
def list_connectors() -> None:
    """Name the configured connectors, where they point and where they are configured."""
    configured = configured_connectors()
    if not configured:
        say("No connector is configured (a [connectors.NAME] table in settings.toml; `switchboard demo` adds one).")
        return
    registry = ConnectorRegistry(configured)
    for name, settings in sorted(configured.items()):
        try:
            where = registry.get(name).describe()
        except KnownError as error:
            where = f"not usable: {error}"
        say(f"{name}: {where}", f"  configured in {settings.source}; {_credential_line(name, settings.options)}")


def _credential_line(name: str, options: object) -> str:
    auth = options.get("auth", "bearer") if isinstance(options, dict) else "bearer"
    if auth == "none":
        return "no credential needed"
    if credentials.recall(name):
        return "credential set"
    if isinstance(options, dict) and options.get("demo") is True:
        return "credential: the demo tool's published token"
    return f"no credential yet (switchboard connector credential {name})"


@connector_group.command("test", cls=CheckedCommand)
@click.argument("name")
def test_connector(name: str) -> None:
    """Check the configuration, the credential, TLS and one lookup against the tool."""
    checks = connector_checks([name])
    for check in checks:
        say(*redact(check.line()).split("\n"))
    if any(check.outcome is Outcome.FAIL for check in checks):
        raise SystemExit(1)


def connector_checks(names: list[str] | None = None) -> list[Check]:
    """One check per step and connector (all configured ones when `names` is None), for `connector test`
    and `doctor`. Never raises: each failure is a line saying what to fix."""
    try:
        configured = configured_connectors()
    except KnownError as error:
        return [Check("connectors", Outcome.FAIL, str(error), "fix the [connectors] table of that settings file")]
    if names is None:
        names = sorted(configured)
        if not names:
            return [Check("connectors", Outcome.SKIPPED, "no account-lookup connector is configured")]
    registry = ConnectorRegistry(configured)
    checks: list[Check] = []
    for name in names:
        label = f"connector {name}"
        try:
            connector = registry.get(name)
        except KnownError as error:
            checks.append(Check(label, Outcome.FAIL, str(error), "see `switchboard connector list`"))
            continue
        checks.append(Check(f"{label} settings", Outcome.OK, connector.describe()))
        checks.append(_lookup_check(label, connector))
    return checks


def _lookup_check(label: str, connector: Guarded) -> Check:
    kind = connector.key_kinds[0]
    key = str(connector.settings.option("test_key", "")) or (
        TEST_KEY if kind is KeyKind.ACCOUNT_ID else "switchboard-connector-test@example.invalid"
    )
    try:
        answer = connector.lookup(kind, key)
    except ConnectorUnavailable as error:
        return Check(f"{label} lookup", Outcome.FAIL, str(error), _advice(str(error), connector.name))
    except KnownError as error:
        return Check(f"{label} lookup", Outcome.FAIL, str(error))
    found = "found the account" if isinstance(answer, Account) else "answered (no such account, as expected)"
    return Check(f"{label} lookup", Outcome.OK, f"{_what_was_checked(connector)} by {kind.value}: {found}")


def _what_was_checked(connector: Guarded) -> str:
    """What a good lookup proved: TLS only over https, the credential only when the tool asks for one."""
    base_url = str(connector.settings.option("base_url", ""))
    parts = ["TLS"] if base_url.startswith("https://") else []
    if str(connector.settings.option("auth", "bearer")) != "none":
        parts.append("credential")
    return f"{', '.join(parts)} and a lookup" if parts else "a lookup"


def _advice(sentence: str, name: str) -> str:
    if "TLS" in sentence:
        return "check ca_bundle: it must be the CA that signed the tool's certificate"
    if "credential" in sentence:
        return f"set the right one with `switchboard connector credential {name}`"
    if "refused the connection" in sentence or "reached" in sentence:
        return "is the tool running, and is base_url right? (the demo's: `switchboard connector serve-demo`)"
    return ""


@connector_group.command("credential", cls=CheckedCommand)
@click.argument("name")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read it from the first line of standard input.")
@click.option("--forget", is_flag=True, help="Remove it from the keyring.")
def set_credential(name: str, from_stdin: bool, forget: bool) -> None:
    """Keep the connector's credential (a bearer token, or user:password for basic auth) in the OS keyring."""
    if name not in configured_connectors():
        raise NotFound(f"No connector named {name!r} is configured (switchboard connector list)")
    if forget:
        credentials.forget(name)
        say(f"The credential of {name} is gone from this computer's keyring.")
        return
    if from_stdin:
        secret = read_password_line()  # one line, bounded: /dev/zero has no line end
    else:
        secret = click.prompt(f"Credential for {name}", hide_input=True, confirmation_prompt=True, err=True)
    if not secret:
        raise KnownError("An empty credential was not kept")
    note = credentials.remember(name, secret)
    if note is not None:
        raise KnownError(f"Not kept: {note.replace(' for this session only', ' nowhere')}")
    say(f"The credential of {name} is in this computer's keyring (never in a file).")


@connector_group.command("verify", cls=CheckedCommand)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def verify(ctx: CliContext, as_json: bool) -> None:
    """Verify the accounts that matter now, as the worker does every few minutes: look up the customers of
    open tickets with this computer's credential and keep the answers rules decide on. Runs as the worker
    (the database URL's own login: on a team server, on the worker's machine)."""
    from app.services.connectors.verify import AccountVerifier, is_trusted_session

    runtime = ctx.maintenance_runtime()
    if not is_trusted_session(runtime.uow):
        raise KnownError(
            "Only the worker's login verifies accounts (a member of the owner role, docs/it-guide.md): run"
            " `switchboard connector verify` on the worker's machine, with its database URL and its credential"
        )
    result = AccountVerifier().verify(runtime.uow)
    if as_json:
        say_json(result.as_json())
    elif result.connector is None:
        say(f"Nothing verified: {result.problem}.")
    else:
        say(result.line())
    if result.connector is None or result.failed:
        raise SystemExit(1)


@connector_group.command("serve-demo", cls=CheckedCommand)
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Default: the demo settings' port.")
def serve_demo(port: int | None) -> None:
    """Run the demo's account-lookup tool alone, on this computer, until Ctrl+C."""
    from app.services.connectors import demo_tool

    chosen = demo_tool.configured_port() if port is None else port
    try:
        tool = demo_tool.start_demo_tool(chosen)
    except OSError as error:
        raise KnownError(
            f"Cannot listen on 127.0.0.1:{chosen}: {error.strerror} (another tool there? try --port)"
        ) from None
    settings = demo_tool.write_demo_settings(tool.port)
    say(
        f"The demo account tool answers on {tool.base_url} (TLS, CA {tool.ca_file}).",
        f"The connector 'accounts' points at it ({settings}); try `switchboard connector test accounts`.",
        "Ctrl+C stops it.",
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        tool.stop()


@connector_group.group("rule", cls=CheckedGroup)
def rule_group() -> None:
    """Account priority rules: a new ticket whose customer's verified account matches gets at least the
    rule's priority, and so do a customer's open tickets when the worker verifies a matching account
    (admins change them; read from the worker's verified answers, never the tool)."""


@rule_group.command("list", cls=CheckedCommand)
@click.option("--all", "include_retired", is_flag=True, help="Retired rules too.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def rule_list(ctx: CliContext, include_retired: bool, as_json: bool) -> None:
    """The rules in order."""
    from app.services.connectors import rules

    with ctx.runtime().uow() as uow:
        found = rules.list_rules(uow, include_retired=include_retired)
    if as_json:
        say_json([rule.as_json() for rule in found])
        return
    say_lines = [rule.line() for rule in found] or ["no account priority rules"]
    say(*say_lines)


@rule_group.command("set", cls=CheckedCommand)
@click.argument("name")
@click.option("--when", "conditions", multiple=True, required=True, help="account.NAME=value[,value] (repeatable).")
@click.option(
    "--priority", type=click.Choice(["low", "normal", "high", "urgent"]), required=True, help="At least this."
)
@click.option("--position", type=click.IntRange(0, 100_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def rule_set(
    ctx: CliContext, name: str, conditions: tuple[str, ...], priority: str, position: int, as_json: bool
) -> None:
    """Add a rule, or change it by name (admins): `rule set VIP --when account.tier=vip --priority high`."""
    from app.services.connectors import rules
    from app.vocabulary import Priority

    wanted = rules.parse_conditions(conditions)
    with ctx.runtime().uow() as uow:
        rule = rules.set_rule(uow, name, conditions=wanted, priority=Priority.parse(priority), position=position)
        uow.commit()
    if as_json:
        say_json(rule.as_json())
    else:
        say(f"Saved the account priority rule (version {rule.version}):", rule.line())


@rule_group.command("retire", cls=CheckedCommand)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def rule_retire(ctx: CliContext, name: str, as_json: bool) -> None:
    """The rule no longer applies to new tickets (kept, never deleted)."""
    from app.services.connectors import rules

    with ctx.runtime().uow() as uow:
        rule = rules.retire_rule(uow, name)
        uow.commit()
    if as_json:
        say_json(rule.as_json())
    else:
        say(f"Retired the account priority rule {rule.name}.")
