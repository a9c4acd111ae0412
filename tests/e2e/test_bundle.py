"""The packaged build: built from this checkout with the documented command, it answers --version, runs
the CLI on its own embedded database, and opens the client (--smoke) offscreen and on an X display."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

# One worker builds the bundle and runs these (make test runs pytest-xdist with --dist loadfile): the build
# empties and rewrites the checkout's dist/, so two builds at once would delete each other's output.
pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "switchboard" / "switchboard"


@pytest.fixture(scope="module")
def bundle() -> Iterator[Path]:
    built = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh")], capture_output=True, text=True, timeout=900, cwd=ROOT
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    size = sum(path.stat().st_size for path in BUNDLE.parent.rglob("*") if path.is_file() and not path.is_symlink())
    assert size < 200 * 2**20, f"the bundle is {size / 2**20:.0f} MB"
    yield BUNDLE


def run(bundle: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle), *args], capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})}
    )


def test_the_bundle_answers_and_runs_the_cli(bundle: Path, tmp_path: Path) -> None:
    assert "switchboard, version" in run(bundle, "--version").stdout
    env = {"SWITCHBOARD_DATA_DIR": str(tmp_path / "data")}
    steps = [
        ["ticket", "list", "--json"],
        ["db", "status"],
        ["demo", "--tickets", "5", "--no-open"],
        ["user", "list"],
        [
            "ticket",
            "create",
            "--subject",
            "Bundle check",
            "--customer",
            "it@example.test",
            "--queue",
            "Billing",
            "--body",
            "Does the bundle work?",
        ],
        ["ticket", "show", "10006"],
        ["ticket", "note", "10006", "--body", "It does."],
        ["ticket", "status", "10006", "closed"],
        ["worker", "--once"],
        ["doctor"],
    ]
    for args in steps:  # the first one creates and upgrades the embedded database
        done = run(bundle, *args, env=env)
        assert done.returncode == 0, (args, done.stderr)


def test_the_bundle_opens_the_client_offscreen(bundle: Path) -> None:
    done = run(bundle, "--smoke", env={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0 and "smoke test passed" in done.stdout, done.stderr


def test_the_bundle_opens_the_client_on_an_x_display(bundle: Path) -> None:
    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed (.ci/run installs it)")
    environment = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    done = subprocess.run(
        ["xvfb-run", "-a", str(bundle), "--smoke"], capture_output=True, text=True, timeout=180, env=environment
    )
    assert done.returncode == 0 and "smoke test passed" in done.stdout, done.stderr
