"""Model modules load on first use (app/models/__init__.py), so each must bring the tables its foreign keys
name: a flush sorts tables by their foreign keys and fails on one it cannot find. Each module is imported
alone in a fresh interpreter (this process has every model loaded) and every foreign key of its tables is
resolved; the package's lazy names, `__all__` and `load_all()` agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import app.models
from app.models.base import Base

MODELS = sorted(
    f"app.models.{path.stem}" for path in Path(app.models.__file__).parent.glob("*.py") if path.stem != "__init__"
)

RESOLVE = """
import importlib, sys
module = importlib.import_module(sys.argv[1])
from app.models.base import Base
for table in list(Base.metadata.tables.values()):
    if table.name in {getattr(v, "__tablename__", None) for v in vars(module).values()}:
        for key in table.foreign_keys:
            key.column  # raises NoReferencedTableError when the target's module is not loaded
print("ok")
"""


def test_each_model_module_alone_resolves_its_foreign_keys() -> None:
    runs = {
        name: subprocess.Popen(
            [sys.executable, "-c", RESOLVE, name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name in MODELS
    }
    failed = {}
    for name, run in runs.items():
        out, err = run.communicate(timeout=120)
        if run.returncode != 0 or out.strip() != "ok":
            failed[name] = err.strip().splitlines()[-1:]
    assert failed == {}


def test_every_model_is_named_by_the_package_and_loaded_by_load_all() -> None:
    base = app.models.load_all()
    mapped = {mapper.class_.__name__ for mapper in base.registry.mappers}
    assert base is Base
    assert set(app.models._MODULE_OF) <= mapped
    assert set(app.models.__all__) == set(app.models._MODULE_OF) | {"SCHEMA", "Base"}
    assert all(getattr(app.models, name).__module__ == module for name, module in app.models._MODULE_OF.items())
