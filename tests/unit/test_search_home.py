"""Where a login's index lives: its own folder is private (0700); a folder the caller names, and that
folder's parent, keep their modes (an index under /tmp/x once chmodded /tmp itself to 0700, and the
embedded server's set-up then opened it to 0755: no other user could make a temporary file)."""

from __future__ import annotations

import stat
from pathlib import Path

from app.services.search.store import IndexHome


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_index_folder_is_private_and_the_callers_folders_keep_their_modes(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    base = shared / "scratch"
    base.mkdir()
    base.chmod(0o755)
    home = IndexHome.for_login("server:5432", "desk", "alice", base=base)
    assert _mode(home.root) == 0o700
    assert home.root.parent == base
    assert _mode(base) == 0o755
    assert _mode(shared) == 0o1777


def test_a_missing_folder_is_made(tmp_path: Path) -> None:
    home = IndexHome.for_login("server:5432", "desk", "alice", base=tmp_path / "new" / "search")
    assert home.root.is_dir() and _mode(home.root) == 0o700
