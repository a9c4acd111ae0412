"""Keeping SLA policies and business calendars (`switchboard sla policy …`, `switchboard sla calendar …`):
validated here with the same pure functions the sweep uses. A policy is saved through the definer function
`save_sla_policy()`, as the desktop's admin area saves it (`save_policy`): an admin any policy, a team lead
one whose conditions name only queues they lead; a calendar is written as the caller's own login, which
row-level security lets only admins do. The database decides, not this module, and nothing is ever
deleted: a policy is retired. Every write is followed, in the database, by a recompute
of the open tickets' due times in the background (migration 0017: `sla_config_changed()`).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy import text as sql_text

from app.models import BusinessCalendar as CalendarRow
from app.models import Organisation, Queue, SlaPolicy
from app.services.connectors.conditions import ACCOUNT_PREFIX
from app.services.errors import InvalidInput, NotFound
from app.services.platform.bounded_input import text_of
from app.services.platform.plain_text import clean_line
from app.services.platform.uow import UnitOfWork
from app.services.platform.week_hours import parse_hours
from app.services.sla.admin_dto import (
    MANY_CLOSED_DAYS,
    MAX_DATE_NAME,
    POLICY_FIELDS,
    WEEKDAYS,
    CalendarInfo,
    PolicyInfo,
    describe_hours,
)
from app.services.sla.calendar import SEARCH_DAYS, BusinessCalendar, public_holidays
from app.services.sla.clocks import Target
from app.services.sla.ledger import (
    MAX_LADDER_STEPS,
    CalendarSnapshot,
    calendar_from_row,
    open_hours,
    policy_from_row,
)
from app.services.sla.policy import folded
from app.vocabulary import Channel, Priority, TicketType

_SAVE_POLICY = sql_text(
    "SELECT switchboard.save_sla_policy(:id, :expected, :name, :position, CAST(:conditions AS jsonb), "
    "CAST(:targets AS jsonb), :business_hours, :calendar_id, :warn_share, CAST(:ladder AS jsonb), :active)"
)

__all__ = [
    "MANY_CLOSED_DAYS",
    "POLICY_FIELDS",
    "WEEKDAYS",
    "CalendarInfo",
    "PolicyInfo",
    "describe_hours",
    "open_hours",
]

# The team's own closed dates: plain, or mapped to their names ("Inventory day"; "" for none).
OwnDates = Iterable[dt.date] | Mapping[dt.date, str]

# --- policies ----------------------------------------------------------------------------------------------


def list_policies(uow: UnitOfWork, *, include_retired: bool = False) -> list[PolicyInfo]:
    query = select(SlaPolicy).order_by(SlaPolicy.position, SlaPolicy.id)
    if not include_retired:
        query = query.where(SlaPolicy.is_active)
    names = _calendar_names(uow)
    return [_policy_info(row, names) for row in uow.session.scalars(query)]


def show_policy(uow: UnitOfWork, name: str) -> PolicyInfo:
    return _policy_info(_policy_row(uow, name), _calendar_names(uow))


def add_policy(uow: UnitOfWork, spec: Mapping[str, Any]) -> PolicyInfo:
    """A new policy from its spec (`POLICY_FIELDS`; name, position and targets required), saved through
    `save_sla_policy()`: an admin's any, a team lead's only over queues they lead."""
    _check_fields(spec)
    for required in ("name", "position", "targets"):
        if spec.get(required) in (None, "", {}):
            raise InvalidInput(f"A policy needs {required!r}.")
    if uow.session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == spec["name"])) is not None:
        raise InvalidInput(f"There is already a policy named {spec['name']!r} (change it with 'sla policy set').")
    return _saved_info(uow, save_policy(uow, None, None, spec))


def set_policy(uow: UnitOfWork, name: str, changes: Mapping[str, Any]) -> PolicyInfo:
    """Change some fields of a policy (its version goes up, on the version read here: a save meanwhile is
    refused); the open tickets are recomputed."""
    _check_fields(changes)
    row = _policy_row(uow, name)
    if "name" in changes and changes["name"] != row.name:
        taken = uow.session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == changes["name"]))
        if taken is not None:
            raise InvalidInput(f"There is already a policy named {changes['name']!r}.")
    current = _policy_info(row, _calendar_names(uow))
    spec = {**_spec_of(current), **changes, "active": current.is_active}
    return _saved_info(uow, save_policy(uow, row.id, row.version, spec))


def retire_policy(uow: UnitOfWork, name: str) -> PolicyInfo:
    """The policy no longer applies (it is kept, never deleted); its tickets fall to the next that matches."""
    row = _policy_row(uow, name)
    current = _policy_info(row, _calendar_names(uow))
    return _saved_info(uow, save_policy(uow, row.id, row.version, {**_spec_of(current), "active": False}))


def save_policy(uow: UnitOfWork, policy_id: int | None, expected_version: int | None, spec: Mapping[str, Any]) -> int:
    """Add (no id) or change a policy through `save_sla_policy()`, the one way the CLI and the desktop write
    policies: `spec` is whole (every field of `sla policy add`, and `active`), checked first by the pure
    functions here; the database decides who may (an admin any policy, a team lead one over the queues they
    lead) and refuses a change on an older version. Returns the policy's id."""
    fields = dict(spec)
    active = _flag(fields.pop("active", True), "active")
    for required in ("name", "position", "targets"):
        if fields.get(required) in (None, "", {}):
            raise InvalidInput(f"A policy needs {required.replace('_', ' ')}.")
    row = SlaPolicy(id=policy_id or -1, name="new", conditions={}, ladder=[], business_hours=True, warn_share=0.8)
    row.version, row.is_active = expected_version or 1, active
    apply_spec(uow, row, fields)  # a transient row: validated, never added
    if active:
        _one_step_a_level(row)
    saved = uow.session.scalar(
        _SAVE_POLICY,
        {
            "id": policy_id,
            "expected": expected_version,
            "name": row.name,
            "position": row.position,
            "conditions": json.dumps(row.conditions),
            "targets": json.dumps(row.targets),
            "business_hours": row.business_hours,
            "calendar_id": row.calendar_id,
            "warn_share": row.warn_share,
            "ladder": json.dumps(row.ladder),
            "active": active,
        },
    )
    assert saved is not None
    return int(saved)


