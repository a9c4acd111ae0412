"""Reading what a person hands us — a file, standard input, a JSON document — with a bound, before it is
read whole.

Every path that took a file or standard input read all of it and checked its size afterwards: `kb attach
ARTICLE /dev/zero` grew to 22.7 GB until the kernel killed it (a device's size is 0, so the size check
passed), and `yes | switchboard ticket create …`, an `.ics` of 300 MB or a named pipe did the same or hung.
Here a file must be a regular file, and at most `limit` bytes are ever read (one more, to know it is too
large); JSON nested deeper than Python's parser can go is refused with a sentence, not a RecursionError.
"""

from __future__ import annotations

import codecs
import json
import os
import stat
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from app.services.errors import InvalidInput

MiB = 1024 * 1024


def size_words(limit: int) -> str:
    """10485760 → "10 MiB", 2000000 → "2 MB", 1000 → "1,000 bytes"."""
    if limit % MiB == 0:
        return f"{limit // MiB} MiB"
    if limit % 1_000_000 == 0:
        return f"{limit // 1_000_000} MB"
    return f"{limit:,} bytes"


def read_file(path: Path | str, limit: int, *, what: str = "") -> bytes:
    """The bytes of a regular file of at most `limit` bytes; InvalidInput (one sentence, nothing read
    beyond the bound) for a device, a pipe, a folder, a file too large or one that cannot be read."""
    path = Path(path)
    name = what or path.name
    try:
        # O_NONBLOCK: opening a named pipe would otherwise wait for a writer forever.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise InvalidInput(f"Cannot read {path}: {error.strerror}.") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = "a folder" if stat.S_ISDIR(mode) else "a device or a pipe, not a file"
        raise InvalidInput(f"{path} is {kind}; give a regular file.")
    with os.fdopen(descriptor, "rb") as stream:
        try:
            return _bounded(stream, limit, name)
        except OSError as error:
            raise InvalidInput(f"Cannot read {path}: {error.strerror}.") from None


def read_stream(stream: BinaryIO | TextIO, limit: int, *, what: str) -> bytes:
    """At most `limit` bytes of a stream (standard input; a text stream's characters as UTF-8);
    InvalidInput when it holds more."""
    return _bounded(stream, limit, what)


def _bounded(stream: BinaryIO | TextIO, limit: int, name: str) -> bytes:
    chunks: list[bytes] = []
    wanted = limit + 1
    while wanted > 0:
        read = stream.read(min(wanted, MiB))
        chunk = read.encode("utf-8", "surrogateescape") if isinstance(read, str) else read
        if not chunk:
            break
        chunks.append(chunk)
        wanted -= len(chunk)
    if wanted <= 0:
        raise InvalidInput(f"{name} holds more than {size_words(limit)}, the most it may; nothing was read from it.")
    return b"".join(chunks)


# Windows Notepad's "Unicode" is UTF-16 with a byte-order mark; each was refused as "byte 0xff at offset 0".
# A file that says its encoding by its first bytes is read in it (UTF-32 first: its LE mark begins UTF-16's).
_MARKED = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
           (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
LONGEST_NUMBER = 30  # digits of a JSON whole number: beyond any count, minutes or id a file may hold


def text_of(data: bytes) -> str:
    """Bytes from outside as text: UTF-16 or UTF-32 when a byte-order mark says so, otherwise strictly
    UTF-8 (its own mark dropped). UnicodeDecodeError as the codec raises it."""
    for mark, codec in _MARKED:
        if data.startswith(mark):
            return data.decode(codec)
    return data.decode("utf-8-sig")


def load_json(data: bytes | str, *, what: str) -> Any:
    """JSON, with a sentence for what the parser cannot take (not JSON, not UTF-8, nested too deeply, a key
    given twice in one object: the parser keeps the last without a word, so a policy file's second "high"
    silently replaced the first)."""
    try:
        return json.loads(
            text_of(data) if isinstance(data, bytes) else data, object_pairs_hook=_one_each, parse_int=whole_number
        )
    except LongNumber as long:
        raise InvalidInput(
            f"{what} holds a number of {long.digits:,} digits ({long.start}…): no value here is that large."
        ) from None
    except _RepeatedKey as repeated:
        raise InvalidInput(
            f"{what} gives the key {repeated.key!r} twice in one object: only one can count, so say it once."
        ) from None
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{what} is not valid JSON: {error.msg} at line {error.lineno}.") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{what} is not a text file (UTF-8 JSON).") from None
    except RecursionError:
        raise InvalidInput(f"{what} nests its values too deeply to be read.") from None


class LongNumber(ValueError):
    """A JSON whole number longer than any value (`whole_number`); `digits` says how long."""

    def __init__(self, text: str) -> None:
        super().__init__(text[:20])
        self.start, self.digits = text[:12], len(text.lstrip("-"))


def whole_number(text: str) -> int:
    """Python refuses to read a whole number of more than 4,300 digits with a bare ValueError (it was an
    internal error); nothing a file holds here is more than a few digits long."""
    if len(text.lstrip("-")) > LONGEST_NUMBER:
        raise LongNumber(text)
    return int(text)


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key[:60]


def _one_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found
