"""`switchboard sla explain N`, `switchboard escalations` and `switchboard team`: why a ticket is due when it
is, what the sweep escalated and the team's load, through the caller's own row-level security. `sla policy
…`, `sla calendar …` and `sla dry-run`: keeping the policies (admins, and team leads for the queues they lead)
and calendars (admins); the database refuses anyone else."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from app.cli.context import CliContext
from app.cli.inputs import TICKET_NUMBER, CheckedCommand, CheckedGroup, read_stdin
from app.cli.output import say, say_json, say_lines
from app.services.errors import InvalidInput
from app.services.platform.bounded_input import MiB, load_json, read_file
from app.services.platform.uow import UnitOfWork
from app.services.sla import admin, board, dry_run, ledger, supervision
from app.services.sla.admin_dto import DryRun, busiest_year
from app.services.sla.dto import left_words, minutes_words
from app.services.tickets import queries

_Read = TypeVar("_Read")


@click.group("sla", cls=CheckedGroup)
def sla_group() -> None:
    """Service levels: due times and the ledger that explains them."""


@sla_group.command("explain", cls=CheckedCommand)
@click.argument("number", type=TICKET_NUMBER)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def explain(ctx: CliContext, number: int, as_json: bool) -> None:
    """The ticket's SLA ledger in words, per target, and the due times it gives."""
    with ctx.runtime().uow() as uow:
        ticket_id = queries.ticket_id_for_number(uow, number=number)
        explained = ledger.explain_ticket(uow, ticket_id)
    if as_json:
        say_json(explained.as_json())
        return
    policy = explained.policy or "no policy applies"
    lines = [f"#{explained.number}: {policy} ({explained.calendar}, {explained.time_zone})"]
    for target in explained.targets:
        lines.append(f"{target.target.label}:")
        lines += [f"  {line}" for line in target.lines]
    if not explained.targets:
        lines.append("no SLA ledger (a ticket from before the SLA engine, or no policy)")
    say_lines(lines)


@sla_group.command("compliance", cls=CheckedCommand)
@click.option("--json", "as_json", is_flag=True, help="every day's counts per queue, priority and target")
@click.pass_obj
def compliance_command(ctx: CliContext, as_json: bool) -> None:
    """SLA compliance of the last four weeks in the queues you see, as the supervisor view's chart counts it:
    first responses and resolutions met and breached, per queue and priority (replayed from the ledgers)."""
    counts = _as_lead(ctx, supervision.compliance)
    if as_json:
        say_json([count.as_json() for count in counts])
        return
    totals: dict[tuple[str, str, str], list[int]] = {}
    for count in counts:
        pair = totals.setdefault((count.queue, count.priority, count.target), [0, 0])
        pair[0] += count.met
        pair[1] += count.breached
    if not totals:
        say("no first response or resolution fulfilled in the last four weeks")
        return
    say_lines(
        f"{queue}, {priority}, {target.replace('_', ' ')}: {met} met, {breached} breached"
        f" ({met / (met + breached):.0%} met)"
        for (queue, priority, target), (met, breached) in sorted(totals.items())
    )


def _as_lead(ctx: CliContext, read: Callable[[UnitOfWork], _Read]) -> _Read:
    """The supervisor view's figures, read for a team lead or an admin (an agent is refused in a line)."""
    with ctx.runtime().uow() as uow:
        supervision.require_lead(uow)
        return read(uow)