def _spec_of(policy: PolicyInfo) -> dict[str, Any]:
    return {field: value for field, value in policy.as_json().items() if field in POLICY_FIELDS}


def _saved_info(uow: UnitOfWork, policy_id: int) -> PolicyInfo:
    """The policy as saved (the function wrote it behind the session's back: read again)."""
    row = uow.session.execute(
        select(SlaPolicy).where(SlaPolicy.id == policy_id).execution_options(populate_existing=True)
    ).scalar_one()
    return _policy_info(row, _calendar_names(uow))


def apply_spec(uow: UnitOfWork, row: SlaPolicy, spec: Mapping[str, Any]) -> None:
    """Validate a policy spec and write it onto the row (a transient row for a dry run). The calendar is
    looked up before anything is set: a query after would flush half the change as an update of its own."""
    _check_fields(spec)
    calendar_id = row.calendar_id
    if "calendar" in spec:
        calendar_id = None if spec["calendar"] in (None, "") else _calendar_row(uow, str(spec["calendar"])).id
    calendar = uow.session.get(CalendarRow, calendar_id) if calendar_id is not None else None
    now = uow.now()
    if isinstance(spec.get("conditions"), dict):
        _check_conditions(spec["conditions"])
        _check_named_rows_exist(uow, spec["conditions"])
    if "name" in spec:
        row.name = _name(spec["name"])
    if "position" in spec:
        row.position = _integer(spec["position"], "position")
    for field in ("conditions", "targets"):
        if field in spec:
            if not isinstance(spec[field], dict):
                raise InvalidInput(f"The policy's {field} must be an object.")
            setattr(row, field, spec[field])
    if "ladder" in spec:
        if not isinstance(spec["ladder"], list) or len(spec["ladder"]) > MAX_LADDER_STEPS:
            raise InvalidInput(f"The policy's ladder must be a list of at most {MAX_LADDER_STEPS} steps.")
        row.ladder = spec["ladder"]
    if "business_hours" in spec:
        row.business_hours = _flag(spec["business_hours"], "business_hours")
    if "warn_share" in spec:
        share = spec["warn_share"]
        if not isinstance(share, int | float) or not 0 < share < 1:
            raise InvalidInput("warn_share is a share of the target between 0 and 1 (0.8 warns at 80 %).")
        row.warn_share = float(share)
    row.calendar_id = calendar_id
    try:
        policy = policy_from_row(row)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    if not policy.targets or any(minutes <= 0 for per in policy.targets.values() for minutes in per.values()):
        raise InvalidInput("A policy's targets are minutes above zero per priority and target.")
    _responses_come_first(policy.targets)
    if row.business_hours and calendar is not None:
        _targets_fit(policy.targets, calendar, now)


def _one_step_a_level(row: SlaPolicy) -> None:
    """A ladder's levels are each one step: one with level 1 twice was saved (a real-world probe). Checked
    when a policy in force is saved, not where policies are read: one saved so before still applies, may be
    retired, and leaves the dry runs of the others alone."""
    levels = sorted(int(step["level"]) for step in row.ladder or ())
    if len(levels) != len(set(levels)):
        raise InvalidInput(f"The ladder of {row.name} has a level twice ({levels}): each level is one step.")


def _check_fields(spec: Mapping[str, Any]) -> None:
    """Every field a policy has, and no other: a misspelt one ("calender") was refused by `sla policy add`
    but left out by a dry run, which then showed a policy the lead had not written."""
    unknown = set(spec) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown policy fields: {', '.join(sorted(unknown))} (known: {', '.join(POLICY_FIELDS)}).")


def _flag(value: object, what: str) -> bool:
    """A yes-or-no field, as JSON writes it: "false" in quotes was read as yes (any text is)."""
    if not isinstance(value, bool):
        raise InvalidInput(f"{what} is true or false (without quotes), not {value!r}.")
    return value


def _responses_come_first(targets: Mapping[Any, Mapping[Any, float]]) -> None:
    """A first or next response is due before the resolution it leads to: Urgent's first response at
    100,000 minutes beside its resolution at 480 was saved without a word (a slip of a digit)."""
    for priority, per in targets.items():
        resolution = per.get(Target.RESOLUTION)
        for response in (Target.FIRST_RESPONSE, Target.NEXT_RESPONSE):
            minutes = per.get(response)
            if resolution is not None and minutes is not None and minutes > resolution:
                raise InvalidInput(
                    f"{priority.label.capitalize()}: the {response.label} ({minutes:,.0f} minutes) would be due after"
                    f" the resolution ({resolution:,.0f} minutes); a response comes before the resolution."
                )


def _targets_fit(targets: Mapping[Any, Mapping[Any, float]], row: CalendarRow, now: dt.datetime) -> None:
    """Every target falls due within the calendar's open hours of the years ahead (`SEARCH_DAYS`): a
    target of a year's minutes on a calendar open a few hours a week never would, and its clocks would
    never warn or breach."""
    longest = max(minutes for per in targets.values() for minutes in per.values())
    years = range(now.year - 1, now.year + 3)
    if calendar_from_row(row, years).due_or_none(now, longest) is None:
        raise InvalidInput(
            f"A target of {longest:,.0f} business minutes lies beyond the open hours of the calendar {row.name}"
            f" for the next {SEARCH_DAYS // 366} years: choose a shorter target, or count calendar minutes"
            " (business hours off)."
        )


