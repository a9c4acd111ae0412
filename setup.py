"""What pyproject.toml cannot say: the top-level `migrations/` and `resources/` folders travel inside the
package, as `app/_migrations` and `app/_resources`, so a plain wheel finds them through
`importlib.resources` (app/package_data.py). Everything else is in pyproject.toml.

pyproject.toml can map a folder to a package name (`package-dir`) but not together with package discovery
(`packages.find`), and the list of app's packages should not be kept by hand.
"""

from pathlib import Path

from setuptools import find_namespace_packages, find_packages, setup

# Where the source tree keeps them → where the package carries them.
DATA_FOLDERS = {"migrations": "app._migrations", "resources": "app._resources"}


def folder_packages(folder: str, package: str) -> dict[str, str]:
    """The folder and every folder under it, as packages mapped to their paths: setuptools ships the files
    of listed packages only, and warns about unlisted folders whose names could be packages."""
    below = find_namespace_packages(where=folder, exclude=["__pycache__", "*.__pycache__"])
    return {package: folder, **{f"{package}.{name}": str(Path(folder, *name.split("."))) for name in below}}


data_packages = {
    package: path for folder, top in DATA_FOLDERS.items() for package, path in folder_packages(folder, top).items()
}
setup(
    packages=[*find_packages(include=["app", "app.*"]), *data_packages],
    package_dir=data_packages,
    package_data={"app": ["py.typed"], **{package: ["*"] for package in data_packages}},
    exclude_package_data={package: ["*.pyc"] for package in data_packages},
)
