"""Where a login's index lives on this workstation, who may write it, and the atomic swap of a rebuilt one.

    <cache>/search/<key>/            0700; key = hash of (server, database, login)
        writer.lock                  held (flock) by the one process that writes; the OS frees it on death
        CURRENT                      the name of the generation in use, replaced atomically (os.replace)
        progress.json                how far a build is, for the other processes' "answering from the database"
        gen-<time>-<pid>/            one Tantivy index per generation

A rebuild writes a new generation beside the current one and swaps CURRENT when it is complete; readers keep
the generation they opened until they look again. Never on a network share: the lock is a local flock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.services.platform.paths import APP_NAME, DATA_DIR_VARIABLE

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def cache_root() -> Path:
    """The user's cache directory; a run with its own SWITCHBOARD_DATA_DIR (tests, benchmarks) keeps its
    index inside it, so runs never share one."""
    if explicit := os.environ.get(DATA_DIR_VARIABLE):
        return Path(explicit) / "cache" / "search"
    return platformdirs.user_cache_path(APP_NAME) / "search"


def index_key(server: str, database: str, login: str) -> str:
    return hashlib.sha256(f"{server}\x00{database}\x00{login}".encode()).hexdigest()[:24]


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


@dataclass(frozen=True)
class IndexHome:
    """The folder of one login's index on this workstation."""

    root: Path

    @classmethod
    def for_login(cls, server: str, database: str, login: str, base: Path | None = None) -> IndexHome:
        if base is None:  # ours: the app's cache folder and its search folder are private too
            base = cache_root()
            _private_dir(base.parent)
            _private_dir(base)
        else:  # the caller's folder (a scratch dir, a test's tmp_path): made if missing, never re-moded
            base.mkdir(parents=True, exist_ok=True, mode=0o700)
        return cls(_private_dir(base / index_key(server, database, login)))

    def current(self) -> Path | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except OSError:
            return None
        path = self.root / name
        return path if name.startswith("gen-") and path.is_dir() else None

    def new_generation(self) -> Path:
        _private_dir(self.root)
        return self.root / f"gen-{time.time_ns()}-{os.getpid()}"

    def swap_to(self, generation: Path) -> None:
        """Point CURRENT at `generation` in one rename, then remove the older generations (a reader in another
        process that still has one open keeps its files until it closes them)."""
        temporary = self.root / f"CURRENT.{os.getpid()}"
        temporary.write_text(generation.name)
        os.replace(temporary, self.root / "CURRENT")
        self.remove_generations(keep=generation)

    def remove_generations(self, keep: Path | None) -> None:
        for path in self.root.glob("gen-*"):
            if path != keep:
                shutil.rmtree(path, ignore_errors=True)

    def write_progress(self, done: int, total: int) -> None:
        temporary = self.root / f"progress.{os.getpid()}"
        temporary.write_text(json.dumps({"done": done, "total": total, "pid": os.getpid()}))
        os.replace(temporary, self.root / "progress.json")

    def clear_progress(self) -> None:
        with contextlib.suppress(OSError):
            (self.root / "progress.json").unlink()

    def read_progress(self) -> tuple[int, int] | None:
        try:
            data = json.loads((self.root / "progress.json").read_text())
            return int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            return None


class WriterLock:
    """One writer per index across processes: a non-blocking flock on `writer.lock`."""

    def __init__(self, home: IndexHome) -> None:
        self._path = home.root / "writer.lock"
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            if self._still_ours():
                return True
            self.release()  # the index folder was deleted under us: the lock file we hold is gone with it
        _private_dir(self._path.parent)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
        self._fd = fd
        return True

    def _still_ours(self) -> bool:
        """The lock file on disk is the one we hold (not deleted, nor replaced by another process's)."""
        assert self._fd is not None
        try:
            on_disk = os.stat(self._path)
        except OSError:
            return False
        held = os.fstat(self._fd)
        return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)

    def release(self) -> None:
        if self._fd is not None:
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