ID_CONDITIONS = ("queue_ids", "organisation_ids")
NAME_CONDITIONS = ("priorities", "types", "channels", "any_tags", "tiers")


def _check_named_rows_exist(uow: UnitOfWork, conditions: Mapping[str, Any]) -> None:
    """A queue or organisation id no row has: the policy would match no ticket, and a dry run counted the
    tickets that lost their clock as "moved" (a probe's file named queue 99999)."""
    for key, model, what in (("queue_ids", Queue, "queue"), ("organisation_ids", Organisation, "organisation")):
        wanted = {int(v) for v in conditions.get(key) or ()}
        if not wanted:
            continue
        missing = sorted(wanted - set(uow.session.scalars(select(model.id).where(model.id.in_(wanted)))))
        if missing:
            listed = ", ".join(map(str, missing))
            raise InvalidInput(f"The condition {key!r} names {what} {listed}, which does not exist.")


def _check_conditions(conditions: Mapping[str, Any]) -> None:
    """As `save_sla_policy()` checks them: a key the engine does not know would be ignored, and the policy
    match every ticket (`queue_id` for `queue_ids` took over every queue's tickets)."""
    for key, value in conditions.items():
        if key.startswith(ACCOUNT_PREFIX):
            continue  # `account_conditions` reads these, and says what is wrong with one
        if key in ID_CONDITIONS or key in NAME_CONDITIONS:
            wanted: type | tuple[type, ...] = int if key in ID_CONDITIONS else str
            if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, wanted) for v in value):
                kind = "ids (whole numbers)" if key in ID_CONDITIONS else "names"
                raise InvalidInput(f"The condition {key!r} is a list of {kind}.")
            _check_known_names(key, value)
        else:
            known = ", ".join((*ID_CONDITIONS, *NAME_CONDITIONS, f"{ACCOUNT_PREFIX}NAME"))
            raise InvalidInput(f"Unknown condition {key!r} (known: {known}).")


# The conditions whose names are the desk's own vocabulary: a name outside it matches no ticket ("Phne").
KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    "types": tuple(TicketType),
    "channels": tuple(Channel),
    "priorities": tuple(p.label for p in Priority),
}


def _check_known_names(key: str, names: list[Any]) -> None:
    """Names are compared case aside (`folded`); one a condition of the desk's vocabulary does not know, or
    an empty one, is refused by name rather than saved to match nothing."""
    if any(not str(name).strip() for name in names):
        raise InvalidInput(f"The condition {key!r} holds an empty name.")
    known = KNOWN_NAMES.get(key)
    if known is None:
        return
    unknown = [str(name) for name in names if folded(str(name)) not in known]
    if unknown:
        raise InvalidInput(
            f"The condition {key!r} names {', '.join(map(repr, unknown))}: known are {', '.join(known)}."
        )


def _policy_row(uow: UnitOfWork, name: str, *, lock: bool = False) -> SlaPolicy:
    query = select(SlaPolicy).where(SlaPolicy.name == name)
    row = uow.session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"No SLA policy is named {name!r}.")
    return row


def _policy_info(row: SlaPolicy, calendars: Mapping[int, str]) -> PolicyInfo:
    return PolicyInfo(
        id=row.id,
        name=row.name,
        position=row.position,
        conditions=row.conditions or {},
        targets=row.targets or {},
        business_hours=row.business_hours,
        calendar=calendars.get(row.calendar_id) if row.calendar_id is not None else None,
        warn_share=row.warn_share,
        ladder=tuple(row.ladder or ()),
        is_active=row.is_active,
        version=row.version,
    )


def _calendar_names(uow: UnitOfWork) -> dict[int, str]:
    return {int(i): str(name) for i, name in uow.session.execute(select(CalendarRow.id, CalendarRow.name))}


# --- calendars ---------------------------------------------------------------------------------------------


def list_calendars(uow: UnitOfWork) -> list[CalendarInfo]:
    return [_calendar_info(row) for row in uow.session.scalars(select(CalendarRow).order_by(CalendarRow.name))]


def show_calendar(uow: UnitOfWork, name: str) -> CalendarInfo:
    return _calendar_info(_calendar_row(uow, name))


def add_calendar(
    uow: UnitOfWork,
    *,
    name: str,
    time_zone: str,
    hours: Iterable[str],
    country: str | None = None,
    subdivision: str | None = None,
    closed: OwnDates = (),
) -> CalendarInfo:
    """A business calendar: its time zone, weekly hours (`mon-fri 09:00-17:00`, several lines and
    intervals allowed), the country and region whose public holidays close it, and its own closed dates."""
    if uow.session.scalar(select(CalendarRow.id).where(CalendarRow.name == name)) is not None:
        raise InvalidInput(f"There is already a calendar named {name!r}.")
    row = CalendarRow(name=_name(name), **_calendar_fields(time_zone, hours, country, subdivision, closed))
    uow.session.add(row)
    uow.session.flush()
    return _calendar_info(row)


