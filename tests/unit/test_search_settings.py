"""`[search] wipe_on_sign_out` in the settings files: off by default, the site turns it on, a user's own file
can add it but not take it away, and a value that is not true or false is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.errors import ConfigurationError
from app.services.search.settings import wipe_on_sign_out


def files(tmp_path: Path, user: str | None, site: str | None) -> list[Path]:
    tmp_path = tmp_path / str(len(list(tmp_path.iterdir())))  # each call its own pair of files
    tmp_path.mkdir()
    found = []
    for name, text in (("user.toml", user), ("site.toml", site)):
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        found.append(path)
    return found


def test_off_unless_a_settings_file_turns_it_on(tmp_path: Path) -> None:
    assert not wipe_on_sign_out(files(tmp_path, None, None))
    assert not wipe_on_sign_out(files(tmp_path, None, '[database]\nhost = "db"\n'))
    assert not wipe_on_sign_out(files(tmp_path, None, "[search]\nwipe_on_sign_out = false\n"))


def test_the_site_turns_it_on_and_a_user_cannot_turn_it_off(tmp_path: Path) -> None:
    assert wipe_on_sign_out(files(tmp_path, None, "[search]\nwipe_on_sign_out = true\n"))
    on, off = "[search]\nwipe_on_sign_out = true\n", "[search]\nwipe_on_sign_out = false\n"
    assert wipe_on_sign_out(files(tmp_path, off, on))
    assert wipe_on_sign_out(files(tmp_path, "[search]\nwipe_on_sign_out = true\n", None))


@pytest.mark.parametrize("text", ['[search]\nwipe_on_sign_out = "yes"\n', "search = 1\n", "[search\n"])
def test_a_setting_that_is_not_true_or_false_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigurationError):
        wipe_on_sign_out(files(tmp_path, None, text))
