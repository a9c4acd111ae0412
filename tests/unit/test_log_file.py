"""The log file: private to its owner, and one quiet sentence (not a traceback per record) on a full disk."""

from __future__ import annotations

import io
import logging
import os
import stat
from pathlib import Path

import pytest

from app.services.platform.redaction import PrivateLogHandler, configure_logging


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_log_is_0600_in_a_0700_folder(tmp_path: Path) -> None:
    path = tmp_path / "data" / "logs" / "switchboard.log"
    handler = PrivateLogHandler(path)
    handler.close()
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700


def test_an_existing_open_log_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o755)
    path = folder / "switchboard.log"
    path.write_text("old line\n")
    os.chmod(folder, 0o755)
    os.chmod(path, 0o644)
    handler = PrivateLogHandler(path)
    handler.close()
    assert _mode(path) == 0o600 and _mode(folder) == 0o700
    assert path.read_text() == "old line\n"  # appended to, never truncated


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        raise OSError(28, "No space left on device")


def test_a_full_disk_is_one_line_on_stderr_not_a_traceback_per_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = PrivateLogHandler(tmp_path / "logs" / "switchboard.log")
    old = handler.setStream(_FullDisk())  # type: ignore[arg-type]
    if old is not None:
        old.close()
    logger = logging.getLogger("test.full-disk")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for index in range(200):
            logger.error("record %d", index)
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("with a traceback")
    finally:
        logger.removeHandler(handler)
        handler.close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "the disk is full" in err and "Logging error" not in err and "Traceback" not in err


def test_configure_logging_uses_the_private_handler(tmp_path: Path) -> None:

    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        log_file = configure_logging(tmp_path / "logs")
        assert log_file is not None and _mode(log_file) == 0o600 and _mode(log_file.parent) == 0o700
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1 and isinstance(added[0], PrivateLogHandler)
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