def set_calendar(
    uow: UnitOfWork,
    calendar_id: int,
    *,
    expected_version: int,
    name: str,
    time_zone: str,
    hours: Iterable[str],
    country: str | None = None,
    subdivision: str | None = None,
    closed: OwnDates = (),
) -> CalendarInfo:
    """A calendar changed whole, as the desktop's editor saves it (admins: row-level security decides). A
    change made on an older version than the stored one is refused, so nobody's save is silently lost."""
    fields = _calendar_fields(time_zone, hours, country, subdivision, closed)
    new_name = _name(name)
    now = uow.now()  # first: a query in between would flush half the change as an update of its own
    taken = uow.session.scalar(
        select(CalendarRow.id).where(CalendarRow.name == new_name, CalendarRow.id != calendar_id)
    )
    if taken is not None:
        raise InvalidInput(f"There is already a calendar named {new_name!r}.")
    row = uow.session.scalar(select(CalendarRow).where(CalendarRow.id == calendar_id).with_for_update())
    if row is None:
        raise NotFound(f"No business calendar has the id {calendar_id}.")
    if row.version != expected_version:
        raise InvalidInput(
            f"The calendar {row.name} was saved by someone else meanwhile (version {row.version} now, you edited "
            f"version {expected_version}): reload it and make your change again."
        )
    if not isinstance(closed, Mapping):  # plain dates: those kept keep their names
        fields["closed_date_names"] = _names_of(_kept_names(row, fields["closed_dates"]))
    row.name = new_name
    for field, value in fields.items():
        setattr(row, field, value)
    row.version += 1
    row.updated_at = now
    uow.session.flush()
    return _calendar_info(row)


def proposed_calendar(
    *,
    name: str,
    time_zone: str,
    hours: Iterable[str],
    country: str | None = None,
    subdivision: str | None = None,
    closed: OwnDates = (),
) -> CalendarSnapshot:
    """A calendar as a save would store it, checked as a save checks it, written nowhere: what a dry run
    puts in place of the saved one."""
    fields = _calendar_fields(time_zone, hours, country, subdivision, closed)
    return CalendarSnapshot(
        _name(name),
        fields["time_zone"],
        fields["weekly_hours"],
        fields["country"],
        fields["subdivision"],
        tuple(fields["closed_dates"]),
    )


def _calendar_fields(
    time_zone: str,
    hours: Iterable[str],
    country: str | None,
    subdivision: str | None,
    closed: OwnDates,
) -> dict[str, Any]:
    """A calendar's columns as stored, checked (hours, time zone, country and region), for a new calendar,
    a changed one and a dry run's alike."""
    weekly = _opening_hours(hours)
    country, subdivision = _region(country, subdivision)
    time_zone = named_zone(time_zone)
    _check_calendar(time_zone, weekly, country, subdivision)
    return {
        "time_zone": time_zone,
        "weekly_hours": {str(day): [list(i) for i in intervals] for day, intervals in weekly.items()},
        "country": country or None,
        "subdivision": subdivision or None,
        "closed_dates": sorted(set(closed)),
        "closed_date_names": _names_of(closed),
    }


def _names_of(closed: OwnDates) -> dict[str, str]:
    """The stored names of the team's own dates (`{"2026-12-24": "Inventory day"}`): one line each, at
    most `MAX_DATE_NAME` characters; a date without a name has none."""
    if not isinstance(closed, Mapping):
        return {}
    named = {day.isoformat(): clean_line(str(name))[:MAX_DATE_NAME].strip() for day, name in closed.items()}
    return {day: name for day, name in sorted(named.items()) if name}


def change_closed_dates(
    uow: UnitOfWork, name: str, *, add: OwnDates = (), remove: Iterable[dt.date] = ()
) -> CalendarInfo:
    """The team's own closed dates (beside the public holidays): added (with their names, when `add` maps
    dates to names) and removed; the version goes up. Dates it had already under the same names (an .ics
    file imported again) change nothing: no new version, no recompute."""
    now = uow.now()  # first: a query in between would flush half the change as an update of its own
    row = _calendar_row(uow, name, lock=True)
    dropped = set(remove)
    _check_removable(row, dropped - set(add))
    dates = sorted((set(row.closed_dates or ()) | set(add)) - dropped)
    given = {day: label for day, label in add.items() if label} if isinstance(add, Mapping) else {}
    names = _names_of(_kept_names(row, dates) | given)  # a date added again without a name keeps its own
    if dates == sorted(row.closed_dates or ()) and names == (row.closed_date_names or {}):
        return _calendar_info(row)
    row.closed_dates = dates
    row.closed_date_names = names
    row.version += 1
    row.updated_at = now
    uow.session.flush()
    return _calendar_info(row)


def _stored_names(row: CalendarRow) -> dict[dt.date, str]:
    """A calendar's names of its own dates as stored; a key that is no date (`2026-02-30`, written in psql:
    the database checks the form, not the calendar) is left out, where it stopped every reader."""
    names = {}
    for day, label in (row.closed_date_names or {}).items():
        with contextlib.suppress(ValueError):
            names[dt.date.fromisoformat(day)] = label
    return names


def _kept_names(row: CalendarRow, dates: Iterable[dt.date]) -> dict[dt.date, str]:
    """The stored names of those of `dates` that have one."""
    stored = _stored_names(row)
    return {day: stored[day] for day in set(dates) if day in stored}


def check_removable(uow: UnitOfWork, name: str, days: Iterable[dt.date]) -> None:
    """`_check_removable` for a dry run, which writes nothing but refuses what the change would refuse."""
    _check_removable(_calendar_row(uow, name), set(days))


def _check_removable(row: CalendarRow, days: set[dt.date]) -> None:
    """Only the team's own dates are removed: a public holiday's `--remove` did nothing and said nothing
    (a real-world probe: Christmas Day stayed closed, exit 0)."""
    own = set(row.closed_dates or ())
    for day in sorted(days - own):
        public = dict(closed_days(row.country, row.subdivision, (), day.year))
        region = (row.country or "") + (f"-{row.subdivision}" if row.subdivision else "")
        if day in public:
            raise InvalidInput(
                f"{day} is a public holiday of {region} ({public[day]}), not one of the team's own dates: a calendar"
                " closes on every public holiday of its country and region (choose no country to keep none)."
            )
        raise InvalidInput(f"{day} is not one of the calendar {row.name}'s own closed dates; nothing was changed.")


