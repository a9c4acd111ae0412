"""`switchboard routing …`, `switchboard agent status …` and `switchboard ticket next`: routing from the
command line, through the same database checks as the client."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from app.cli.context import CliContext
from app.cli.inputs import TICKET_NUMBER, CheckedCommand, CheckedGroup
from app.cli.output import say, say_json
from app.services.errors import InvalidInput, NotFound
from app.services.people import directory
from app.services.platform.bounded_input import MiB, load_json, read_file
from app.services.platform.uow import UnitOfWork
from app.services.routing import engine as routing
from app.services.routing import settings as routing_settings
from app.services.routing.dry_run import dry_run
from app.services.routing.dto import AgentRoutingFacts, QueueRoutingSettings
from app.services.routing.parsing import check_settings, parse_languages, parse_skills, parse_weights
from app.services.routing.shifts import describe_shift, parse_shift
from app.services.tickets import queries, service
from app.vocabulary import Availability


@click.group("routing", cls=CheckedGroup)
def routing_group() -> None:
    """Why a ticket went to whom, and what found nobody."""


def explanation_lines(data: dict[str, Any]) -> list[str]:
    winner = data["winner"] or "nobody (no eligible agent)"
    lines = [
        f"#{data['ticket']} went to {winner} ({data['asked_by']}, {data['decided_at'][:16]}, "
        f"configuration version {data['config_version']})"
    ]
    if data.get("reason"):
        lines.append(f"reason: {data['reason']}")
    if data["relaxed"]:
        lines.append("relaxed to find someone: " + ", ".join(data["relaxed"]))
    for rank, candidate in enumerate(data["candidates"], start=1):
        lines.append(f"{rank}. {candidate['name']}: {candidate['total']:.2f}")
        lines += [
            f"     {f['factor']:<13} {f['weighted']:5.2f}  {f['note']}" for f in candidate["factors"] if f["note"]
        ]
    lines += [f"left out: {e['name']} ({e['reason']})" for e in data["exclusions"]]
    return lines


@routing_group.command("explain")
@click.argument("number", type=TICKET_NUMBER)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def explain(ctx: CliContext, number: int, as_json: bool) -> None:
    """Why the ticket went to whom: candidates, each factor, who was left out and why."""
    with ctx.runtime().uow() as uow:
        data = _latest(uow, number, queries.ticket_id_for_number(uow, number=number))
    _show(data, as_json)


@routing_group.command("unassigned")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def unassigned(ctx: CliContext, as_json: bool) -> None:
    """Open tickets routing found no eligible agent for (they wait until someone becomes available)."""
    with ctx.runtime().uow() as uow:
        waiting: list[dict[str, Any]] = [
            {"number": t.number, "subject": t.subject, "queue_id": t.queue_id, "priority": int(t.priority)}
            for t in routing.unrouted(uow)
        ]
    if as_json:
        say_json(waiting)
    else:
        say(*([f"#{t['number']:<7} {t['subject'][:70]}" for t in waiting] or ["Every open ticket has someone."]))


@click.group("agent", cls=CheckedGroup)
def agent_group() -> None:
    """Your availability, out of office and shift for routing; agents' facts (leads and admins)."""


@agent_group.command("status")
@click.argument("state", type=click.Choice([a.value for a in Availability]))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status(ctx: CliContext, state: str, as_json: bool) -> None:
    """Available, away or offline; becoming available hands you waiting tickets, up to your capacity."""
    with ctx.runtime().uow() as uow:
        drained = routing.set_availability(uow, Availability(state))
        uow.commit()
    if as_json:
        say_json({"availability": state, "assigned": [d.ticket_id for d in drained if d.winner_id is not None]})
    else:
        say(f"You are {state}." + (f" Routing gave you {len(drained)} waiting tickets." if drained else ""))


