"""Who should take this ticket now: a pure function from facts to a decision, with every reason kept.

No I/O here: the caller gathers the ticket's facts and the candidates' (skills, languages, load, shift,
availability, track record) and stores the decision it gets back. Same inputs, same decision.

The rules, in the order they are applied:
1. **Never relaxed.** A candidate works the ticket's queue, is active, available (not away or offline),
   on shift and not out of office. A ticket is never given to someone who is not at work.
2. **Relaxed in a documented order when nobody qualifies** (`RELAXATIONS`): first the skill level (any
   level of the wanted skills, then none of them), then the language, then capacity, up to
   `Weights.overflow_cap` tickets past it. The decision names what was relaxed.
3. **Scored** by weighted factors, each between 0 and 1 and shown in the explanation: skill match and
   level, language, room under capacity, stickiness to the agent who handled the customer's previous
   ticket, track record in the ticket's category (bounded in weight), and the SLA risk hook. Ties go to
   whoever was assigned least recently (fairness), then the lower agent id (determinism).

Load counts only tickets whose SLA clock runs (as Freshdesk does), each weighted by priority (an urgent
ticket counts as two by default), so an agent with ten tickets waiting on customers still has room.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from app.services.sla.calendar import BusinessCalendar
from app.vocabulary import Availability, Priority

MAX_SKILL_LEVEL = 5
TRACK_RECORD_MIN_TICKETS = 5
TRACK_RECORD_WEIGHT_CAP = 1.0  # the track record may tip a close call, never outweigh skill or language
DEFAULT_PRIORITY_WEIGHTS: Mapping[Priority, int] = {
    Priority.LOW: 1,
    Priority.NORMAL: 1,
    Priority.HIGH: 1,
    Priority.URGENT: 2,
}
RELAX_SKILL_LEVEL = "skill level"
RELAX_SKILLS = "skills"
RELAX_LANGUAGE = "language"
RELAX_CAPACITY = "capacity"
NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)
RELAXATIONS: tuple[str, ...] = (RELAX_SKILL_LEVEL, RELAX_SKILLS, RELAX_LANGUAGE, RELAX_CAPACITY)


@dataclass(frozen=True)
class TicketFacts:
    ticket_id: int
    queue_id: int
    priority: Priority
    skills_wanted: Mapping[str, int] = field(default_factory=dict)  # skill -> minimum level
    language: str | None = None
    category: str | None = None
    previous_agent_id: int | None = None  # who handled this customer's previous ticket
    sla_risk: float = 0.0  # 0 (its clock just started, or none) … 1 (at or past its due time): `sla_risk_of`
    account: Mapping[str, str] = field(default_factory=dict)  # the customer's verified account attributes
    account_note: str = ""  # what the account asked of the skills, for the explanation (engine fills it)


@dataclass(frozen=True)
class TrackRecord:
    """The agent's recent weeks in this category, from the ticket history."""

    tickets: int
    median_resolution_hours: float
    reopen_rate: float


@dataclass(frozen=True)
class CandidateFacts:
    agent_id: int
    name: str
    queue_ids: frozenset[int]
    availability: Availability = Availability.AVAILABLE
    is_active: bool = True
    on_shift: bool = True
    out_of_office: bool = False
    skills: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    capacity: int = 20
    load: int = 0  # weighted open tickets whose SLA clock runs
    last_assigned_at: dt.datetime | None = None
    track_record: TrackRecord | None = None
    substitute_id: int | None = None  # who takes their customers while they are out of office


@dataclass(frozen=True)
class Weights:
    """Per queue and versioned: every decision names the version it was made under."""

    skill: float = 3.0
    language: float = 2.0
    room: float = 2.0
    stickiness: float = 1.0
    track_record: float = 0.5
    sla_risk: float = 1.0
    overflow_cap: int = 2
    priority_weights: Mapping[Priority, int] = field(default_factory=lambda: dict(DEFAULT_PRIORITY_WEIGHTS))
    version: int = 1

    def ticket_weight(self, priority: Priority) -> int:
        return self.priority_weights.get(priority, 1)


