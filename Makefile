# The two commands: `make run` (the app, embedded default, no services needed) and `make test`.
# The newest CPython 3.11-3.14 on PATH (python3.14 ... python3.11, and python3 when it is in that range):
# every pin in requirements*.txt has wheels for those four. PYTHON=/path/to/python overrides the pick.
SUPPORTED_PYTHON := (3, 11) <= sys.version_info[:2] <= (3, 14) and sys.implementation.name == "cpython"
PYTHON := $(or $(PYTHON),$(shell for p in python3.14 python3.13 python3.12 python3.11 python3; do \
	v=$$($$p -c 'import sys; print("%d.%02d" % sys.version_info[:2] if $(SUPPORTED_PYTHON) else "")' \
	2>/dev/null) && test -n "$$v" && echo "$$v $$(command -v $$p)"; done | sort | tail -n 1 | cut -d' ' -f2-))
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install install-dev models migrate bench bench-load clean

$(VENV)/.installed-runtime: requirements.txt
	@test -n "$(PYTHON)" || { echo "CPython 3.11, 3.12, 3.13 or 3.14 is required, and none of python3.14," \
		"python3.13, python3.12, python3.11 or python3 on PATH is one. Install one (e.g. apt install" \
		"python3.13, brew install python@3.13) or name it: make run PYTHON=/path/to/python3.13" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if $(SUPPORTED_PYTHON) else 1)' || { echo "$(PYTHON) is not" \
		"CPython 3.11-3.14 (it is $$($(PYTHON) -V 2>&1)); name another: make run PYTHON=..." >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-test.txt requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed-runtime models
install-dev: $(VENV)/.installed-dev models

# The pose and segmentation models (posegen/posekit/model_files.py): downloaded once as a pinned,
# hash-checked package file into var/models/; every later run only checks their sha256, offline.
models: $(VENV)/.installed-runtime
	$(PY) -m posegen.posekit.model_files fetch

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	@if $(PY) manage.py help seed_pose_library >/dev/null 2>&1; then $(PY) manage.py seed_pose_library --if-empty; fi
	$(PY) manage.py ensure_demo_user
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .

test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo  # the import contracts in .importlinter (docs/ARCHITECTURE.md)
	$(VENV)/bin/bandit -q -c pyproject.toml -r lumiku posegen requests_community
	$(PY) .ci/audit_deps.py $(VENV)/bin/pip-audit
	$(PY) manage.py makemigrations --check --dry-run --settings=lumiku.settings.test
	$(PY) -m pytest

# Load test on local PostgreSQL + Redis (db 14), port 8130, ~4 minutes; needs wrk (apt-get install wrk).
bench-load: install-dev
	$(PY) bench/bench_load.py

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache
