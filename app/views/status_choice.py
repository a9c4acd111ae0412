"""Which statuses to offer and which to preselect, as pure functions of the vocabulary: only the moves the
lifecycle allows (`Vocabulary.targets`), and the move an agent most likely makes next, so the usual case
is one key (Enter) and the unusual one a few arrows away.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.services.navigation.dto import Vocabulary

# After a public reply the ball is in the customer's court. Statuses an admin adds take part by category.
AFTER_REPLY = ("answered", "waiting")
PAUSED, OPEN = "paused", "open"


def category_of(vocabulary: Vocabulary, status: str) -> str | None:
    return next((category for key, _label, category in vocabulary.statuses if key == status), None)


def status_text(status: str, labels: Mapping[str, str] | None = None) -> str:
    """A status as the queue says it: the desk's own label (admins add statuses), else the key in words
    ("in_progress" → "In progress") — never the key itself, wherever a status is shown."""
    label = (labels or {}).get(status)
    return label or status.replace("_", " ").capitalize()


def label_of(vocabulary: Vocabulary | None, status: str) -> str:
    return status_text(status, vocabulary.status_labels() if vocabulary is not None else None)


def likely_after_reply(vocabulary: Vocabulary, status: str) -> str | None:
    """The status a public reply most likely leaves the ticket in; None keeps it as it is.

    A ticket already waiting (a paused status: waiting on the customer, a third party, answered) stays
    where it is; an open one goes to "answered" (or "waiting on customer", or the first paused status an
    admin added) when the lifecycle allows that move."""
    if category_of(vocabulary, status) == PAUSED:
        return None
    targets = vocabulary.targets(status)
    for preferred in AFTER_REPLY:
        if preferred in targets:
            return preferred
    return next((key for key in targets if category_of(vocabulary, key) == PAUSED), None)


def likely_next(vocabulary: Vocabulary, status: str) -> str | None:
    """The status a plain status change (S) most likely picks: from a waiting status, back to work (the
    first allowed open one: Waiting on customer → In progress, not Pending third party, the next in order);
    else the first allowed one after the current status in the statuses' order (new → in progress, resolved
    → closed), else the first allowed one."""
    targets = vocabulary.targets(status)
    if category_of(vocabulary, status) == PAUSED:
        working = next((key for key in targets if category_of(vocabulary, key) == OPEN), None)
        if working is not None:
            return working
    order = [key for key, _label, _category in vocabulary.statuses]
    position = order.index(status) if status in order else -1
    return next((key for key in targets if order.index(key) > position), targets[0] if targets else None)
