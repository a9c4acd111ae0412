"""What a person hands the CLI or the client — a file, standard input, JSON — is read with a bound before
it is read whole: /dev/zero as an attachment grew to 22.7 GB until the kernel killed it, a named pipe hung,
deep JSON crashed with a RecursionError."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from app.services.errors import InvalidInput
from app.services.platform.bounded_input import load_json, read_file, read_stream, size_words


def test_a_file_within_the_bound_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "ok.bin"
    path.write_bytes(b"x" * 1000)
    assert read_file(path, 1000) == b"x" * 1000


def test_a_file_over_the_bound_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "big.ics"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(InvalidInput, match=r"^big.ics holds more than 1,000 bytes"):
        read_file(path, 1000)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_refused_before_a_byte_is_read() -> None:
    with pytest.raises(InvalidInput, match="a device or a pipe, not a file"):
        read_file("/dev/zero", 10 * 1024 * 1024)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_instead_of_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(InvalidInput, match="a device or a pipe"):
        read_file(pipe, 1000)


def test_a_folder_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is a folder"):
        read_file(tmp_path, 1000)
    with pytest.raises(InvalidInput, match=r"^Cannot read .*: No such file"):
        read_file(tmp_path / "nowhere.json", 1000)


def test_a_stream_is_read_up_to_its_bound_and_no_further() -> None:
    endless = io.BytesIO(b"y\n" * 1_000_000)
    with pytest.raises(InvalidInput, match="Standard input holds more than 1 MiB"):
        read_stream(endless, 1024 * 1024, what="Standard input")
    assert endless.tell() == 1024 * 1024 + 1  # one byte past the bound, not the two megabytes
    assert read_stream(io.StringIO("héllo"), 10, what="Standard input") == "héllo".encode()


def test_json_nested_too_deeply_is_refused_in_words() -> None:
    with pytest.raises(InvalidInput, match="nests its values too deeply"):
        load_json("[" * 100_000 + "]" * 100_000, what="policies.json")
    with pytest.raises(InvalidInput, match="is not valid JSON"):
        load_json("{", what="policies.json")
    assert load_json(b'{"a": [1]}', what="x") == {"a": [1]}


def test_sizes_in_words() -> None:
    assert [size_words(n) for n in (10 * 1024 * 1024, 2_000_000, 1000)] == ["10 MiB", "2 MB", "1,000 bytes"]


def test_a_key_given_twice_in_one_object_is_refused_at_any_depth() -> None:
    with pytest.raises(InvalidInput, match="gives the key 'high' twice in one object"):
        load_json('{"targets": {"high": {"resolution": 60}, "high": {"resolution": 600}}}', what="policies.json")
    assert load_json('[{"high": 1}, {"high": 2}]', what="x") == [{"high": 1}, {"high": 2}]  # two objects


def test_a_number_too_long_for_any_value_and_a_utf16_file_are_said_in_words() -> None:
    """A whole number of more than 4,300 digits failed Python's int() with a bare ValueError: an internal
    error of every command reading JSON. Notepad's "Unicode" (UTF-16 with its mark) was refused as not UTF-8."""
    with pytest.raises(InvalidInput, match="a number of 5,000 digits"):
        load_json('{"minutes": ' + "9" * 5000 + "}", what="policies.json")
    with pytest.raises(InvalidInput, match="a number of 31 digits"):
        load_json(b"[-" + b"1" * 31 + b"]", what="weights.json")
    assert load_json('{"normal": {"resolution": 480}}'.encode("utf-16"), what="policies.json") == {
        "normal": {"resolution": 480}
    }
