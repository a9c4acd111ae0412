"""Reading what a person hands us — a file, standard input, a JSON document — with a bound, before it is
read whole.

Every path that took a file or standard input read all of it and checked its size afterwards: `kb attach
ARTICLE /dev/zero` grew to 22.7 GB until the kernel killed it (a device's size is 0, so the size check
passed), and `yes | switchboard ticket create …`, an `.ics` of 300 MB or a named pipe did the same or hung.
Here a file must be a regular file, and at most `limit` bytes are ever read (one more, to know it is too
large); JSON nested deeper than Python's parser can go is refused with a sentence, not a RecursionError.
"""

from __future__ import annotations

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


def load_json(data: bytes | str, *, what: str) -> Any:
    """JSON, with a sentence for what the parser cannot take (not JSON, not UTF-8, nested too deeply, a key
    given twice in one object: the parser keeps the last without a word, so a policy file's second "high"
    silently replaced the first)."""
    try:
        return json.loads(data.decode("utf-8-sig") if isinstance(data, bytes) else data, object_pairs_hook=_one_each)
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
