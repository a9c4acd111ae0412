"""The `switchboard` command as a real process on its own embedded database (a data directory of the
test's), never on a server the environment names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SWITCHBOARD_DATA_DIR": str(data_dir)}
    env.pop("SWITCHBOARD_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=300, env=env, check=False
    )


def demo_data_dir(data_dir: Path, tickets: int) -> Path:
    """A fresh embedded database filled by `switchboard demo` with this many tickets."""
    filled = run(data_dir, "demo", "--no-open", "--tickets", str(tickets))
    assert filled.returncode == 0, filled.stderr
    return data_dir
