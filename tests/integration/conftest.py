from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.bootstrap import Runtime
from app.services.platform.database.engine import build_engine, build_session_factory
from tests.support.desk import Desk
from tests.support.world import World, build_world


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    return build_world(session_factory)


@pytest.fixture
def worker(desk: Desk) -> Iterator[Runtime]:
    """The worker's runtime on the probes' desk: the superuser, a trusted session (the jobs it runs check)."""
    engine = build_engine(desk.url)
    runtime = Runtime(engine, build_session_factory(engine))
    yield runtime
    runtime.close()