@click.group("escalations", cls=CheckedGroup, invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def escalations(click_ctx: click.Context, as_json: bool) -> None:
    """Warnings and escalation steps on tickets still open, ranked by predicted breach (what you may see):
    business minutes left on the clock against the typical handling of similar tickets in business minutes
    (same queue, priority and type, last 4 weeks, kept by the worker); the most likely to breach first.
    `escalations ack N` acknowledges."""
    if click_ctx.invoked_subcommand is not None:
        return
    ctx: CliContext = click_ctx.obj
    rows = _as_lead(ctx, board.open_escalations)
    if as_json:
        say_json([row.as_json() for row in rows])
        return
    if not rows:
        say("no open escalations")
        return
    say_lines(
        f"#{r.number} {r.target.replace('_', ' ')} level {r.level} ({r.action.replace('_', ' ')}), {r.risk.value}: "
        f"{left_words(r.minutes_left)}, typically {minutes_words(r.typical_minutes)} of business time; "
        + ("clock stopped" if r.clock_due_at is None else f"due {_when(r.clock_due_at)}")
        + f": {r.subject} [{r.queue}, {r.priority}, {r.status}]"
        + (f"; acknowledged by {r.acknowledged_by}" if r.acknowledged_by else "")
        for r in rows
    )


@escalations.command("ack", cls=CheckedCommand)
@click.argument("number", type=TICKET_NUMBER)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def escalations_ack(ctx: CliContext, number: int, as_json: bool) -> None:
    """Acknowledge the ticket's escalation as it stands (a team lead of its queue or an admin); again at
    the same level changes nothing. Recorded in the ticket's history."""
    with ctx.runtime().uow() as uow:
        supervision.require_lead(uow)  # an agent read the database's "permission denied for function …"
        ticket_id = queries.ticket_id_for_number(uow, number=number)
        done = supervision.acknowledge(uow, ticket_id)
        uow.commit()
    if as_json:
        say_json(done.as_json())
        return
    level = "before any escalation step" if done.level < 0 else f"at level {done.level}"
    already = "" if done.recorded else " (already)"
    say(
        f"#{done.number} acknowledged{already} {level} by {done.acknowledged_by}, "
        f"{done.acknowledged_at.astimezone():%Y-%m-%d %H:%M %Z}"
    )


@click.command("team", cls=CheckedCommand)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def team(ctx: CliContext, as_json: bool) -> None:
    """The team's load, as the supervisor view's Team load shows it: each active agent of the queues you see,
    busiest first, with open tickets against capacity, availability, the oldest open ticket and today's
    breaches (each counted on whoever held the ticket when it breached; "today" on your own clock)."""
    agents = _as_lead(ctx, supervision.team_load)
    if as_json:
        say_json([agent.as_json() for agent in agents])
        return
    if not agents:
        say("no agents in the queues you see")
        return
    say_lines(agent.in_words() for agent in agents)


# --- policies ------------------------------------------------------------------------------------------------


def _json_option(value: str | None, what: str) -> Any:
    if value is None:
        return None
    return load_json(value, what=what)


POLICY_FILE_LIMIT = 4 * MiB  # a desk's policies are kilobytes


def _read_json_file(path: str) -> Any:
    data = read_file(path, POLICY_FILE_LIMIT) if path != "-" else read_stdin(POLICY_FILE_LIMIT).encode()
    return load_json(data, what="standard input" if path == "-" else path)


def _policy_spec(
    position: int | None,
    targets: str | None,
    conditions: str | None,
    ladder: str | None,
    calendar: str | None,
    calendar_time: bool | None,
    warn_share: float | None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if position is not None:
        spec["position"] = position
    for field, value in (("targets", targets), ("conditions", conditions), ("ladder", ladder)):
        parsed = _json_option(value, f"--{field}")
        if parsed is not None:
            spec[field] = parsed
    if calendar is not None:
        spec["calendar"] = calendar or None
    if calendar_time is not None:
        spec["business_hours"] = not calendar_time
    if warn_share is not None:
        spec["warn_share"] = warn_share
    return spec


def _say_policy(policy: admin.PolicyInfo) -> None:
    counted = f"business hours of {policy.calendar}" if policy.business_hours and policy.calendar else "calendar time"
    state = "" if policy.is_active else " (retired)"
    lines = [
        f"{policy.name}{state}: position {policy.position}, {counted}, warns at {policy.warn_share:.0%}, "
        f"version {policy.version}",
        f"  conditions: {json.dumps(policy.conditions) if policy.conditions else 'none (the default policy)'}",
    ]
    for priority, per_target in policy.targets.items():
        minutes = ", ".join(f"{target.replace('_', ' ')} {value} min" for target, value in per_target.items())
        lines.append(f"  {priority}: {minutes}")
    for step in policy.ladder:
        lines.append(
            f"  level {step.get('level')}: {step.get('action')} {step.get('after_breach_minutes', 0)} min after"
        )
    say_lines(lines)


POLICY_OPTIONS = [
    click.option("--position", type=click.IntRange(0, 2**31 - 1), default=None, help="Tried in this order."),
    click.option("--targets", default=None, help='JSON: {"normal": {"first_response": 60, "resolution": 480}, …}'),
    click.option(
        "--conditions",
        default=None,
        help='JSON: {"queue_ids": [1], "priorities": ["urgent"], "account.tier": "vip", …}',
    ),
    click.option("--ladder", default=None, help='JSON: [{"level": 1, "after_breach_minutes": 0, "action": …}]'),
    click.option("--calendar", default=None, help="The business calendar's name ('' for none)."),
    click.option("--calendar-time/--business-hours", "calendar_time", default=None, help="How minutes count."),
    click.option("--warn-share", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None),
]


def policy_options(command: Any) -> Any:
    for option in reversed(POLICY_OPTIONS):
        command = option(command)
    return command


@sla_group.group("policy", cls=CheckedGroup)
def policy_group() -> None:
    """SLA policies: tried in order, the first that matches a ticket applies (admins change them; team
    leads those that apply only to queues they lead)."""


@policy_group.command("list", cls=CheckedCommand)
@click.option("--all", "include_retired", is_flag=True, help="Retired policies too.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def policy_list(ctx: CliContext, include_retired: bool, as_json: bool) -> None:
    """The policies in the order they are tried."""
    with ctx.runtime().uow() as uow:
        policies = admin.list_policies(uow, include_retired=include_retired)
    if as_json:
        say_json([p.as_json() for p in policies])
        return
    if not policies:
        say("no SLA policies")
    for p in policies:
        flag = "" if p.is_active else "  (retired)"
        say(f"{p.position:>5}  {p.name}{flag}  {'conditions' if p.conditions else 'default'}")


@policy_group.command("show", cls=CheckedCommand)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def policy_show(ctx: CliContext, name: str, as_json: bool) -> None:
    with ctx.runtime().uow() as uow:
        policy = admin.show_policy(uow, name)
    if as_json:
        say_json(policy.as_json())
    else:
        _say_policy(policy)


@policy_group.command("add", cls=CheckedCommand)
@click.argument("name", required=False)
@policy_options
@click.option("--from", "from_file", default=None, help="A JSON file with the policy ('-': standard input).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def policy_add(ctx: CliContext, /, name: str | None, from_file: str | None, as_json: bool, **options: Any) -> None:
    """Add a policy (admins; a team lead one whose conditions name only queues they lead); the open
    tickets' due times are recomputed in the background."""
    spec: dict[str, Any] = dict(_read_json_file(from_file)) if from_file else {}
    spec.update(_policy_spec(**options))
    if name:
        spec["name"] = name
    with ctx.runtime().uow() as uow:
        policy = admin.add_policy(uow, spec)
        uow.commit()
    if as_json:
        say_json(policy.as_json())
    else:
        say(f"Added the SLA policy {policy.name}; open tickets are recomputed within a minute or two.")


@policy_group.command("set", cls=CheckedCommand)
@click.argument("name")
@policy_options
@click.option("--rename", default=None, help="A new name.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def policy_set(ctx: CliContext, /, name: str, rename: str | None, as_json: bool, **options: Any) -> None:
    """Change a policy (admins; a team lead one that applies only to queues they lead); the open tickets'
    due times are recomputed in the background."""
    changes = _policy_spec(**options)
    if rename:
        changes["name"] = rename
    if not changes:
        raise InvalidInput("Nothing to change: give at least one option (see --help).")
    with ctx.runtime().uow() as uow:
        policy = admin.set_policy(uow, name, changes)
        uow.commit()
    if as_json:
        say_json(policy.as_json())
    else:
        say(f"Changed the SLA policy {policy.name} (version {policy.version}); open tickets are recomputed.")


@policy_group.command("retire", cls=CheckedCommand)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def policy_retire(ctx: CliContext, name: str, as_json: bool) -> None:
    """Stop applying a policy (it is kept); its tickets fall to the next policy that matches."""
    with ctx.runtime().uow() as uow:
        policy = admin.retire_policy(uow, name)
        uow.commit()
    if as_json:
        say_json(policy.as_json())
    else:
        say(f"Retired the SLA policy {policy.name}; open tickets are recomputed.")


@sla_group.command("dry-run", cls=CheckedCommand)
@click.option("--policies", "policies_file", required=True, help="A JSON file: the list of policies to try.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sla_dry_run(ctx: CliContext, policies_file: str, as_json: bool) -> None:
    """How many open tickets' due times these policies would move, and which would be breached at once
    (in place of the active policies; nothing is written)."""
    specs = _read_json_file(policies_file)
    with ctx.runtime().uow() as uow:
        outcome = dry_run.dry_run(uow, specs)
    _say_dry_run(outcome, as_json)


def _say_dry_run(outcome: DryRun, as_json: bool) -> None:
    if as_json:
        say_json(outcome.as_json())
        return
    lines = [outcome.summary()]
    lines += [
        f"  #{t.number} {t.subject} [{t.queue}]: due {_when(t.due_before)} → {_when(t.due_after)}"
        for t in outcome.newly_breached
    ]
    say_lines([*lines, "Nothing was written."])


def _when(value: dt.datetime | None) -> str:
    return "—" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M %Z")


# --- calendars -----------------------------------------------------------------------------------------------


@sla_group.group("calendar", cls=CheckedGroup)
def calendar_group() -> None:
    """Business calendars: weekly hours, a time zone, public holidays and the team's own dates."""


def _say_calendar(calendar: admin.CalendarInfo) -> None:
    region = "no country"
    if calendar.country:
        region = calendar.country + (f"-{calendar.subdivision}" if calendar.subdivision else "")
    lines = [
        f"{calendar.name}: {calendar.time_zone}, public holidays of {region}, version {calendar.version}",
        *(f"  {line}" for line in admin.describe_hours(calendar.weekly_hours)),
    ]
    if calendar.closed_dates:
        lines.append("  closed: " + ", ".join(_own_date_words(d, n) for d, n in calendar.own_dates.items()))
    if calendar.region_note:
        lines.append(f"  note: {calendar.region_note}")
    say_lines(lines)


def _own_date_words(day: dt.date, name: str) -> str:
    return f"{day.isoformat()} ({name})" if name else day.isoformat()


@calendar_group.command("list", cls=CheckedCommand)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def calendar_list(ctx: CliContext, as_json: bool) -> None:
    with ctx.runtime().uow() as uow:
        calendars = admin.list_calendars(uow)
    if as_json:
        say_json([c.as_json() for c in calendars])
        return
    if not calendars:
        say("no business calendars")
    for c in calendars:
        say(f"{c.name}  {c.time_zone}  {'; '.join(admin.describe_hours(c.weekly_hours))}")


@calendar_group.command("show", cls=CheckedCommand)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def calendar_show(ctx: CliContext, name: str, as_json: bool) -> None:
    with ctx.runtime().uow() as uow:
        calendar = admin.show_calendar(uow, name)
    if as_json:
        say_json(calendar.as_json())
    else:
        _say_calendar(calendar)


@calendar_group.command("add", cls=CheckedCommand)
@click.argument("name")
@click.option("--time-zone", required=True, help="e.g. Europe/Berlin")
@click.option("--hours", "hours", multiple=True, required=True, help="e.g. 'mon-fri 09:00-12:00,13:00-17:00'")
@click.option("--country", default=None, help="Public holidays of this country (ISO code, e.g. DE).")
@click.option("--subdivision", default=None, help="… and of this region (e.g. BE for Berlin).")
@click.option("--closed", "closed", multiple=True, type=click.DateTime(["%Y-%m-%d"]), help="A date it is closed.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def calendar_add(
    ctx: CliContext,
    name: str,
    time_zone: str,
    hours: tuple[str, ...],
    country: str | None,
    subdivision: str | None,
    closed: tuple[dt.datetime, ...],
    as_json: bool,
) -> None:
    """Add a business calendar (admins)."""
    with ctx.runtime().uow() as uow:
        calendar = admin.add_calendar(
            uow,
            name=name,
            time_zone=time_zone,
            hours=hours,
            country=country,
            subdivision=subdivision,
            closed=[c.date() for c in closed],
        )
        uow.commit()
    if as_json:
        say_json(calendar.as_json())
    else:
        say(
            f"Added the calendar {calendar.name}." + (f" Note: {calendar.region_note}." if calendar.region_note else "")
        )


@calendar_group.command("set", cls=CheckedCommand)
@click.argument("name")
@click.option("--rename", default=None, help="A new name for the calendar.")
@click.option("--time-zone", default=None, help="e.g. Europe/Berlin")
@click.option("--hours", "hours", multiple=True, help="All the weekly hours, replacing them: 'mon-fri 09:00-17:00'")
@click.option("--country", default=None, help="Public holidays of this country ('' for none).")
@click.option("--subdivision", default=None, help="… and of this region ('' for the whole country).")
@click.option("--dry-run", "dry", is_flag=True, help="Say how many open tickets would move; save nothing.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def calendar_set(
    ctx: CliContext,
    name: str,
    rename: str | None,
    time_zone: str | None,
    hours: tuple[str, ...],
    country: str | None,
    subdivision: str | None,
    dry: bool,
    as_json: bool,
) -> None:
    """Change a business calendar (admins): what is not given stays as it is. Open tickets are recomputed;
    --dry-run first says how many due times would move and which tickets would be breached at once."""
    with ctx.runtime().uow() as uow:
        calendar = admin.show_calendar(uow, name)
        if country is not None and subdivision is None:
            subdivision = ""  # another country's region is no region of this one
        values = _calendar_values(calendar) | {
            key: value
            for key, value in (
                ("name", rename),
                ("time_zone", time_zone),
                ("hours", list(hours) or None),
                ("country", country),
                ("subdivision", subdivision),
            )
            if value is not None
        }
        if dry:
            _say_dry_run(_dry_run_calendar(uow, calendar, values), as_json)
            return
        changed = admin.set_calendar(uow, calendar.id, expected_version=calendar.version, **values)
        uow.commit()
    if as_json:
        say_json(changed.as_json())
    else:
        say(f"Changed the calendar {changed.name} (version {changed.version}); open tickets are recomputed.")


def _calendar_values(calendar: admin.CalendarInfo) -> dict[str, Any]:
    """A calendar as `set_calendar` and a dry run take it."""
    return {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "hours": admin.describe_hours(calendar.weekly_hours),
        "country": calendar.country,
        "subdivision": calendar.subdivision,
        "closed": calendar.own_dates,
    }


def _dry_run_calendar(uow: UnitOfWork, calendar: admin.CalendarInfo, values: dict[str, Any]) -> DryRun:
    return dry_run.calendar_dry_run(uow, calendar.id, admin.proposed_calendar(**values))


@calendar_group.command("holidays", cls=CheckedCommand)
@click.argument("name")
@click.option("--year", type=click.IntRange(1970, 2200), default=None, help="The year to list (this year).")
@click.option("--add", "add", multiple=True, type=click.DateTime(["%Y-%m-%d"]), help="Close on this date too.")
@click.option("--why", default="", help="What the dates added are called (e.g. 'Inventory day').")
@click.option("--remove", "remove", multiple=True, type=click.DateTime(["%Y-%m-%d"]), help="Open again.")
@click.option("--ics", "ics", default=None, help="Close on the days of this .ics file's events (named by them).")
@click.option("--many", is_flag=True, help=f"Take an .ics file that closes more than {admin.MANY_CLOSED_DAYS} days.")
@click.option("--dry-run", "dry", is_flag=True, help="Say how many open tickets the change would move; save nothing.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def calendar_holidays(
    ctx: CliContext,
    name: str,
    year: int | None,
    add: tuple[dt.datetime, ...],
    why: str,
    remove: tuple[dt.datetime, ...],
    ics: str | None,
    many: bool,
    dry: bool,
    as_json: bool,
) -> None:
    """The days the calendar is closed in a year (public holidays and the team's own); --add, --remove and
    --ics change the team's own dates (admins), and open tickets are recomputed (--dry-run: how many would
    move, first)."""
    if dry and not (add or remove or ics):
        raise InvalidInput("--dry-run tries a change: give --add, --remove or --ics too.")
    if why and not add:
        raise InvalidInput("--why names the dates added: give them with --add.")
    extra = {d.date(): why for d in add}
    imported: dict[dt.date, str] | None = None
    data = read_file(ics, admin.MAX_ICS_BYTES, what=f"The .ics file {ics}") if ics is not None else None
    horizon = admin.ics_horizon(dt.datetime.now(dt.UTC).date())
    with ctx.runtime().uow() as uow:
        calendar = admin.show_calendar(uow, name)
        if data is not None:  # an event's days on the calendar's clock and opening hours
            hours = admin.open_hours(calendar.weekly_hours)
            imported = admin.named_days_from_ics(data, until=horizon, time_zone=calendar.time_zone, hours=hours)
            busiest, new_days = busiest_year(day for day in imported if day not in calendar.closed_dates)
            if new_days > admin.MANY_CLOSED_DAYS and not many:
                raise InvalidInput(
                    f"{ics} would close {new_days} more days in {busiest}: more than a team closes in a year (a"
                    " meeting series?). Nothing was saved; --many takes them."
                )
            # a date typed with --add is called as typed, or as the file calls it when --why gave no name
            extra = imported | {day: label for day, label in extra.items() if label or day not in imported}
        if dry:
            admin.check_removable(uow, name, (d.date() for d in remove))  # refused as the change would be
            own = {d: n for d, n in (calendar.own_dates | extra).items() if d not in {r.date() for r in remove}}
            _say_dry_run(_dry_run_calendar(uow, calendar, _calendar_values(calendar) | {"closed": own}), as_json)
            return
        if extra or remove:
            admin.change_closed_dates(uow, name, add=extra, remove=[d.date() for d in remove])
            uow.commit()
        when = year or uow.now().year
        days = admin.holidays_of(uow, name, when)
    if as_json:
        closed = [{"date": d.isoformat(), "name": n} for d, n in days]
        imported_json = {"imported": [d.isoformat() for d in imported]} if imported is not None else {}
        say_json({"calendar": name, "year": when, "closed": closed, **imported_json})
        return
    if imported is not None:
        say(_imported_words(ics or "", list(imported), horizon))
    say_lines([f"{d:%a %Y-%m-%d}  {n}" for d, n in days] or [f"{name} is open every working day of {when}"])


def _imported_words(path: str, days: list[dt.date], horizon: dt.date) -> str:
    """How many days an .ics file closed, and from when to when: a daily rule closes hundreds in one line."""
    if not days:
        return f"{path} closes no day (no events, or none before the end of {horizon.year})."
    span = f"{days[0]:%Y-%m-%d}" if len(days) == 1 else f"{days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d}"
    return f"{path} closes {len(days):,} day{'s' if len(days) != 1 else ''}, {span}; the year asked for:"
