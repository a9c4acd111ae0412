"""Cold start of the packaged build to the sign-in window, to being ready to sign in (the database layers
loaded behind the window), and its resident memory there.

    bash packaging/build.sh && python -m benchmarks.bench_bundle

Each run is a new process (the first one also pays for a cold file cache after the build, as a
workstation does after a reboot); offscreen, so the numbers do not depend on an X server.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
from pathlib import Path

from benchmarks.common import print_table

BUNDLE = Path(__file__).resolve().parents[1] / "dist" / "switchboard" / "switchboard"
RUNS = 7


def main() -> None:
    if not BUNDLE.exists():
        raise SystemExit("build the bundle first: bash packaging/build.sh")
    times, ready, memory = [], [], []
    for _ in range(RUNS):
        done = subprocess.run(
            [str(BUNDLE), "--startup-probe"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        found = re.search(r"after (\d+) ms; ready to sign in after (\d+) ms; resident memory (\d+) MB", done.stdout)
        if found is None:
            raise SystemExit(done.stdout + done.stderr)
        times.append(int(found[1]))
        ready.append(int(found[2]))
        memory.append(int(found[3]))
    size = sum(p.stat().st_size for p in BUNDLE.parent.rglob("*") if p.is_file() and not p.is_symlink())
    print_table(
        ["measure", "value"],
        [
            ["bundle size", f"{size / 2**20:.0f} MB"],
            ["first start to the sign-in window", f"{times[0]} ms"],
            [f"later starts (median of {RUNS - 1})", f"{statistics.median(times[1:]):.0f} ms"],
            [f"ready to sign in, later starts (median of {RUNS - 1})", f"{statistics.median(ready[1:]):.0f} ms"],
            ["resident memory, ready to sign in", f"{statistics.median(memory):.0f} MB"],
        ],
    )


if __name__ == "__main__":
    main()