def holidays_of(uow: UnitOfWork, name: str, year: int) -> list[tuple[dt.date, str]]:
    """The dates the calendar is closed in `year`: public holidays with their names, and the team's own."""
    row = _calendar_row(uow, name)
    return closed_days(row.country, row.subdivision, _calendar_info(row).own_dates, year)


def closed_days(country: str | None, subdivision: str | None, own: OwnDates, year: int) -> list[tuple[dt.date, str]]:
    """The public holidays of a country (and region) in `year`, with their names, and the team's own dates
    with theirs: offline, from the `holidays` package."""
    found: dict[dt.date, str] = {}
    if country:
        import holidays

        try:
            table = holidays.country_holidays(country, subdiv=subdivision or None, years=[year])
        except NotImplementedError as error:
            raise InvalidInput(f"No public holidays are known for {country!r}: {error}") from None
        found.update({day: str(label) for day, label in table.items()})
    names = own if isinstance(own, Mapping) else {}
    for day in own:
        if day.year == year:
            why = f"{names[day]} (own date)" if names.get(day) else "closed (the team's own date)"
            found[day] = (found[day] + "; " if day in found else "") + why
    return sorted(found.items())


def _region(country: str | None, subdivision: str | None) -> tuple[str | None, str | None]:
    """A country's and region's codes as the holidays package spells them, whatever their case: "de" and
    " be " were refused ("NSW Western", "Flemish" are spelled so)."""
    country = (country or "").strip().upper() or None
    typed = (subdivision or "").strip()
    if not typed or country is None:
        return country, typed or None
    return country, next((sub for sub in country_regions(country) if sub.casefold() == typed.casefold()), typed)


def named_zone(typed: str) -> str:
    """The tz database's name for a time zone as typed, whatever its case ("europe/berlin" was refused while
    a country's code was read in any case); one that is no zone is refused naming the nearest ones."""
    from difflib import get_close_matches

    name = typed.strip()
    zones = _named_zones()
    if name.casefold() in zones:
        return zones[name.casefold()]
    near = get_close_matches(name.casefold(), list(zones), n=3, cutoff=0.75)
    hint = f" Did you mean {' or '.join(zones[n] for n in near)}?" if near else ""
    raise InvalidInput(f"{typed!r} is not a time zone (e.g. Europe/Berlin).{hint}")


def is_named_zone(name: str) -> bool:
    """Whether `name` is one of the tz database's names, as written (see `_named_zones`)."""
    return _named_zones().get(name.casefold()) == name


@functools.cache
def _named_zones() -> dict[str, str]:
    """The tz database's names (Europe/Berlin, UTC) by their case-folded spelling, as every server knows
    them: not "localtime" (the server's own, whatever that is) nor a "posix/" or "right/" copy, which zoneinfo
    reads from the system's files and a database server may not have (the embedded one refused them with its
    raw constraint). Read once: the directory walk is the same for the process's life."""
    from zoneinfo import available_timezones

    return {zone.casefold(): zone for zone in available_timezones() if zone != "localtime"}


def _check_calendar(
    time_zone: str, weekly: Mapping[int, tuple[tuple[int, int], ...]], country: str | None, subdivision: str | None
) -> BusinessCalendar:
    if subdivision and not country:
        raise InvalidInput(f"A subdivision ({subdivision!r}) belongs to a country: give --country too (e.g. DE).")
    try:
        calendar = BusinessCalendar(time_zone, weekly)
        if country:
            public_holidays(country, subdivision or None, [dt.date.today().year])  # noqa: DTZ011 (a year)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    return calendar


def _opening_hours(lines: Iterable[str]) -> dict[int, tuple[tuple[int, int], ...]]:
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise InvalidInput("A calendar needs opening hours (e.g. --hours 'mon-fri 09:00-17:00').")
    return parse_hours(lines)


def _calendar_row(uow: UnitOfWork, name: str, *, lock: bool = False) -> CalendarRow:
    query = select(CalendarRow).where(CalendarRow.name == name)
    row = uow.session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"No business calendar is named {name!r}.")
    return row


def _calendar_info(row: CalendarRow) -> CalendarInfo:
    return CalendarInfo(
        id=row.id,
        name=row.name,
        time_zone=row.time_zone,
        weekly_hours=row.weekly_hours or {},
        country=row.country,
        subdivision=row.subdivision,
        closed_dates=tuple(sorted(row.closed_dates or ())),
        closed_date_names=_stored_names(row),
        version=row.version,
        regions_left_out=() if row.subdivision else country_regions(row.country),
    )


def country_regions(country: str | None) -> tuple[str, ...]:
    """The codes of a country's regions with public holidays of their own (none for a country without)."""
    if not country:
        return ()
    import holidays

    return tuple(holidays.list_supported_countries().get(country.upper(), ()))


def _name(value: object) -> str:
    text = str(value).strip()
    if not text or len(text) > 100:
        raise InvalidInput("A name is 1 to 100 characters.")
    return text


