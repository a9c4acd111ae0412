"""Bad input stops at the command line: exit 2 and one sentence, for every command and option."""

from __future__ import annotations

import io
import sys

import click
import pytest
from click.testing import CliRunner

from app.cli import cli
from app.cli.inputs import (
    TICKET_NUMBER,
    VERSION,
    CheckedCommand,
    CheckedGroup,
    decode_text,
    read_password_line,
    read_stdin,
    text_problem,
)
from app.services.errors import InvalidInput


def _every_command(command: click.Command) -> list[click.Command]:
    found = [command]
    if isinstance(command, click.Group):
        for child in command.commands.values():
            found += _every_command(child)
    return found


def test_every_command_checks_its_text_parameters() -> None:
    """The class fix: a command added later without the checking classes fails here."""
    unchecked = [c.name for c in _every_command(cli) if not isinstance(c, CheckedCommand | CheckedGroup)]
    assert unchecked == []


def test_every_number_that_reaches_the_database_is_bounded() -> None:
    unbounded = [
        f"{command.name} {param.name}"
        for command in _every_command(cli)
        for param in command.params
        if isinstance(param.type, click.types.IntParamType)
        and not isinstance(param.type, click.IntRange)
        and param.name != "seed"
    ]
    assert unbounded == []
    assert TICKET_NUMBER.max == 2**63 - 1 and VERSION.max == 2**31 - 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [("a\x00b", "NUL"), ("caf\udce9", "UTF-8"), ("fine \x1b[31m text", None), ("Zoë", None)],
)
def test_text_problems(text: str, problem: str | None) -> None:
    found = text_problem(text)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_a_checked_command_refuses_undecodable_arguments_with_exit_2() -> None:
    @click.group(cls=CheckedGroup)
    def group() -> None:
        pass

    @group.command()
    @click.option("--subject")
    @click.option("--tag", "tags", multiple=True)
    def create(subject: str, tags: tuple[str, ...]) -> None:
        click.echo("created")

    runner = CliRunner()
    assert runner.invoke(group, ["create", "--subject", "ok"]).exit_code == 0
    bad = runner.invoke(group, ["create", "--subject", "caf\udce9"])
    assert bad.exit_code == 2 and "not valid UTF-8" in bad.output and "created" not in bad.output
    assert runner.invoke(group, ["create", "--tag", "ok", "--tag", "a\x00b"]).exit_code == 2


def test_stdin_is_decoded_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"ok \xff\xfe")))
    with pytest.raises(InvalidInput, match="not UTF-8 \\(byte 0xff at offset 3\\)"):
        read_stdin()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("\ufeffZoë\r\n".encode())))
    assert read_stdin() == "Zoë\r\n"
    with pytest.raises(InvalidInput, match="NUL"):
        decode_text(b"a\x00b", where="stdin")


def test_a_bad_password_line_never_quotes_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Canary\xffPw\nbody")))
    with pytest.raises(InvalidInput) as refused:
        read_password_line()
    assert "Canary" not in str(refused.value) and "0xff" not in str(refused.value)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Right-Pw\r\nthe body\n")))
    assert read_password_line() == "Right-Pw" and read_stdin() == "the body\n"
