"""Run as root, pgserver creates the system user `pgserver` (check, then `useradd`) before any lock is held:
two processes starting on a fresh machine at once (the worker and a client; the suite's workers) both find
no user and the later `useradd` fails because the name is in use by then. That failure is retried once;
any other failure of pgserver's is left for the caller to explain."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.services.platform.database.embedded import USERADD_NAME_IN_USE, _server_object


class _Pgserver:
    """pgserver's `get_server`, failing first with what it raised (the machine's race, replayed)."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    def get_server(self, pgdata: Path, *, cleanup_mode: str, start: bool) -> str:
        self.calls += 1
        assert start is False
        if self.failures:
            raise self.failures.pop(0)
        return f"server of {pgdata.name}"


def _useradd_failed(code: int) -> subprocess.CalledProcessError:
    return subprocess.CalledProcessError(code, ["useradd", "-s", "/bin/bash", "pgserver"])


def test_a_user_created_meanwhile_by_another_process_is_used(tmp_path: Path) -> None:
    pgserver = _Pgserver(_useradd_failed(USERADD_NAME_IN_USE))
    assert _server_object(pgserver, tmp_path / "pgdata", "stop") == "server of pgdata"
    assert pgserver.calls == 2


@pytest.mark.parametrize(
    "failure",
    [
        _useradd_failed(1),  # cannot update the password file: not a race
        subprocess.CalledProcessError(USERADD_NAME_IN_USE, ["initdb", "-D", "pgdata"]),  # not useradd
        PermissionError(13, "Permission denied"),
    ],
)
def test_other_failures_are_not_retried(tmp_path: Path, failure: BaseException) -> None:
    pgserver = _Pgserver(failure, failure)
    with pytest.raises(type(failure)):
        _server_object(pgserver, tmp_path / "pgdata", "stop")
    assert pgserver.calls == 1
