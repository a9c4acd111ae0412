"""What every subcommand shares: where the database is and who signs in, opened on first use."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from sqlalchemy import Engine

from app.bootstrap import Runtime, connect, open_maintenance_runtime, sign_in
from app.cli.inputs import prompt_password, read_password_line
from app.cli.output import say
from app.services.platform.config import DatabaseTarget, resolve_database
from app.services.platform.paths import data_dir
from app.services.platform.redaction import configure_logging, register_secret


@dataclass
class CliContext:
    database_url: str | None
    acting_login: str | None
    user: str | None = None
    password_stdin: bool = False
    remember: bool = False
    verbose: bool = False
    _runtime: Runtime | None = field(default=None, init=False)
    _engines: list[Engine] = field(default_factory=list, init=False)
    _runtimes: list[Runtime] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        configure_logging(data_dir() / "logs", verbose=self.verbose)

    @property
    def target(self) -> DatabaseTarget:
        return resolve_database(self.database_url)

    def runtime(self) -> Runtime:
        """Signed in as --user (password from stdin, the keyring, or a prompt), or as the default login."""
        if self._runtime is None:
            self._runtime = self._sign_in()
            self._runtimes.append(self._runtime)
            with self._runtime.uow() as uow:
                _ = uow.actor  # who acts is settled before any command reads or writes
        return self._runtime

    def _sign_in(self) -> Runtime:
        prompt = prompt_password if sys.stdin.isatty() else None
        signed_in = sign_in(
            self.target,
            self.user,
            self._given_password(),
            remember=self.remember,
            prompt=prompt,
            acting_login=self.acting_login,
        )
        if signed_in.keyring_note is not None:
            say(f"The password was not remembered: {signed_in.keyring_note}.", err=True)
        return signed_in.runtime

    def password_from_stdin(self) -> str | None:
        return self._given_password()

    def _given_password(self) -> str | None:
        if not self.password_stdin:
            return None
        password = read_password_line()
        register_secret(password)
        return password

    def maintenance_runtime(self) -> Runtime:
        """The target's own URL, trusted: the embedded superuser, or the DBA's URL on a server."""
        runtime = open_maintenance_runtime(self.target, acting_login=self.acting_login)
        self._runtimes.append(runtime)
        return runtime

    def raw_engine(self) -> Engine:
        """An engine without the schema check (nor statement timeout), for `db status` and `db upgrade`."""
        engine = connect(self.target, for_migrations=True)
        self._engines.append(engine)
        return engine

    def close(self) -> None:
        for runtime in self._runtimes:
            runtime.close()
        for engine in self._engines:
            engine.dispose()
