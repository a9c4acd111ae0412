"""Domain errors. Views and the CLI turn each into one clear sentence; anything else is our bug.

`KnownError` covers what a person can act on (a conflict, a forbidden transition, a server that is down);
its `str()` is that sentence, written for the person, never a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass


class KnownError(Exception):
    """An error with a message meant for people. `exit_code` is what the CLI returns for it."""

    exit_code = 1


class NotFound(KnownError):
    exit_code = 3


class InvalidInput(KnownError):
    exit_code = 2


class TransitionNotAllowed(KnownError):
    exit_code = 4


class NotPermitted(KnownError):
    exit_code = 5


class DatabaseUnavailable(KnownError):
    exit_code = 6


class TlsFailed(DatabaseUnavailable):
    """The server was reached but the TLS handshake failed (an unknown CA, a name that does not match)."""


class SignInFailed(KnownError):
    """Wrong login or password, a disabled login, or a server that will not let this login in."""

    exit_code = 5


class SignInRequired(SignInFailed):
    """The server wants a password and none was given."""


class DatabaseBusy(KnownError):
    """A deadlock, a lock or statement timeout: nothing was saved, and trying again will likely work."""

    exit_code = 8


class SchemaMismatch(KnownError):
    exit_code = 7


class ConfigurationError(KnownError):
    exit_code = 2


class DiskFull(KnownError):
    """A disk (ours or the database server's) has no space left: nothing more could be written."""


@dataclass(frozen=True)
class ChangeBy:
    """One change someone else made since the caller's read, for the conflict message."""

    actor: str
    occurred_at_iso: str
    field: str | None
    old_value: object
    new_value: object

    def describe(self) -> str:
        """In words for a terminal: "Julia Rossi at 2026-12-07 10:40 UTC: assignee nobody → Julia Rossi",
        not "assignee None → 'Julia Rossi'" or "first_response_due_at None → '2026-…T10:40:00+00:00'"."""
        when = _time_words(self.occurred_at_iso)
        if self.field is None:
            return f"{self.actor} at {when}"
        field = self.field.removesuffix("_id").replace("_", " ")
        nobody = "nobody" if field in ("assignee", "merged into") else "nothing"
        before, after = (_value_words(v, nobody) for v in (self.old_value, self.new_value))
        return f"{self.actor} at {when}: {field} {before} → {after}"


def _time_words(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment.tzinfo else value


def _value_words(value: object, nothing: str) -> str:
    if value is None or value == [] or value == {}:
        return nothing
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return _time_words(value) if value[:4].isdigit() and "T" in value else value
    return str(value)


class TicketConflict(KnownError):
    """A write based on a stale read. Carries who changed what since, so nobody overwrites blindly."""

    exit_code = 9

    def __init__(
        self, *, number: int, expected_version: int, current_version: int, changes: Sequence[ChangeBy]
    ) -> None:
        self.number = number
        self.expected_version = expected_version
        self.current_version = current_version
        self.changes = tuple(changes)
        super().__init__(self._message())

    @property
    def changed_by(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(change.actor for change in self.changes))

    def _message(self) -> str:
        who = ", ".join(self.changed_by) or "someone"
        head = (
            f"Ticket #{self.number} was changed by {who} since you loaded it "
            f"(your version {self.expected_version}, now {self.current_version}); nothing was saved."
        )
        details = "; ".join(change.describe() for change in self.changes[:5])
        return f"{head} {details}".strip()


Translator = Callable[[BaseException], "KnownError | None"]
_translators: list[Translator] = []


def register_translator(translator: Translator) -> None:
    """A layer that raises its own errors (the database driver, later HTTP connectors) says here what they
    mean; `explain` then speaks for all of them without its callers importing those layers."""
    if translator not in _translators:
        _translators.append(translator)


def explain(error: BaseException) -> KnownError | None:
    """The domain's sentence for any failure a person can act on, the same for the CLI and the desktop;
    None for ours (a bug to log)."""
    for translate in _translators:
        if (known := translate(error)) is not None:
            return known
    return error if isinstance(error, KnownError) else None
