"""The ticket lifecycle as pure functions over the transition table: no I/O, tested exhaustively.

The rules are data (the `status_transition` table), so an admin's new status takes part without code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.services.errors import InvalidInput, TransitionNotAllowed
from app.vocabulary import StatusCategory, TransitionKind

NEW = "new"
IN_PROGRESS = "in_progress"
RESOLVED = "resolved"
CLOSED = "closed"


@dataclass(frozen=True)
class LifecycleRules:
    """Statuses with their categories and the allowed (from, to) moves of each kind."""

    categories: Mapping[str, StatusCategory]
    moves: frozenset[tuple[str, str, TransitionKind]]

    @classmethod
    def from_rows(
        cls, statuses: Iterable[tuple[str, StatusCategory]], moves: Iterable[tuple[str, str, TransitionKind]]
    ) -> LifecycleRules:
        return cls(dict(statuses), frozenset(moves))

    def category(self, status: str) -> StatusCategory:
        try:
            return self.categories[status]
        except KeyError:
            known = ", ".join(self.categories)
            raise InvalidInput(f"Unknown status {status!r}; the statuses are: {known}") from None

    def targets(self, source: str, kind: TransitionKind = TransitionKind.CHANGE) -> list[str]:
        return sorted(
            (to for frm, to, k in self.moves if frm == source and k == kind),
            key=lambda key: list(self.categories).index(key),
        )

    def allows(self, source: str, target: str, kind: TransitionKind) -> bool:
        return (source, target, kind) in self.moves


def check_status_change(rules: LifecycleRules, current: str, target: str) -> None:
    """An ordinary status edit: allowed only along a `change` row of the table."""
    rules.category(target)
    if current == target:
        return
    if rules.allows(current, target, TransitionKind.CHANGE):
        return
    if rules.targets(current, TransitionKind.REOPEN):
        hint = f"a {current} ticket comes back only by reopening it or by a new customer message"
    else:
        choices = ", ".join(rules.targets(current)) or "none"
        hint = f"from {current} it can go to: {choices}"
    raise TransitionNotAllowed(f"A ticket cannot move from {current} to {target}; {hint}.")


def check_reply(rules: LifecycleRules, current: str, *, number: int) -> None:
    """A public reply needs a ticket that still moves. On a closed ticket (no ordinary move out of it) the
    customer would get an answer while the ticket stays closed and nobody sees what comes back, so the
    reply is refused with the way out; an internal note is still allowed."""
    if rules.category(current) is StatusCategory.DONE and not rules.targets(current):
        raise TransitionNotAllowed(
            f"Ticket #{number} is {current}, so a reply would go unanswered; reopen it first, then reply "
            f"(nothing was sent)."
        )


def reopen_status(rules: LifecycleRules, current: str, *, assigned: bool) -> str:
    """Where an explicit reopen lands: back to work if someone owns it, else back to new."""
    if rules.category(current) is not StatusCategory.DONE:
        raise TransitionNotAllowed(f"A {current} ticket is not closed or resolved; there is nothing to reopen.")
    candidates = set(rules.targets(current, TransitionKind.REOPEN))
    candidates |= {t for t in rules.targets(current) if rules.category(t) is StatusCategory.OPEN}
    for status in [IN_PROGRESS, NEW] if assigned else [NEW, IN_PROGRESS]:
        if status in candidates:
            return status
    if candidates:
        return sorted(candidates)[0]
    raise TransitionNotAllowed(f"No status is configured to reopen a {current} ticket into; ask an admin.")


def status_after_customer_message(rules: LifecycleRules, current: str, *, assigned: bool) -> str:
    """A customer writing back means someone must look: paused clocks restart, finished tickets reopen."""
    category = rules.category(current)
    if category is StatusCategory.OPEN:
        return current
    if category is StatusCategory.PAUSED:
        back_to_work = IN_PROGRESS if assigned else NEW
        if rules.allows(current, back_to_work, TransitionKind.CHANGE):
            return back_to_work
        return IN_PROGRESS if rules.allows(current, IN_PROGRESS, TransitionKind.CHANGE) else current
    return reopen_status(rules, current, assigned=assigned)
