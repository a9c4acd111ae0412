# The two commands of the README: `make demo` and `make test`. Each makes its own virtual environment
# in .venv from requirements.lock, so a fresh machine needs only Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TICKETS ?= 2000

.PHONY: demo test lint lock clean-venv

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# setuptools warns on every editable install that a folder named like the package could shadow it;
	# ours is the package itself, so the warning only frightens (the message filter needs no import).
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -c requirements.lock -e '.[gui,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/switchboard demo --tickets $(TICKETS)

lint: $(STAMP)
	$(BIN)/ruff check app tests benchmarks tools migrations
	$(BIN)/ruff format --check app tests benchmarks tools migrations/env.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite runs on a worker per core, up to four (pytest-xdist): each worker has its own embedded server,
# databases and Qt application, so nothing is shared but the system server, where each test has its own.
# A file's tests run on one worker (--dist loadfile): a module's fixture is made once, and the bundle's
# tests share one build of dist/ (two builds at once empty each other's). (--dist loadgroup would group
# by mark, but pytest-xdist 3.8 cannot rename tests under pytest 9, so its groups are silently ignored.)
# A worker that crashes ends the run (--max-worker-restart 0): a replaced worker left the file scheduler
# waiting for ever.
test: lint
	$(BIN)/pytest --numprocesses logical --maxprocesses 4 --dist loadfile --max-worker-restart 0 $(PYTEST_ARGS)

lock: $(STAMP)
	{ echo "# Exact versions every machine installs (pip install -c requirements.lock). Regenerate with: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^switchboard'; } > requirements.lock

clean-venv:
	rm -rf $(VENV)