@click.command("next", cls=CheckedCommand)
@click.option("--queue", default=None, help="Only this queue (default: each of your queues, due soonest first).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def next_ticket(ctx: CliContext, queue: str | None, as_json: bool) -> None:
    """Claim the best waiting ticket for you; two agents asking at once never get the same one."""
    with ctx.runtime().uow() as uow:
        if queue:
            queue_ids = [directory.find_queue_id(uow, name=queue)]
        else:
            queue_ids = list(uow.reads().execute(routing.visible_queues_by_urgency()).scalars())
        claimed = None
        for queue_id in queue_ids:
            claimed = service.claim_next(uow, queue_id=queue_id)
            if claimed is not None:
                break
        uow.commit()
    if claimed is None:
        if as_json:
            say_json(None)
        else:
            say("Nothing is waiting in your queues.")
        return
    t = claimed.ticket
    if as_json:
        say_json(claimed.to_json())
    else:
        say(f"#{t.number} is yours: {t.subject}")


@routing_group.command("dry-run")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.option(
    "--weights",
    "settings_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="A JSON file of routing settings (weights, overflow_cap, urgent_weight, skills_by_tag).",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def dry_run_command(ctx: CliContext, days: int, settings_file: Path, as_json: bool) -> None:
    """Replay the last days' tickets under these settings: who would have got each, loads, and who found
    nobody. Each ticket meets the agents' weekly shifts and out of office (today's) as they apply at the
    hour it came in, in each agent's time zone. Nothing is written."""
    settings = read_settings(settings_file)
    with ctx.runtime().uow() as uow:
        result = dry_run(uow, settings, days=days, now=uow.now())
    data = result.to_json()
    if as_json:
        say_json(data)
        return
    say(
        f"{data['tickets']} tickets of the last {days} days; {data['changed']} would have gone to someone other than"
        " who got them (assigned by hand, claimed, or routed under earlier settings)."
    )
    say(*[f"  {a['agent']:<24} would get {a['would_get']:>5}   got {a['actually_got']:>5}" for a in data["agents"]])
    if data["no_eligible_agent"]:
        say(
            f"No eligible agent for {len(data['no_eligible_agent'])}: "
            + ", ".join(f"#{n}" for n in data["no_eligible_agent"][:20])
        )


SETTINGS_FILE_LIMIT = 1 * MiB  # weights and rules: a few hundred bytes


def read_settings(path: Path) -> dict[str, Any]:
    settings = load_json(read_file(path, SETTINGS_FILE_LIMIT), what=str(path))
    try:
        check_settings(settings)
    except InvalidInput as error:
        raise InvalidInput(f"{path}: {error}") from None
    return dict(settings)


@routing_group.command("handback")
@click.argument("number", type=TICKET_NUMBER)
@click.option("--reason", required=True, help="Why you give it back (kept with the decision).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def handback(ctx: CliContext, number: int, reason: str, as_json: bool) -> None:
    """Give one of your tickets back to routing: it goes to someone else, or waits for someone."""
    with ctx.runtime().uow() as uow:
        ticket_id = queries.ticket_id_for_number(uow, number=number)
        routing.hand_back(uow, ticket_id, reason)
        uow.commit()
        data = _latest(uow, number, ticket_id)
    _show(data, as_json)


@routing_group.command("reassign")
@click.argument("number", type=TICKET_NUMBER)
@click.option("--to", "login", default=None, help="A qualified agent's login; leave out to let routing choose.")
@click.option("--reason", required=True, help="Why (kept with the decision).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def reassign(ctx: CliContext, number: int, login: str | None, reason: str, as_json: bool) -> None:
    """Route a ticket of a queue you lead again (team leads and admins)."""
    with ctx.runtime().uow() as uow:
        ticket_id = queries.ticket_id_for_number(uow, number=number)
        agent_id = directory.find_agent_id(uow, login_or_email=login) if login else None
        routing.reroute(uow, ticket_id, reason, to_agent=agent_id)
        uow.commit()
        data = _latest(uow, number, ticket_id)
    _show(data, as_json)


def _show(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        say_json(data)
    else:
        say(*explanation_lines(data))


def _latest(uow: UnitOfWork, number: int, ticket_id: int) -> dict[str, Any]:
    explained = routing.explain(uow, ticket_id)
    if explained is None:
        raise NotFound(f"Ticket #{number} has not been routed")
    return explained.to_json()


# --- settings: a queue's weights and the agents' facts (supervisors for their queues, admins for all) ---


@routing_group.group("settings", cls=CheckedGroup)
def settings_group() -> None:
    """A queue's routing weights: show them, change them (the queue's lead or an admin)."""


def settings_lines(current: QueueRoutingSettings) -> list[str]:
    whose = "its own" if current.own else ("the default's" if current.version else "built in")
    lines = [f"{current.queue}: version {current.version} ({whose})"]
    lines += [f"  {name:<13} {value:g}" for name, value in current.weights]
    lines.append(f"  overflow cap  {current.overflow_cap} tickets past capacity when nobody has room")
    lines.append(f"  urgent counts {current.urgent_weight}")
    return lines


@settings_group.command("show")
@click.argument("queue")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def settings_show(ctx: CliContext, queue: str, as_json: bool) -> None:
    """The weights routing applies to the queue now."""
    with ctx.runtime().uow() as uow:
        current = routing_settings.queue_settings(uow, directory.find_queue_id(uow, name=queue))
    if as_json:
        say_json(current.to_json())
    else:
        say(*settings_lines(current))


@settings_group.command("set")
@click.argument("queue")
@click.option("--weight", "weights", multiple=True, metavar="FACTOR=VALUE", help="e.g. skill=3 (repeat).")
@click.option("--overflow-cap", type=click.IntRange(0, 10), default=None)
@click.option("--urgent-weight", type=click.IntRange(1, 10), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def settings_set(
    ctx: CliContext,
    queue: str,
    weights: tuple[str, ...],
    overflow_cap: int | None,
    urgent_weight: int | None,
    as_json: bool,
) -> None:
    """Change the queue's weights (the others stay); a new version, named by every later decision."""
    changes = parse_weights(weights)
    if not changes and overflow_cap is None and urgent_weight is None:
        raise InvalidInput("Say what to change: --weight FACTOR=VALUE, --overflow-cap or --urgent-weight")
    with ctx.runtime().uow() as uow:
        queue_id = directory.find_queue_id(uow, name=queue)
        current = routing_settings.queue_settings(uow, queue_id)
        stored = current.with_changes(changes, overflow_cap=overflow_cap, urgent_weight=urgent_weight)
        routing_settings.save_queue_settings(uow, queue_id, stored)
        uow.commit()
        saved = routing_settings.queue_settings(uow, queue_id)
    if as_json:
        say_json(saved.to_json())
    else:
        say(*settings_lines(saved))


@agent_group.group("facts", cls=CheckedGroup)
def facts_group() -> None:
    """An agent's skills, languages, capacity and queues (their queue's lead or an admin)."""


def facts_lines(facts: AgentRoutingFacts) -> list[str]:
    away = f"out of office until {facts.out_of_office_until.isoformat()}" if facts.out_of_office_until else "in office"
    return [
        f"{facts.name} ({facts.login}), {facts.availability}, {away}"
        + (f", substitute {facts.substitute}" if facts.substitute else ""),
        f"  capacity   {facts.capacity}",
        f"  skills     {', '.join(f'{s}:{level}' for s, level in facts.skills) or 'none'}",
        f"  languages  {', '.join(facts.languages) or 'none'}",
        f"  queues     {', '.join(facts.queues) or 'none'}",
        f"  time zone  {facts.time_zone}",
        f"  shift      {'; '.join(describe_shift(facts.shift)) or 'none (on shift whenever available)'}",
    ]


def _say_facts(facts: AgentRoutingFacts, as_json: bool) -> None:
    if as_json:
        say_json(facts.to_json())
    else:
        say(*facts_lines(facts))


@facts_group.command("show")
@click.argument("agent")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def facts_show(ctx: CliContext, agent: str, as_json: bool) -> None:
    """What routing knows about the agent (a login or an email)."""
    with ctx.runtime().uow() as uow:
        facts = routing_settings.agent_facts(uow, directory.find_agent_id(uow, login_or_email=agent))
    _say_facts(facts, as_json)


@facts_group.command("set")
@click.argument("agent")
@click.option("--skill", "skills", multiple=True, metavar="NAME:LEVEL", help="Replaces the skills (repeat).")
@click.option("--no-skills", is_flag=True, help="Remove every skill.")
@click.option("--language", "languages", multiple=True, help="A language code such as de (repeat; replaces).")
@click.option("--capacity", type=click.IntRange(0, 500), default=None)
@click.option("--queue", "queues", multiple=True, help="A queue you lead the agent works (repeat; replaces those).")
@click.option("--time-zone", default=None, help="e.g. Europe/Berlin (shifts are in this time zone).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def facts_set(
    ctx: CliContext,
    agent: str,
    skills: tuple[str, ...],
    no_skills: bool,
    languages: tuple[str, ...],
    capacity: int | None,
    queues: tuple[str, ...],
    time_zone: str | None,
    as_json: bool,
) -> None:
    """Change the facts given; the others stay. The database decides who may."""
    facts: dict[str, Any] = {}
    if skills or no_skills:
        facts["skills"] = {} if no_skills else parse_skills(skills)
    if languages:
        facts["languages"] = parse_languages(languages)
    if capacity is not None:
        facts["capacity"] = capacity
    if time_zone is not None:
        facts["time_zone"] = time_zone.strip()
    if not facts and not queues:
        raise InvalidInput("Say what to change: --skill, --no-skills, --language, --capacity, --queue or --time-zone")
    with ctx.runtime().uow() as uow:
        agent_id = directory.find_agent_id(uow, login_or_email=agent)
        if queues:
            facts["queues"] = sorted({directory.find_queue_id(uow, name=q) for q in queues})
        changed = routing_settings.set_agent_facts(uow, agent_id, facts)
        uow.commit()
    _say_facts(changed, as_json)


@agent_group.command("shift")
@click.argument("agent")
@click.option("--on", "specs", multiple=True, metavar="DAYS=HH:MM-HH:MM", help="e.g. mon-fri=09:00-17:00 (repeat).")
@click.option("--time-zone", default=None, help="The shift's time zone, e.g. Europe/Berlin (default: the agent's).")
@click.option("--none", "clear", is_flag=True, help="No schedule: on shift whenever available.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def shift(
    ctx: CliContext, agent: str, specs: tuple[str, ...], time_zone: str | None, clear: bool, as_json: bool
) -> None:
    """The agent's weekly shift in their time zone: routing gives them tickets only then."""
    if clear == bool(specs):
        raise InvalidInput("Give the shift with --on DAYS=HH:MM-HH:MM (repeat), or --none for no schedule")
    facts: dict[str, Any] = {"shift": None if clear else parse_shift(specs)}
    if time_zone is not None:
        facts["time_zone"] = time_zone.strip()
    with ctx.runtime().uow() as uow:
        changed = routing_settings.set_agent_facts(uow, directory.find_agent_id(uow, login_or_email=agent), facts)
        uow.commit()
    _say_facts(changed, as_json)


@agent_group.command("away-until")
@click.argument("date", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--substitute", default=None, help="Who takes your customers meanwhile (a login or an email).")
@click.option("--agent", "who", default=None, help="Someone else's (their queue's lead or an admin).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def away_until(ctx: CliContext, date: dt.datetime, substitute: str | None, who: str | None, as_json: bool) -> None:
    """Out of office through DATE (in your time zone): routing gives you nothing, and your customers'
    tickets go to the substitute."""
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)  # a day's slack: time zones differ
    if date.date() < yesterday:
        raise InvalidInput(f"{date:%Y-%m-%d} has passed: out of office runs through a day to come ('agent back' ends)")
    with ctx.runtime().uow() as uow:
        agent_id = directory.find_agent_id(uow, login_or_email=who) if who else _me(uow)
        facts: dict[str, Any] = {"out_of_office_until": date.date().isoformat()}
        facts["substitute"] = directory.find_agent_id(uow, login_or_email=substitute) if substitute else None
        changed = routing_settings.set_agent_facts(uow, agent_id, facts)
        uow.commit()
    _say_facts(changed, as_json)


@agent_group.command("back")
@click.option("--agent", "who", default=None, help="Someone else's (their queue's lead or an admin).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def back(ctx: CliContext, who: str | None, as_json: bool) -> None:
    """Back in office: no end date, no substitute."""
    with ctx.runtime().uow() as uow:
        agent_id = directory.find_agent_id(uow, login_or_email=who) if who else _me(uow)
        changed = routing_settings.set_agent_facts(uow, agent_id, {"out_of_office_until": None, "substitute": None})
        uow.commit()
    _say_facts(changed, as_json)


def _me(uow: UnitOfWork) -> int:
    me = uow.actor.agent_id
    if me is None:
        raise InvalidInput("Say whose with --agent LOGIN (this login is not an agent)")
    return me
