"""The desk's SLA admin area (`desk.supervision.sla_admin`): the policies and business calendars as the
desktop's admin views keep them, with the validation of `switchboard sla policy …` and `sla calendar …`
(the same functions in `admin.py`) and the dry run of `sla dry-run` before a policy change is saved.

Who may change what is the database's to decide: a policy is saved through `save_sla_policy()` (an admin
any, a team lead one over the queues they lead, a change on an older version refused); a calendar is
written as the caller's own login, which row-level security lets only admins do (calendars are shared by
every queue). Nothing here checks a role to refuse: it only tells the view what to offer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import any_, func, select

from app.models import Queue
from app.services.errors import InvalidInput
from app.services.platform.actor import Actor
from app.services.platform.bounded_input import read_file
from app.services.platform.database.boundary import SpeaksDomainErrors
from app.services.platform.uow import UnitOfWork, UnitOfWorkSource
from app.services.platform.week_hours import parse_hours
from app.services.sla import admin
from app.services.sla.admin_dto import CalendarInfo, DryRun, PolicyInfo, SlaSetup
from app.services.sla.dry_run import calendar_dry_run, dry_run
from app.vocabulary import AgentRole


def plan_move(policies: Sequence[PolicyInfo], policy_id: int, step: int) -> dict[int, int]:
    """New positions that move one active policy a place up (-1) or down (+1) in the match order, changing
    as few policies as possible: only the moved one when there is a gap in the numbers, else it swaps
    positions with its neighbour (whom a team lead may not be allowed to change: the database says so)."""
    order = sorted((p for p in policies if p.is_active), key=lambda p: (p.position, p.id))
    index = next((i for i, p in enumerate(order) if p.id == policy_id), None)
    if index is None:
        raise InvalidInput("Only an active policy has a place in the match order.")
    other = index + step
    if step not in (-1, 1) or not 0 <= other < len(order):
        raise InvalidInput(f"{order[index].name} is already {'first' if step < 0 else 'last'} in the match order.")
    me, neighbour = order[index], order[other]
    beyond = other + step
    wanted = neighbour.position + step
    if wanted >= 0 and (
        not 0 <= beyond < len(order)
        or (order[beyond].position < wanted if step < 0 else wanted < order[beyond].position)
    ):
        return {me.id: wanted}
    if me.position == neighbour.position:
        raise InvalidInput(
            f"{me.name} and {neighbour.name} share position {me.position}: give one of them another position."
        )
    return {me.id: neighbour.position, neighbour.id: me.position}


def spec_of(policy: PolicyInfo, **changes: Any) -> dict[str, Any]:
    """A policy as the spec `sla policy add` and `sla dry-run` read."""
    spec = {field: value for field, value in policy.as_json().items() if field in admin.POLICY_FIELDS}
    spec.update(changes)
    return spec


def proposed_specs(
    policies: Sequence[PolicyInfo], changed: Mapping[int | None, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The active policies with some changed (by id, the fields given; None: a new one, whole), as `sla dry-run`
    takes them; `active` in a change retires a policy or brings it back."""
    specs = []
    for policy in policies:
        spec = spec_of(policy, **changed.get(policy.id, {}))
        active = spec.pop("active", policy.is_active)
        if active:
            specs.append(spec)
    if None in changed:
        spec = dict(changed[None])
        if spec.pop("active", True):
            specs.append(spec)
    return specs


def countries() -> list[tuple[str, str]]:
    """(code, name) of every country whose public holidays the `holidays` package knows, by name."""
    import holidays
    from holidays.registry import COUNTRIES

    names = {entry[1]: module.replace("_", " ").title() for module, entry in COUNTRIES.items()}
    codes = [code for code in holidays.list_supported_countries() if len(code) == 2]
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda c: c[1])


def subdivisions(country: str) -> list[tuple[str, str]]:
    """The regions of a country whose holidays differ, as (code, "Berlin (BE)") by name: the editor showed
    the bare codes; none for an unknown country."""
    import holidays

    if not country:
        return []
    try:
        calendar = holidays.country_holidays(country)
    except NotImplementedError:
        return []
    names: dict[str, str] = {}
    for name, code in (getattr(calendar, "subdivisions_aliases", None) or {}).items():
        names.setdefault(code, name)  # the first alias is the region's own name
    labelled = [(code, f"{names[code]} ({code})" if code in names else code) for code in calendar.subdivisions]
    return sorted(labelled, key=lambda pair: pair[1].casefold())


def time_zones() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")


