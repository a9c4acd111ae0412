"""A plain wheel carries its migrations and resources inside the package and finds them there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.package_data import migrations_folder, resource_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_wheel_and_an_editable_install_find_their_package_data() -> None:
    """tools/check_wheel.py builds the wheel, installs it (and an editable copy) into throwaway
    environments and resolves the migrations' head, an SQL file and a font from each (about 10 s)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "check_wheel.py")], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_checkout_finds_the_top_level_folders() -> None:
    assert migrations_folder() == ROOT / "migrations"
    assert resource_path("fonts/DejaVuSans.ttf") == ROOT / "resources" / "fonts" / "DejaVuSans.ttf"
    assert resource_path("fonts/DejaVuSans.ttf").is_file()
