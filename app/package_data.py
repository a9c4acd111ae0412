"""Where the files that travel with the code are: the migrations and the resources (icons, fonts).

The project keeps them in top-level folders (`migrations/`, `resources/`). A wheel and the PyInstaller
bundle carry them inside the package, as `app/_migrations` and `app/_resources` (setup.py,
packaging/switchboard.spec), and `importlib.resources` finds them there. A checkout — an editable
install, or the source tree on `sys.path` — has no such folders in the package, so the top-level folder
next to the package is used. Both must be real directories: Alembic and Qt read files by path.

Imports nothing but the standard library, so every layer (views included) may use it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

DataFolder = Literal["migrations", "resources"]
PACKAGED_NAMES: dict[DataFolder, str] = {"migrations": "_migrations", "resources": "_resources"}


class PackageDataMissing(RuntimeError):
    """The installation is broken: a folder that ships with Switchboard is not there."""


def data_folder(folder: DataFolder) -> Path:
    """The folder inside the installed package (wheel, bundle), else the checkout's top-level folder."""
    packaged = files(__package__ or "app") / PACKAGED_NAMES[folder]
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / folder
    if checkout.is_dir():
        return checkout
    raise PackageDataMissing(
        f"Switchboard's {folder} folder is missing (looked in {packaged} and {checkout}); reinstall Switchboard."
    )


def migrations_folder() -> Path:
    """Alembic's script location: env.py, versions/ and the versioned SQL files under sql/."""
    return data_folder("migrations")


def resource_path(name: str) -> Path:
    """A file under resources/, e.g. `resource_path("fonts/DejaVuSans.ttf")`; it may not exist."""
    return data_folder("resources") / name
