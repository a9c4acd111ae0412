"""The README's walk-through works as printed: on a fresh embedded database with the demo data, every
`.venv/bin/switchboard …` line of its shell blocks exits 0, and a second `demo` keeps one set of data."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.support.embedded_cli import run

pytestmark = pytest.mark.slow
README = Path(__file__).resolve().parents[2] / "README.md"
COMMAND = re.compile(r"^\.venv/bin/switchboard (?P<args>.+?)(?:\s+#.*)?$")


def readme_commands() -> list[list[str]]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    found = [COMMAND.match(line.strip()) for block in blocks for line in block.splitlines()]
    return [shlex.split(match["args"]) for match in found if match]


def test_every_readme_example_runs_on_the_demo_data(tmp_path: Path) -> None:
    examples = [args for args in readme_commands() if args[0] != "demo"]
    assert any("reply" in args for args in examples), "the README shows an agent replying"
    filled = run(tmp_path, "demo", "--no-open", "--tickets", "60")
    assert filled.returncode == 0, filled.stderr
    again = run(tmp_path, "demo", "--no-open")
    assert again.returncode == 0 and "there already (60 tickets); nothing added" in again.stdout
    for args in examples:
        done = run(tmp_path, *args)
        assert done.returncode == 0, f"switchboard {shlex.join(args)}: {done.stdout}{done.stderr}"