class SlaAdmin(SpeaksDomainErrors):
    def __init__(self, runtime: UnitOfWorkSource, me: Actor) -> None:
        self.runtime = runtime
        self.me = me

    def setup(self) -> SlaSetup:
        with self.runtime.uow() as uow:
            return self._setup(uow)

    def _setup(self, uow: UnitOfWork) -> SlaSetup:
        queues = tuple(
            (queue_id, name)
            for queue_id, name in uow.session.execute(
                select(Queue.id, Queue.name)
                .where(Queue.id == any_(func.switchboard.visible_queue_ids()))
                .order_by(Queue.name)
            )
        )
        led = frozenset(uow.session.scalar(select(func.switchboard.led_queue_ids())) or ())
        everyone = self.me.role == AgentRole.ADMIN
        return SlaSetup(
            policies=tuple(admin.list_policies(uow, include_retired=True)),
            calendars=tuple(admin.list_calendars(uow)),
            queues=queues,
            led=led,
            may_edit_calendars=everyone,
            everyone=everyone,
        )

    # --- policies -------------------------------------------------------------------------------------------

    def dry_run(self, changed: Mapping[int | None, Mapping[str, Any]]) -> DryRun:
        """What the active policies with these changes (by id; None: a new policy) would do to the open
        tickets one sees; nothing is written."""
        with self.runtime.uow() as uow:
            policies = admin.list_policies(uow, include_retired=True)
            return dry_run(uow, proposed_specs(policies, changed))

    def save_policy(self, policy_id: int | None, expected_version: int | None, spec: Mapping[str, Any]) -> PolicyInfo:
        """Add (no id) or change a policy; `spec` is whole (every field of `sla policy add`, and `active`)."""
        with self.runtime.uow() as uow:
            saved = self._save(uow, policy_id, expected_version, spec)
            uow.commit()
            return self._info(uow, saved)

    def move_policy(self, policies: Sequence[PolicyInfo], policy_id: int, step: int) -> dict[int, int]:
        """The new positions a move would give (nothing written): the view dry-runs them, then applies."""
        return plan_move(policies, policy_id, step)

    def apply_positions(self, positions: Mapping[int, int], versions: Mapping[int, int]) -> SlaSetup:
        """Give policies new positions in one transaction (each on the version the caller saw)."""
        with self.runtime.uow() as uow:
            by_id = {p.id: p for p in admin.list_policies(uow, include_retired=True)}
            for policy_id, position in positions.items():
                if policy_id not in by_id:
                    raise InvalidInput(f"No SLA policy has the id {policy_id}.")
                self._save(uow, policy_id, versions[policy_id], spec_of(by_id[policy_id], position=position))
            uow.commit()
            return self._setup(uow)

    def _save(
        self, uow: UnitOfWork, policy_id: int | None, expected_version: int | None, spec: Mapping[str, Any]
    ) -> int:
        return admin.save_policy(uow, policy_id, expected_version, spec)

    def _info(self, uow: UnitOfWork, policy_id: int) -> PolicyInfo:
        found = [p for p in admin.list_policies(uow, include_retired=True) if p.id == policy_id]
        return found[0]

    # --- calendars ------------------------------------------------------------------------------------------

    def save_calendar(
        self,
        calendar_id: int | None,
        expected_version: int | None,
        *,
        name: str,
        time_zone: str,
        hours: Iterable[str],
        country: str | None,
        subdivision: str | None,
        closed: admin.OwnDates,
    ) -> CalendarInfo:
        with self.runtime.uow() as uow:
            if calendar_id is None:
                saved = admin.add_calendar(
                    uow,
                    name=name,
                    time_zone=time_zone,
                    hours=hours,
                    country=country,
                    subdivision=subdivision,
                    closed=closed,
                )
            else:
                saved = admin.set_calendar(
                    uow,
                    calendar_id,
                    expected_version=expected_version or 0,
                    name=name,
                    time_zone=time_zone,
                    hours=hours,
                    country=country,
                    subdivision=subdivision,
                    closed=closed,
                )
            uow.commit()
            return saved

    def dry_run_calendar(
        self,
        calendar_id: int | None,
        *,
        name: str,
        time_zone: str,
        hours: Iterable[str],
        country: str | None,
        subdivision: str | None,
        closed: admin.OwnDates,
    ) -> DryRun:
        """What saving the calendar so would do to the open tickets one sees (checked as a save checks it;
        nothing is written). A new calendar moves nothing: no policy names it yet."""
        proposed = admin.proposed_calendar(
            name=name, time_zone=time_zone, hours=hours, country=country, subdivision=subdivision, closed=closed
        )
        with self.runtime.uow() as uow:
            return calendar_dry_run(uow, -1 if calendar_id is None else calendar_id, proposed)

    def closed_days(
        self, country: str | None, subdivision: str | None, own: admin.OwnDates, year: int
    ) -> list[tuple[dt.date, str]]:
        return admin.closed_days(country, subdivision, own, year)

    def named_days_from_ics(
        self, path: str, time_zone: str | None = None, hours: Sequence[str] = ()
    ) -> dict[dt.date, str]:
        """The days an .ics file closes, named, on the calendar's clock and opening `hours` as shown."""
        data = read_file(path, admin.MAX_ICS_BYTES, what=f"The .ics file {Path(path).name}")
        today = dt.datetime.now(dt.UTC).date()
        weekly = parse_hours(hours) if any(line.strip() for line in hours) else None
        return admin.named_days_from_ics(data, until=admin.ics_horizon(today), time_zone=time_zone, hours=weekly)

    def countries(self) -> list[tuple[str, str]]:
        return countries()

    def subdivisions(self, country: str) -> list[tuple[str, str]]:
        return subdivisions(country)

    def time_zones(self) -> list[str]:
        return time_zones()
