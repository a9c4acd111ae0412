"""What every subcommand shares: where the database is and who acts, opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from app.bootstrap import Runtime, configure_logging, connect, open_runtime
from app.services.config import DatabaseTarget, data_dir, resolve_database


@dataclass
class CliContext:
    database_url: str | None
    acting_login: str | None
    verbose: bool = False
    _runtime: Runtime | None = field(default=None, init=False)
    _engines: list[Engine] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        configure_logging(data_dir() / "logs", verbose=self.verbose)

    @property
    def target(self) -> DatabaseTarget:
        return resolve_database(self.database_url)

    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = open_runtime(self.target, acting_login=self.acting_login)
            with self._runtime.uow() as uow:
                _ = uow.actor  # who acts is settled before any command reads or writes
        return self._runtime

    def raw_engine(self) -> Engine:
        """An engine without the schema check (nor statement timeout), for `db status` and `db upgrade`."""
        engine = connect(self.target, for_migrations=True)
        self._engines.append(engine)
        return engine

    def close(self) -> None:
        if self._runtime is not None:
            self._runtime.close()
        for engine in self._engines:
            engine.dispose()