@dataclass(frozen=True)
class FactorScore:
    factor: str
    score: float  # 0 … 1
    weighted: float
    note: str


@dataclass(frozen=True)
class CandidateScore:
    agent_id: int
    name: str
    total: float
    factors: tuple[FactorScore, ...]
    last_assigned_at: dt.datetime | None = None  # the tie-break: least recently assigned first


@dataclass(frozen=True)
class Exclusion:
    agent_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class Decision:
    """What was decided and why: the ranked candidates with each factor, who was left out and why, what
    had to be relaxed, and the configuration version. `winner_id` None means no eligible agent."""

    ticket_id: int
    winner_id: int | None
    ranked: tuple[CandidateScore, ...]
    exclusions: tuple[Exclusion, ...]
    relaxed: tuple[str, ...]
    config_version: int

    @property
    def winner(self) -> CandidateScore | None:
        return self.ranked[0] if self.ranked and self.winner_id is not None else None


@dataclass(frozen=True)
class _Rules:
    """What is still required after the relaxations so far."""

    skill_level: bool = True
    skills: bool = True
    language: bool = True
    overflow: int = 0

    def relax(self, step: str, weights: Weights) -> _Rules:
        if step == RELAX_SKILL_LEVEL:
            return replace(self, skill_level=False)
        if step == RELAX_SKILLS:
            return replace(self, skills=False)
        if step == RELAX_LANGUAGE:
            return replace(self, language=False)
        return replace(self, overflow=weights.overflow_cap)


def decide(ticket: TicketFacts, candidates: Sequence[CandidateFacts], weights: Weights, now: dt.datetime) -> Decision:
    """The best qualified candidate, relaxing rules in `RELAXATIONS` order until someone qualifies."""
    at_work, absent = _split(candidates, lambda c: _absence(c, ticket))
    rules, relaxed, blocking = _Rules(), list[str](), set[str]()
    for step in (None, *RELAXATIONS):
        if step is not None:
            rules = rules.relax(step, weights)
            if step in blocking:  # only what actually stood in the way is said to be relaxed
                relaxed.append(step)
        eligible, unfit = _split(at_work, partial(_unfit, ticket=ticket, weights=weights, rules=rules))
        blocking |= {_rule_behind(e.reason) for e in unfit}
        if eligible:
            sticky = sticky_agent(ticket, candidates)
            ranked = _rank([_score(c, ticket, weights, now, sticky) for c in eligible])
            exclusions = _by_agent(absent + unfit)
            return Decision(ticket.ticket_id, ranked[0].agent_id, ranked, exclusions, tuple(relaxed), weights.version)
    _, unfit = _split(at_work, partial(_unfit, ticket=ticket, weights=weights, rules=rules))
    return Decision(ticket.ticket_id, None, (), _by_agent(absent + unfit), tuple(relaxed), weights.version)


def _by_agent(exclusions: list[Exclusion]) -> tuple[Exclusion, ...]:
    return tuple(sorted(exclusions, key=lambda e: e.agent_id))


def _split(
    candidates: Sequence[CandidateFacts], reason_against: Callable[[CandidateFacts], str | None]
) -> tuple[list[CandidateFacts], list[Exclusion]]:
    kept: list[CandidateFacts] = []
    left_out: list[Exclusion] = []
    for candidate in candidates:
        reason = reason_against(candidate)
        if reason is None:
            kept.append(candidate)
        else:
            left_out.append(Exclusion(candidate.agent_id, candidate.name, reason))
    return kept, left_out


def _rule_behind(reason: str) -> str:
    """Which relaxation would lift an exclusion (see `_unfit` for the reasons' wording)."""
    if reason.startswith("at capacity"):
        return RELAX_CAPACITY
    if reason.startswith("does not speak"):
        return RELAX_LANGUAGE
    if reason.startswith("no "):
        return RELAX_SKILLS
    return RELAX_SKILL_LEVEL


