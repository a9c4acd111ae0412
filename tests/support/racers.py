"""Code that runs in child processes for the concurrency tests (importable by the spawn start method)."""

from __future__ import annotations

from multiprocessing.managers import ListProxy
from multiprocessing.synchronize import Barrier

from sqlalchemy.engine import URL, make_url

from app.bootstrap import Runtime
from app.services.errors import TicketConflict
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.tickets import service


def race_status_changes(
    url: str,
    login: str,
    status: str,
    ticket_ids: list[int],
    barrier: Barrier,
    outcomes: ListProxy[tuple[int, str, str]],
) -> None:
    """For each ticket, wait for the other racer, then try to change it from version 1."""
    engine = build_engine(_as(url, login), application_name=f"racer-{login}")
    runtime = Runtime(engine, build_session_factory(engine))
    try:
        for ticket_id in ticket_ids:
            barrier.wait(timeout=30)
            try:
                with runtime.uow() as uow:
                    service.change_status(uow, ticket_id=ticket_id, status=status, expected_version=1)
                    uow.commit()
                outcomes.append((ticket_id, login, "saved"))
            except TicketConflict as conflict:
                outcomes.append((ticket_id, login, str(conflict)))
    finally:
        engine.dispose()


def add_notes(url: str, login: str, ticket_id: int, count: int, barrier: Barrier) -> None:
    engine = build_engine(_as(url, login))
    runtime = Runtime(engine, build_session_factory(engine))
    barrier.wait(timeout=30)
    for index in range(count):
        with runtime.uow() as uow:
            service.add_note(uow, ticket_id=ticket_id, body=f"{login} note {index}", expected_version=None)
            uow.commit()
    engine.dispose()


def _as(url: str, person: str) -> URL:
    """The person's own login (the test servers trust local connections, so no password)."""
    parsed = make_url(url)
    return parsed.set(username=f"{parsed.database}_{person}", password=None)