def _integer(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be a whole number.")
    return value


MAX_ICS_BYTES = 2_000_000
MAX_EVENT_DAYS = 366
CLOSING_MINUTES = 4 * 60  # of a day a timed event takes before it closes the day (half an office day)


ICS_HORIZON_YEARS = 2  # repeating events are expanded to the end of the year after next
MAX_OCCURRENCES = 1000  # of one repeating event within the horizon


def ics_horizon(today: dt.date) -> dt.date:
    """The last day repeating events of an `.ics` file are expanded to: the end of the last year the
    SLA book loads holidays for (`SlaBook.calendar` takes the years around now up to two ahead)."""
    return dt.date(today.year + ICS_HORIZON_YEARS, 12, 31)


def dates_from_ics(data: bytes, *, until: dt.date, time_zone: str | None = None) -> list[dt.date]:
    """The days an `.ics` file's events cover, in order (`named_days_from_ics` without the names)."""
    return list(named_days_from_ics(data, until=until, time_zone=time_zone))


WeekHours = Mapping[int, Iterable[tuple[int, int]]]  # weekday (0 = Monday) → open intervals, minutes of the day


def named_days_from_ics(
    data: bytes, *, until: dt.date, time_zone: str | None = None, hours: WeekHours | None = None
) -> dict[dt.date, str]:
    """The days an `.ics` file's events cover (the team's own closed dates: a company holiday, a training
    day), in order, each named by its events' titles ("Team retreat"), read offline with `icalendar`. An
    all-day event ends the day before its DTEND; a timed event closes each day it takes half or more of the
    calendar's open `hours` of (four hours of the day without them: `_closes`; a training, not a stand-up or
    an evening's maintenance), its days counted in `time_zone` (the calendar's) when
    the event's times carry a zone: 23:30 UTC on the 24th is the 25th in Berlin. Days after `until`
    are left out, as the SLA book never reads them. A repeating event (RRULE, RDATE, less its EXDATEs and the
    occurrences moved by a RECURRENCE-ID) counts on each of its days up to `until` (see `ics_horizon`), with
    `dateutil`'s rules (icalendar's own dependency); an event repeating more than 1,000 times within that is
    refused."""
    if len(data) > MAX_ICS_BYTES:
        raise InvalidInput(f"The .ics file is larger than {MAX_ICS_BYTES // 1_000_000} MB.")
    import icalendar

    if not data.strip():
        raise InvalidInput("The .ics file is empty.")
    try:  # UTF-16 from Outlook or Notepad by its mark; anything else as icalendar reads bytes, as before
        source: bytes | str = text_of(data)
    except UnicodeDecodeError:
        source = data
    try:
        calendar = icalendar.Calendar.from_ical(source)
    except ValueError as error:  # the parser's own words, after ours: "Content line could not be parsed…"
        raise InvalidInput(f"This file is not a calendar (.ics) Switchboard can read ({_readable(error)}).") from None
    events = list(calendar.walk("VEVENT"))
    moved: dict[str, set[dt.date | dt.datetime]] = {}  # uid -> the occurrences a RECURRENCE-ID event replaces
    days: dict[dt.date, list[str]] = {}
    zone = ZoneInfo(named_zone(time_zone)) if time_zone else None  # as typed in the editor: "europe/berlin"
    for number, event in enumerate(events, start=1):
        with _dates_read(event, number):
            replaced = event.get("RECURRENCE-ID")
            if replaced is not None:
                moved.setdefault(str(event.get("UID", "")), set()).add(replaced.dt)
    for number, event in enumerate(events, start=1):
        with _dates_read(event, number):
            title = clean_line(str(event.get("SUMMARY", "")))
            for day in _event_days(event, number, until, moved, zone, hours):
                titles = days.setdefault(day, [])
                if title and title not in titles:
                    titles.append(title)
    return {  # a feed's yearly events from 1800 on are left out
        day: "; ".join(titles)[:MAX_DATE_NAME]
        for day, titles in sorted(days.items())
        if EARLIEST_CLOSED_DATE <= day <= until
    }


@contextlib.contextmanager
def _dates_read(event: Any, number: int) -> Iterator[None]:
    """icalendar reads a value when it is asked for: a broken date fails there, and is named by its event."""
    try:
        yield
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput(
            f"Event {number} of the .ics file ({_summary(event)}) has a date that cannot be read."
        ) from None


# The database keeps dates from 1900 (migration 0045); the clocks never look back that far.
EARLIEST_CLOSED_DATE = dt.date(1900, 1, 1)


def _readable(error: Exception) -> str:
    """The parser's complaint in one short printable line (it may quote the file's bytes)."""
    lines = str(error).splitlines()
    text = "".join(c if c.isprintable() else "?" for c in (lines[0] if lines else type(error).__name__))
    return text[:120] + ("…" if len(text) > 120 else "")


def _event_days(
    event: Any,
    number: int,
    until: dt.date,
    moved: Mapping[str, set[dt.date | dt.datetime]],
    zone: ZoneInfo | None = None,
    hours: WeekHours | None = None,
) -> set[dt.date]:
    """The days one event covers (see `dates_from_ics`); `number` names it in a refusal. A cancelled event
    closes nothing (calendar exports keep them), nor one marked free (TRANSP:TRANSPARENT, Outlook's busy
    status FREE: a birthday in an Outlook export closed the day); an event without DTEND lasts its
    DURATION, if any."""
    start = event.get("DTSTART")
    if start is None or str(event.get("STATUS", "")).upper() == "CANCELLED" or _is_free(event):
        return set()
    what = f"Event {number} of the .ics file ({_summary(event)})"
    end_at = _end_of(event, start.dt)
    if end_at is not None and type(end_at) is not type(start.dt):
        raise InvalidInput(f"{what} mixes a date and a time.")
    try:
        if end_at is not None and end_at < start.dt:
            raise InvalidInput(f"{what} ends before it starts.")
    except TypeError:  # one time with a zone, one without: no order between them
        raise InvalidInput(f"{what} gives one time with a zone and one without.") from None
    first = _as_date(start.dt, zone)
    last = first
    if end_at is not None and isinstance(start.dt, dt.datetime):
        last = max(first, _as_date(end_at - dt.timedelta(microseconds=1), zone))  # up to midnight: the day before
    elif end_at is not None:
        last = max(first, _as_date(end_at) - dt.timedelta(days=1))
    if (last - first).days > MAX_EVENT_DAYS:
        raise InvalidInput(f"{what} spans more than a year ({first} to {last}).")
    offsets = range((last - first).days + 1)
    starts = [first]
    if event.get("RECURRENCE-ID") is None and (event.get("RRULE") is not None or event.get("RDATE") is not None):
        starts = _occurrences(event, start.dt, until, moved.get(str(event.get("UID", "")), set()), zone)
    if not isinstance(start.dt, dt.datetime):
        return {day + dt.timedelta(days=n) for day in starts for n in offsets}
    taken = _taken_minutes(start.dt, end_at, first, offsets, zone)
    return {
        day + dt.timedelta(days=n)
        for day in starts
        for n, span in taken.items()
        if _closes(day + dt.timedelta(days=n), span, hours)
    }


def _taken_minutes(
    start: dt.datetime, end: Any, first: dt.date, offsets: range, zone: ZoneInfo | None
) -> dict[int, tuple[int, int]]:
    """The minutes of each day a timed event takes (by the day's distance from its first), on the calendar's
    clock; every occurrence of a repeating event takes the same. An event without an end is an instant."""
    if not isinstance(end, dt.datetime):
        return {}
    begins, ends = _wall_time(_on_zone(start, zone)), _wall_time(_on_zone(end, zone))
    taken = {}
    for offset in offsets:
        day = dt.datetime.combine(first + dt.timedelta(days=offset), dt.time())
        low, high = max(begins, day), min(ends, day + dt.timedelta(days=1))
        if high > low:
            taken[offset] = ((low - day) // dt.timedelta(minutes=1), (high - day) // dt.timedelta(minutes=1))
    return taken


def _closes(day: dt.date, span: tuple[int, int], hours: WeekHours | None) -> bool:
    """Whether an event taking `span` (minutes of the day) closes the day: half or more of the calendar's open
    minutes that day (none open: nothing to close), or, without hours, `CLOSING_MINUTES`. A training from 9 to
    5 closes its day; a daily 15-minute stand-up, a maintenance window from 18:00 to 22:00 or from 23:00 to
    01:00 closes none (one Outlook export of a stand-up closed every working day for two years and stopped
    every SLA clock on the calendar: a real-world probe)."""
    low, high = span
    if hours is None:
        return high - low >= CLOSING_MINUTES
    open_intervals = list(hours.get(day.weekday(), ()))
    open_minutes = sum(end - start for start, end in open_intervals)
    overlap = sum(max(0, min(high, end) - max(low, start)) for start, end in open_intervals)
    return open_minutes > 0 and overlap * 2 >= open_minutes


def _on_zone(value: dt.datetime, zone: ZoneInfo | None) -> dt.datetime:
    return value.astimezone(zone) if zone is not None and value.tzinfo is not None else value


def _is_free(event: Any) -> bool:
    """Whether the event leaves its time free (it blocks nothing in the calendar it came from)."""
    return (
        str(event.get("TRANSP", "")).upper() == "TRANSPARENT"
        or str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE"
    )


def _end_of(event: Any, start: dt.date | dt.datetime) -> dt.date | dt.datetime | None:
    """DTEND, else DTSTART plus DURATION (Apple's and some exports' way), else None."""
    end = event.get("DTEND")
    if end is not None:
        return end.dt  # type: ignore[no-any-return]
    duration = event.get("DURATION")
    if duration is not None and isinstance(duration.dt, dt.timedelta):
        return start + duration.dt
    return None


def _occurrences(
    event: Any,
    start: dt.date | dt.datetime,
    until: dt.date,
    moved: set[dt.date | dt.datetime],
    zone: ZoneInfo | None = None,
) -> list[dt.date]:
    """The first days of a repeating event's occurrences up to `until`: repeated on the wall clock of its
    start (a weekly 20:00 in New York stays 20:00 across DST), each then counted on the calendar's clock.
    An UNTIL, EXDATE, RDATE or RECURRENCE-ID written in another zone (UTC, as Thunderbird and Google write
    UNTIL) is read on the start's clock first: compared as written, Fridays 09:00 in Berlin "until 08:00Z"
    lost their last Friday, and an EXDATE in UTC cancelled nothing."""
    from dateutil.rrule import rruleset, rrulestr  # type: ignore[import-untyped]  # icalendar's own dependency

    first = _wall_time(start)
    rules = rruleset()
    try:
        for rule in _listed(event.get("RRULE")):
            _check_some_day_exists(rule, event)
            if not _may_happen(rule, max(first.date(), EARLIEST_CLOSED_DATE), until):
                continue  # dateutil would look for its first day until the year 9999
            rules.rrule(rrulestr(_on_start_clock(rule, start).to_ical().decode(), dtstart=first, ignoretz=True))
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"A repeating event of the .ics file has a rule that cannot be read: {error}") from None
    for name, add in (("RDATE", rules.rdate), ("EXDATE", rules.exdate)):
        for listed in _listed(event.get(name)):
            for value in getattr(listed, "dts", ()):
                if not isinstance(value.dt, tuple):  # an RDATE period: its start is enough here
                    add(_start_clock_time(value.dt, start))
    for replaced in moved:
        rules.exdate(_start_clock_time(replaced, start))
    last = dt.datetime.combine(until, dt.time.max)
    found: list[dt.date] = []
    for occurrence in rules.xafter(first, inc=True):
        if occurrence > last:
            break
        found.append(_occurrence_day(occurrence, start, zone))
        if len(found) > MAX_OCCURRENCES:
            raise InvalidInput(
                f"A repeating event of the .ics file ({event.get('SUMMARY', 'no title')}) happens more than "
                f"{MAX_OCCURRENCES:,} times before {until}."
            )
    return found


# The longest each month can be: a rule's day of the month beyond it in every month it names never comes.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _check_some_day_exists(rule: Any, event: Any) -> None:
    """Refuse a rule whose months never have its days ("the 30th of every February", "the 31st of every
    April"): dateutil looks for such a day until the year 9999, 5 to 13 s an event for a rule repeating
    daily or more often, and found nothing (a real-world probe, 2026-12-07)."""
    months = [int(m) for m in _listed(rule.get("BYMONTH"))] or list(range(1, 13))
    days = [int(d) for d in _listed(rule.get("BYMONTHDAY"))]
    if not days or not all(1 <= month <= 12 for month in months):
        return  # no day of the month asked for; a month out of range is dateutil's to refuse
    if any(abs(day) <= _MONTH_DAYS[month - 1] for day in days for month in months):
        return
    raise InvalidInput(
        f"A repeating event of the .ics file ({event.get('SUMMARY', 'no title')}) never happens: no month it "
        f"names (BYMONTH={','.join(map(str, months))}) has the day it asks for (BYMONTHDAY="
        f"{','.join(map(str, days))})."
    )


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")


def _may_happen(rule: Any, first: dt.date, until: dt.date) -> bool:
    """Whether some day from `first` to `until` passes the rule's filters of the day (a superset of its
    days: an ordinal weekday counts as any of that weekday, INTERVAL and BYSETPOS are left aside). A rule
    that picks no day there closes nothing there, and dateutil, given it, searched for a first day until the
    year 9999: 4 to 5 s of CPU an event for "hourly, in June, in week 1" or "daily, in January, on day 200
    of the year" (a real-world probe, 2026-12-07), hours for a file of them."""
    if not any(rule.get(name) for name in _DAY_FILTERS) or first > until:
        return True
    return any(_day_may_match(rule, first + dt.timedelta(days=n)) for n in range((until - first).days + 1))


def _day_may_match(rule: Any, day: dt.date) -> bool:
    def counted(name: str, value: int, last: int) -> bool:
        """BYMONTHDAY=-1 is the last day: a negative count is from the end."""
        wanted = [int(n) for n in _listed(rule.get(name))]
        return not wanted or any(n == value or (n < 0 and last + n + 1 == value) for n in wanted)

    months = [int(m) for m in _listed(rule.get("BYMONTH"))]
    month_days = (dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) - dt.timedelta(days=1)).day
    year_days = 366 if calendar.isleap(day.year) else 365
    weekdays = {str(d).upper()[-2:] for d in _listed(rule.get("BYDAY"))}
    return (
        (not months or day.month in months)
        and counted("BYMONTHDAY", day.day, month_days)
        and counted("BYYEARDAY", day.timetuple().tm_yday, year_days)
        and (not weekdays or _WEEKDAYS[day.weekday()] in weekdays)
        and _week_may_match(rule, day)
    )