def _absence(candidate: CandidateFacts, ticket: TicketFacts) -> str | None:
    """The rules never relaxed: not at work, or not in this queue."""
    if ticket.queue_id not in candidate.queue_ids:
        return "not in this queue"
    if not candidate.is_active:
        return "disabled"
    if candidate.availability is not Availability.AVAILABLE:
        return str(candidate.availability)
    if candidate.out_of_office:
        return "out of office"
    if not candidate.on_shift:
        return "off shift"
    return None


def _unfit(candidate: CandidateFacts, *, ticket: TicketFacts, weights: Weights, rules: _Rules) -> str | None:
    return _unfit_at(candidate, candidate.load, ticket, weights, rules)


def _unfit_at(candidate: CandidateFacts, load: int, ticket: TicketFacts, weights: Weights, rules: _Rules) -> str | None:
    for skill, minimum in sorted(ticket.skills_wanted.items()):
        level = candidate.skills.get(skill, 0)
        if rules.skills and level == 0:
            return f"no {skill}"
        if rules.skills and rules.skill_level and level < minimum:
            return f"{skill} level {level} < {minimum}"
    if rules.language and ticket.language and ticket.language not in candidate.languages:
        return f"does not speak {language_name(ticket.language)}"
    limit = candidate.capacity + rules.overflow
    if load + weights.ticket_weight(ticket.priority) > limit:
        return f"at capacity {load}/{candidate.capacity}"
    return None


def _score(
    candidate: CandidateFacts, ticket: TicketFacts, weights: Weights, now: dt.datetime, sticky: Sticky
) -> CandidateScore:
    factors = (
        _factor("skill", *_skill(candidate, ticket), weights.skill),
        _factor("language", *_language(candidate, ticket), weights.language),
        _factor("room", *_room(candidate, ticket, weights), weights.room),
        _factor("stickiness", *_stickiness(candidate, sticky), weights.stickiness),
        _factor("track record", *_track_record(candidate), min(weights.track_record, TRACK_RECORD_WEIGHT_CAP)),
        _factor("SLA risk", *_sla_risk(candidate, ticket, weights), weights.sla_risk),
    )
    total = round(sum(f.weighted for f in factors), 6)
    return CandidateScore(candidate.agent_id, candidate.name, total, factors, _since(candidate.last_assigned_at, now))


