"""The declarative base: one PostgreSQL schema, named constraints, UTC-aware timestamps.

Naming conventions make every constraint and index name deterministic, so Alembic migrations written
today can drop or alter them by name years later.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar, TypeVar

from sqlalchemy import DateTime, MetaData, SmallInteger, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "switchboard"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every table lives in the `switchboard` schema, so a shared LAN server can host other apps."""

    metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: DateTime(timezone=True)}


E = TypeVar("E", bound=enum.IntEnum)


class IntEnumType(TypeDecorator[E]):
    """Stores an IntEnum as SMALLINT so the database sorts by rank (urgent above low), not by name."""

    impl = SmallInteger
    cache_ok = True

    def __init__(self, enum_class: type[E], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enum_class = enum_class

    def process_bind_param(self, value: E | int | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_class(value)
