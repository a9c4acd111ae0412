"""Where driver errors stop: every public method of a desk area raises the domain's `KnownError`s (a
dropped connection is `DatabaseUnavailable`, a deadlock `DatabaseBusy`, …), translated as the CLI
translates them, so the views never see a SQLAlchemy or psycopg exception, and never its SQL."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError

from app.services.errors import KnownError
from app.services.platform.database.failures import describe_for_log, explain, first_line

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=type)


def speaks_domain_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Database errors leave as the domain's known errors, without the statement or its values; one that
    means nothing to a person is logged (values left out) and reported as the CLI reports it."""

    @functools.wraps(method)
    def translated(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except KnownError:
            raise
        except Exception as error:
            known = explain(error)
            if known is None and isinstance(error, DBAPIError):
                log.error("%s", describe_for_log(error))
                known = KnownError(f"The database refused the request: {first_line(error)}")
            if known is None:
                raise
            if isinstance(error, DBAPIError):
                raise known from None  # its text holds the statement and the values
            raise known from error

    return translated


def every_public_method_speaks_domain_errors(cls: C) -> C:
    """Applied to each class by `SpeaksDomainErrors`, so no method can leak a driver error."""
    for name, member in list(vars(cls).items()):
        if callable(member) and (name == "__init__" or not name.startswith("_")):
            setattr(cls, name, speaks_domain_errors(member))
    return cls


class SpeaksDomainErrors:
    """A base for the desk and its areas: every subclass (a test's slow or broken area included) keeps
    the promise for the methods it defines."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        every_public_method_speaks_domain_errors(cls)