def _week_may_match(rule: Any, day: dt.date) -> bool:
    """BYWEEKNO as ISO weeks (a week starting on Monday, as WKST's default); around New Year, or with
    another WKST, any week may be meant and the day is kept."""
    wanted = [int(w) for w in _listed(rule.get("BYWEEKNO"))]
    start = [str(w).upper() for w in _listed(rule.get("WKST"))]
    if not wanted or start not in ([], ["MO"]) or (day.month, day.day) < (1, 8) or (day.month, day.day) > (12, 24):
        return True
    week, weeks = day.isocalendar().week, dt.date(day.year, 12, 28).isocalendar().week
    return any(w == week or (w < 0 and weeks + w + 1 == week) for w in wanted)


def _occurrence_day(occurrence: dt.datetime, start: dt.date | dt.datetime, zone: ZoneInfo | None) -> dt.date:
    """An occurrence's day: on the calendar's clock when the event's start carries a zone."""
    if zone is not None and isinstance(start, dt.datetime) and start.tzinfo is not None:
        return occurrence.replace(tzinfo=start.tzinfo).astimezone(zone).date()
    return occurrence.date()


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _start_clock_time(value: dt.date | dt.datetime, start: dt.date | dt.datetime) -> dt.datetime:
    """A time of the event as the naive wall time of its start's zone (the clock its rule repeats on)."""
    if (
        isinstance(start, dt.datetime)
        and start.tzinfo is not None
        and isinstance(value, dt.datetime)
        and value.tzinfo is not None
    ):
        return value.astimezone(start.tzinfo).replace(tzinfo=None)
    return _wall_time(value)


def _on_start_clock(rule: Any, start: dt.date | dt.datetime) -> Any:
    """The rule with its UNTIL on the start's clock (see `_occurrences`); a rule without one as it is."""
    until = rule.get("UNTIL")
    if not until:
        return rule
    moved = rule.copy()
    moved["UNTIL"] = [_start_clock_time(value, start) for value in _listed(until)]
    return moved


def _wall_time(value: dt.date | dt.datetime) -> dt.datetime:
    """A start as the naive wall time it was written in (what its dates are counted by)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


def _as_date(value: dt.date | dt.datetime, zone: ZoneInfo | None = None) -> dt.date:
    """The day of a date, or of a time: on the calendar's clock when the time carries a zone, else as written."""
    if isinstance(value, dt.datetime):
        return (value.astimezone(zone) if zone is not None and value.tzinfo is not None else value).date()
    return value


def _summary(event: Any) -> str:
    return str(event.get("SUMMARY", "no title"))[:80]
