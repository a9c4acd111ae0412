"""Build the wheel, install it into a throwaway environment, and check it finds its migrations and resources.

    .venv/bin/python tools/check_wheel.py              # the wheel, then an editable install of the same copy

The sources (app, migrations, resources and the build files) are copied to a temporary folder, so the
checkout gets no build/ or egg-info. The throwaway environment is a venv without pip whose .pth file
points at this interpreter's site-packages: the dependencies are used, not reinstalled, and this
checkout's own editable install is not (a .pth-added folder's .pth files are not read). pip installs the
wheel with `--no-deps --python`. The check then runs from another folder, without PYTHONPATH, and resolves
the migrations' head revision, a versioned SQL file and a resource file, from inside the installed package.
Takes about 10 s; tests/integration/test_package_data.py runs it (marked slow).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["app", "migrations", "resources", "setup.py", "pyproject.toml", "README.md"]
PROBE = """
import json, app
from app.package_data import migrations_folder, resource_path
from app.services.platform.database import schema
from app.services.platform.database.sql_files import DatabaseNames, function_sql
print(json.dumps({
    "app": app.__file__,
    "migrations": str(migrations_folder()),
    "head": schema.code_revision(),
    "sql": function_sql("assign_ticket", 2, DatabaseNames.for_database("probe")).splitlines()[0],
    "font": str(resource_path("fonts/DejaVuSans.ttf")),
    "font_is_file": resource_path("fonts/DejaVuSans.ttf").is_file(),
    "files": sorted(str(p.relative_to(migrations_folder().parent))
                    for folder in (migrations_folder(), resource_path(""))
                    for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts),
}))
"""


class CommandFailed(RuntimeError):
    pass


def run(command: list[str], **options: object) -> str:
    result = subprocess.run(command, capture_output=True, text=True, **options)  # type: ignore[call-overload]
    if result.returncode != 0:
        last_lines = "\n".join(str(result.stderr).strip().splitlines()[-5:])
        raise CommandFailed(f"{' '.join(command[:3])[:160]} … failed:\n{last_lines}")
    return str(result.stdout)


def throwaway_environment(folder: Path) -> Path:
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / "bin" / "python"
    site_packages = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).strip())
    (site_packages / "switchboard-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


def probe(python: Path, cwd: Path) -> dict[str, object]:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environment.setdefault("SWITCHBOARD_DATA_DIR", str(cwd / "data"))
    result: dict[str, object] = json.loads(run([str(python), "-c", PROBE], cwd=cwd, env=environment))
    return result


def expected_files(source: Path) -> list[str]:
    pairs = [("migrations", "_migrations"), ("resources", "_resources")]
    return sorted(
        str(Path(packaged) / path.relative_to(source / folder))
        for folder, packaged in pairs
        for path in (source / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def check(work: Path) -> list[str]:
    """The problems found (none: the wheel and the editable install find their data)."""
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(origin, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(source)])
    wheel = next((work / "dist").glob("switchboard-*.whl"))
    problems: list[str] = []

    python = throwaway_environment(work / "wheel-env")
    run([*pip, "--python", str(python), "install", "--no-deps", str(wheel)])
    found = probe(python, work)
    installed = Path(str(found["app"])).parent
    if not installed.is_relative_to(work / "wheel-env"):
        problems.append(f"the wheel check imported app from {installed}, not from the wheel")
    if Path(str(found["migrations"])) != installed / "_migrations":
        problems.append(f"the wheel found its migrations at {found['migrations']}, not inside the package")
    # Every file of the source folders, at its place inside the package (app/_migrations, app/_resources).
    wanted = expected_files(source)
    listed = [str(name) for name in found["files"]]  # type: ignore[attr-defined]
    missing = sorted(set(wanted) - set(listed))
    if missing:
        problems.append(f"the wheel lacks {missing[:5]}{' …' if len(missing) > 5 else ''}")
    problems += _common(found, "wheel")

    python = throwaway_environment(work / "editable-env")
    run([*pip, "--python", str(python), "install", "--no-deps", "--editable", str(source)])
    found = probe(python, work)
    if Path(str(found["migrations"])) != source / "migrations":
        problems.append(f"the editable install found its migrations at {found['migrations']}")
    problems += _common(found, "editable install")
    return problems


def _common(found: dict[str, object], kind: str) -> list[str]:
    problems = []
    from app.services.platform.database import schema  # this checkout's answer

    if found["head"] != schema.code_revision():
        problems.append(f"the {kind} resolved head {found['head']}, the checkout {schema.code_revision()}")
    if not str(found["sql"]).startswith("-- assign_ticket, version 2"):
        problems.append(f"the {kind} loaded {found['sql']!r} for assign_ticket v2")
    if not found["font_is_file"]:
        problems.append(f"the {kind} has no font at {found['font']}")
    return problems


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="switchboard-wheel-") as folder:
        try:
            problems = check(Path(folder))
        except CommandFailed as failure:
            problems = [str(failure)]
    for problem in problems:
        print(problem)
    print("wheel and editable install find their package data" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
