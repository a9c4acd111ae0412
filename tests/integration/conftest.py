from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.support.world import World, build_world


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    return build_world(session_factory)
