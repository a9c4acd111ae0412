"""Column helpers shared by the models, so each vocabulary is stored the same way everywhere."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import DateTime, Enum, func
from sqlalchemy.orm import MappedColumn, mapped_column


def enum_type(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A VARCHAR with a named CHECK constraint: adding a value is a plain migration, unlike a PG enum."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_class),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def created_at_column() -> MappedColumn[Any]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
