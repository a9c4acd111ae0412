"""What the command accepts, checked at the boundary so bad input is exit 2 and one sentence, never a
database error, a traceback or a wrong exit code later.

- Every text option and argument of every command (the command classes below check them all, so a new
  option cannot forget): no NUL character (PostgreSQL cannot store one) and valid UTF-8 (Python turns
  undecodable command-line bytes into lone surrogates, which would fail deep in the driver).
- Numbers that end up in a bigint or integer column have click ranges (`TICKET_NUMBER`, `VERSION`).
- Standard input is decoded strictly as UTF-8, with a sentence that says where it went wrong.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import click

from app.services.errors import InvalidInput
from app.services.platform.bounded_input import MiB, read_stream, text_of
from app.services.platform.redaction import register_secret

MAX_BIGINT = 2**63 - 1
MAX_INTEGER = 2**31 - 1
TICKET_NUMBER = click.IntRange(1, MAX_BIGINT)
VERSION = click.IntRange(1, MAX_INTEGER)
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why a piece of text cannot be stored, or None."""
    if "\x00" in text:
        return "it holds a NUL character, which text may not contain"
    if _SURROGATE.search(text):
        return "it is not valid UTF-8 text"
    return None


def _check_params(ctx: click.Context, params: list[click.Parameter]) -> None:
    for param in params:
        value = ctx.params.get(param.name or "")
        values = value if isinstance(value, tuple | list) else (value,)
        for item in values:
            if isinstance(item, str) and (problem := text_problem(item)) is not None:
                raise click.BadParameter(problem, ctx=ctx, param=param)


class CheckedCommand(click.Command):
    """A command whose text parameters are all checked by `text_problem` once parsed."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        _check_params(ctx, self.params)
        return rest


class CheckedGroup(click.Group):
    """A group that checks its own parameters and makes its commands and subgroups checked too."""

    command_class = CheckedCommand
    group_class = type  # subgroups are CheckedGroups as well

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        _check_params(ctx, self.params)
        return rest


def decode_text(data: bytes, *, where: str, secret: bool = False) -> str:
    """Bytes from outside as text: strictly UTF-8 (a leading BOM is dropped; UTF-16 or UTF-32 with their
    byte-order mark as they say), and without NUL.
    For a `secret` the sentence does not quote the offending byte."""
    try:
        text = text_of(data)
    except UnicodeDecodeError as error:
        if secret:
            raise InvalidInput(f"The password on {where} is not UTF-8 text") from None
        raise InvalidInput(
            f"The text on {where} is not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "convert it first, for example with iconv -t UTF-8"
        ) from None
    if "\x00" in text:
        if secret:
            raise InvalidInput(f"The password on {where} holds a NUL byte, which a password may not contain")
        raise InvalidInput(
            f"The text on {where} holds a NUL byte (at character {text.index(chr(0))}), which text may not contain"
        )
    return text


def _stdin_bytes() -> Any:
    stream = sys.stdin
    if stream is None:
        raise InvalidInput("There is no standard input to read from")
    return getattr(stream, "buffer", None) or stream


def stdin_is_terminal() -> bool:
    return sys.stdin is None or sys.stdin.isatty()


STDIN_LIMIT = 10 * MiB  # the most a message's or an article's text may hold (migration 0045)
PASSWORD_LINE_LIMIT = 4096


def read_stdin(limit: int = STDIN_LIMIT) -> str:
    """Standard input, as text: at most `limit` bytes are read (`yes | switchboard ticket create …` grew
    until memory ran out), more is refused with a sentence."""
    return decode_text(read_stream(_stdin_bytes(), limit, what="Standard input"), where="stdin")


def read_password_line() -> str:
    """The first line of standard input (for --password-stdin), without its line ending; a line longer
    than any password is refused rather than read on (/dev/zero has no line end)."""
    data = _stdin_bytes().readline(PASSWORD_LINE_LIMIT + 1)
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
    if len(raw.rstrip(b"\r\n")) > PASSWORD_LINE_LIMIT:
        raise InvalidInput(
            f"The first line of standard input is longer than {PASSWORD_LINE_LIMIT:,} bytes: not a password"
        )
    return decode_text(raw, where="stdin", secret=True).rstrip("\r\n")


def prompt_password(text: str, *, confirm: bool = False) -> str:
    """A password typed (or piped) in answer to a prompt; known to the redaction net before anything else."""
    try:
        if stdin_is_terminal():
            value: str = click.prompt(text, hide_input=True, confirmation_prompt=confirm)
        else:  # piped: read the lines (getpass would warn, with its source line, that it cannot hide them)
            value = read_password_line()
            if not value:
                raise InvalidInput("No password was given on standard input")
            if confirm and read_password_line() != value:
                raise InvalidInput("The two passwords given differ")
    except UnicodeDecodeError:
        raise InvalidInput("The password given is not UTF-8 text") from None
    register_secret(value)
    if (problem := text_problem(value)) is not None:
        raise InvalidInput(f"That password cannot be used: {problem}")
    return value
