"""What every subcommand shares: where the database is and who signs in, opened on first use."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from sqlalchemy import Engine

from app.bootstrap import Runtime, SignIn, configure_logging, connect, open_maintenance_runtime, open_runtime
from app.cli.inputs import prompt_password, read_password_line
from app.cli.output import say
from app.services import credentials
from app.services.config import DatabaseTarget, data_dir, resolve_database
from app.services.errors import SignInRequired
from app.services.redaction import register_secret


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
        target = self.target
        password = self._given_password()
        if password is None and self.user and not target.is_embedded:
            password = credentials.recall(target, self.user)
        try:
            runtime = open_runtime(target, sign_in=SignIn(self.user, password), acting_login=self.acting_login)
        except SignInRequired:
            if password is not None or not sys.stdin.isatty():
                raise
            password = prompt_password(f"Password for {self.user or 'your login'}")
            runtime = open_runtime(target, sign_in=SignIn(self.user, password), acting_login=self.acting_login)
        reason = credentials.remember(target, self.user, password) if self.remember and password and self.user else None
        if reason is not None:
            say(f"The password was not remembered: {reason}.", err=True)
        return runtime

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