def _since(moment: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """When the candidate was last given a ticket, for the fairness tie-break (never: first in line); a
    moment after `now` (another workstation's clock) counts as now."""
    return None if moment is None else min(moment, now)


def _factor(name: str, score: float, note: str, weight: float) -> FactorScore:
    score = min(1.0, max(0.0, score))
    return FactorScore(name, round(score, 6), round(score * weight, 6), note)


def _skill(candidate: CandidateFacts, ticket: TicketFacts) -> tuple[float, str]:
    account = f" ({ticket.account_note})" if ticket.account_note else ""
    if not ticket.skills_wanted:
        return 0.0, f"no skill asked{account}"
    levels = {skill: candidate.skills.get(skill, 0) for skill in sorted(ticket.skills_wanted)}
    score = sum(levels.values()) / (MAX_SKILL_LEVEL * len(levels))
    return score, ", ".join(f"{skill} {level}" for skill, level in levels.items()) + account


def _language(candidate: CandidateFacts, ticket: TicketFacts) -> tuple[float, str]:
    if not ticket.language:
        return 0.0, "no language given"
    name = language_name(ticket.language)
    return (1.0, f"speaks {name}") if ticket.language in candidate.languages else (0.0, f"no {name}")


LANGUAGES = {
    "ar": "Arabic", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "tr": "Turkish", "uk": "Ukrainian",
    "zh": "Chinese",
}  # fmt: skip


def language_name(code: str) -> str:
    """ "Italian" for "it" (a code alone reads as a word in an explanation); an unknown code as "code xx"."""
    return LANGUAGES.get(code.lower().split("-")[0], f"language code {code}")


def _room(candidate: CandidateFacts, ticket: TicketFacts, weights: Weights) -> tuple[float, str]:
    if candidate.capacity <= 0:
        return 0.0, f"{candidate.load}/0"
    room = 1 - candidate.load / candidate.capacity
    return room, f"{candidate.load}/{candidate.capacity} open"


@dataclass(frozen=True)
class Sticky:
    """Who the customer's ticket sticks to: the agent of their previous ticket or, while that agent is out
    of office, their substitute (followed further while the substitute is out of office too)."""

    agent_id: int | None
    note: str = ""


def sticky_agent(ticket: TicketFacts, candidates: Sequence[CandidateFacts]) -> Sticky:
    """The previous agent, or the substitute standing in for them. Only what the candidates say is known:
    the previous agent of another queue keeps the ticket's stickiness (and, not being a candidate here,
    wins nothing by it). A chain of substitutes is followed until someone not out of office, never in a
    circle; a chain that ends with nobody leaves the stickiness with no one."""
    previous = ticket.previous_agent_id
    if previous is None:
        return Sticky(None)
    by_id = {c.agent_id: c for c in candidates}
    current, seen = previous, {previous}
    while (facts := by_id.get(current)) is not None and facts.out_of_office:
        if facts.substitute_id is None or facts.substitute_id in seen:
            return Sticky(None)
        current = facts.substitute_id
        seen.add(current)
    if current == previous:
        return Sticky(previous, "handled this customer's previous ticket")
    away = by_id[previous].name
    return Sticky(current, f"stands in for {away} (out of office), who handled this customer's previous ticket")


def _stickiness(candidate: CandidateFacts, sticky: Sticky) -> tuple[float, str]:
    if sticky.agent_id == candidate.agent_id:
        return 1.0, sticky.note
    return 0.0, ""


def on_shift(shift: Mapping[str, Sequence[Sequence[int]]] | None, time_zone: str, now: dt.datetime) -> bool:
    """No schedule: at work whenever available. A schedule (weekday "0" = Monday … "6" -> [[start, end]]
    minutes of local time): its hours in the agent's own time zone, daylight saving included, as a
    business calendar has them. A schedule that cannot be read counts as always on shift (the database
    refuses such schedules; one from before it did must not stop routing)."""
    if not shift:
        return True
    try:
        hours = {int(day): tuple((int(a), int(b)) for a, b in spans) for day, spans in shift.items()}
        return BusinessCalendar(time_zone, hours).is_open(now)
    except (ValueError, KeyError, TypeError):
        return True


def out_of_office(until: dt.date | None, time_zone: str, now: dt.datetime) -> bool:
    """Out of office through `until`, inclusive, as a date of the agent's own time zone: an agent in Tokyo
    away until the 5th is back when the 6th begins in Tokyo, not in London."""
    if until is None:
        return False
    return now.astimezone(zone_or_utc(time_zone)).date() <= until


def zone_or_utc(time_zone: str | None) -> ZoneInfo:
    """An agent's time zone, or UTC for one this machine's zone data does not know (a row from another
    build): their day still has a start."""
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def presence(
    availability: Availability,
    shift: Mapping[str, Sequence[Sequence[int]]] | None,
    time_zone: str,
    out_of_office_until: dt.date | None,
    now: dt.datetime,
) -> str:
    """Where an agent stands for routing, in the words a lead reads beside their load: "available" only when
    routing would give them work now (the flag alone said "Available" of someone off shift or out of
    office, and the lead wondered why nothing reached them)."""
    if availability is not Availability.AVAILABLE:
        return str(availability)
    if out_of_office(out_of_office_until, time_zone, now):
        return f"available, out of office to {out_of_office_until:%d %b}"
    if not on_shift(shift, time_zone, now):
        return "available, off shift"
    return str(availability)


def _track_record(candidate: CandidateFacts) -> tuple[float, str]:
    record = candidate.track_record
    if record is None or record.tickets < TRACK_RECORD_MIN_TICKETS:
        return 0.5, "too few recent tickets to judge"
    speed = 1 / (1 + record.median_resolution_hours / 24)
    score = speed * (1 - record.reopen_rate)
    return score, (
        f"{record.tickets} tickets, median {record.median_resolution_hours:.0f} h, {record.reopen_rate:.0%} reopened"
    )


def sla_risk_of(created_at: dt.datetime | None, due_at: dt.datetime | None, now: dt.datetime) -> float:
    """How much of the time from the ticket's creation to its SLA due time has passed: 0 as its clock starts
    (every ticket at intake, so the routing dry run, which replays intake, sees what the push sees), 1 at
    its due time and after. Nothing filled it before: a ticket 38 hours overdue, routed again by the
    escalation ladder, was explained as "no SLA risk"."""
    if created_at is None or due_at is None:
        return 0.0
    if due_at <= now:
        return 1.0
    span = (due_at - created_at).total_seconds()
    return 0.0 if span <= 0 else min(1.0, max(0.0, (now - created_at).total_seconds() / span))


def _sla_risk(candidate: CandidateFacts, ticket: TicketFacts, weights: Weights) -> tuple[float, str]:
    """A ticket about to breach goes to whoever can start on it soonest: the risk times the room."""
    if ticket.sla_risk <= 0:
        return 0.0, "no SLA risk"
    room = _room(candidate, ticket, weights)[0]
    if ticket.sla_risk >= 1:
        return room, "at or past its due time"
    return ticket.sla_risk * room, f"{ticket.sla_risk:.0%} of its time to the due time gone"


def _rank(scores: list[CandidateScore]) -> tuple[CandidateScore, ...]:
    """Highest total first; among equals whoever was assigned least recently (never: first), then the
    lower id."""

    def key(score: CandidateScore) -> tuple[float, bool, dt.datetime, int]:
        never = score.last_assigned_at is None
        return (-score.total, not never, score.last_assigned_at or NEVER, score.agent_id)

    return tuple(sorted(scores, key=key))


FitMemo = dict[
    tuple[int, tuple[tuple[str, int], ...], str | None],
    tuple[str | None, str | None, str | None, float, float, float],
]


def pick(
    ticket: TicketFacts,
    candidates: Sequence[CandidateFacts],
    weights: Weights,
    now: dt.datetime,
    loads: Mapping[int, int] | None = None,
    last_assigned: Mapping[int, dt.datetime] | None = None,
    memo: FitMemo | None = None,
) -> tuple[int | None, tuple[str, ...]]:
    """`decide`'s winner and relaxations, and nothing else: the same rules and the same arithmetic, without
    building an explanation (a dry-run replays tens of thousands of tickets and keeps only who would have
    got each). What blocks a candidate at each relaxation is worked out once, not per pass; `memo` keeps
    its skill and language part across calls whose candidates' skills and languages stay the same (a
    replay's). `loads` and `last_assigned` stand in for the candidates' own (a replay's clock), by agent
    id. tests/unit/test_routing_scoring.py holds it equal to `decide` over generated teams."""
    loads = loads if loads is not None else {c.agent_id: c.load for c in candidates}
    last_assigned = last_assigned if last_assigned is not None else {}
    weight = weights.ticket_weight(ticket.priority)
    wanted = tuple(sorted(ticket.skills_wanted.items()))
    memo = memo if memo is not None else {}
    fits = []
    for candidate in candidates:
        if _absence(candidate, ticket) is not None:
            continue
        key = (candidate.agent_id, wanted, ticket.language)
        static = memo.get(key)
        if static is None:
            static = memo[key] = _static_fit(candidate, wanted, ticket.language)
        load = loads.get(candidate.agent_id, 0)
        fits.append(
            (
                candidate,
                *static,
                load + weight <= candidate.capacity,
                load + weight <= candidate.capacity + weights.overflow_cap,
            )
        )
    relaxed: list[str] = []
    blocking: set[str] = set()
    for step_number, step in enumerate((None, *RELAXATIONS)):  # as `decide`: skill level, skills, language, capacity
        if step is not None and step in blocking:
            relaxed.append(step)
        eligible = []
        for fit in fits:
            _, first_skill, missing_skill, language, _, _, _, room, overflow = fit
            if step_number == 0 and first_skill is not None:
                blocking.add(first_skill)
            elif step_number == 1 and missing_skill is not None:
                blocking.add(missing_skill)
            elif step_number < 3 and language is not None:
                blocking.add(language)
            elif not (room if step_number < 4 else overflow):
                blocking.add(RELAX_CAPACITY)
            else:
                eligible.append(fit)
        if eligible:
            return _best(eligible, ticket, candidates, weights, now, loads, last_assigned), tuple(relaxed)
    return None, tuple(relaxed)


def _best(
    eligible: list[tuple[Any, ...]],
    ticket: TicketFacts,
    candidates: Sequence[CandidateFacts],
    weights: Weights,
    now: dt.datetime,
    loads: Mapping[int, int],
    last_assigned: Mapping[int, dt.datetime],
) -> int:
    """`_rank`'s first: `_score`'s total worked out as `_score` does (each factor clamped, weighted and
    rounded as `_factor` does, summed in its order, the sum rounded), then the same tie-breaks. A factor
    scoring 0 adds 0.0, which changes no sum; the skill, language and track record scores come clamped."""
    sticky = sticky_agent(ticket, candidates).agent_id
    w_skill, w_language, w_room, w_risk = weights.skill, weights.language, weights.room, weights.sla_risk
    w_record = min(weights.track_record, TRACK_RECORD_WEIGHT_CAP)
    sticky_weighted = round(weights.stickiness, 6)
    risk = ticket.sla_risk
    best_key: tuple[float, bool, dt.datetime, int] | None = None
    best = 0
    for fit in eligible:
        candidate, skill, language, record = fit[0], fit[4], fit[5], fit[6]
        agent_id = candidate.agent_id
        capacity = candidate.capacity
        room = 0.0 if capacity <= 0 else 1 - loads.get(agent_id, 0) / capacity
        total = 0.0
        total += round(skill * w_skill, 6)
        total += round(language * w_language, 6)
        total += round(_clamp(room) * w_room, 6)
        total += sticky_weighted if sticky == agent_id else 0.0
        total += round(record * w_record, 6)
        total += round(_clamp(risk * room) * w_risk, 6) if risk > 0 else 0.0
        last = last_assigned.get(agent_id, candidate.last_assigned_at)
        if last is not None and last > now:
            last = now
        key = (-round(total, 6), last is not None, last or NEVER, agent_id)
        if best_key is None or key < best_key:
            best_key, best = key, agent_id
    return best


def _static_fit(
    candidate: CandidateFacts, wanted: tuple[tuple[str, int], ...], language: str | None
) -> tuple[str | None, str | None, str | None, float, float, float]:
    """What `_unfit_at` would hold against the candidate apart from capacity: the rule behind the first
    failing skill under every rule (sorted order, as `_unfit_at` checks), whether a skill is missing
    (what still counts once the level is relaxed), and the language; then the skill, language and track
    record scores before weighting (`_skill`, `_language`, `_track_record`)."""
    first: str | None = None
    for skill, minimum in wanted:
        level = candidate.skills.get(skill, 0)
        if level == 0:
            first = RELAX_SKILLS
            break
        if level < minimum:
            first = RELAX_SKILL_LEVEL
            break
    missing = RELAX_SKILLS if any(candidate.skills.get(skill, 0) == 0 for skill, _ in wanted) else None
    speaks = not language or language in candidate.languages
    levels = sum(candidate.skills.get(name, 0) for name, _ in wanted)
    return (
        first,
        missing,
        (None if speaks else RELAX_LANGUAGE),
        _clamp(levels / (MAX_SKILL_LEVEL * len(wanted))) if wanted else 0.0,
        1.0 if language and language in candidate.languages else 0.0,
        _clamp(_track_record(candidate)[0]),
    )


def _clamp(score: float) -> float:
    return min(1.0, max(0.0, score))
