"""The desk's configuration version (one row, since 0032): moved on by every statement that writes the
configuration a process keeps between transactions (policies, calendars, statuses, routing settings,
account rules, agents, skills, queue members), so one small read says whether what it keeps still holds."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ConfigVersion(Base):
    __tablename__ = "config_version"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")
    version: Mapped[int] = mapped_column(BigInteger)
