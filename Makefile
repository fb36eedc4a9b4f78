# The two commands: `make run` (the app, embedded default, no services needed) and `make test`.
# The first interpreter that actually runs and is 3.11 or 3.12 (mediapipe 0.10.21 has wheels for those).
PYTHON ?= $(shell for p in python3 python3.12 python3.11; do \
	if $$p -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)' >/dev/null 2>&1; \
	then command -v $$p; break; fi; done)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install install-dev models migrate bench bench-load clean

$(VENV)/.installed-runtime: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or 3.12 is required (mediapipe 0.10.21 wheels)" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
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
	$(VENV)/bin/bandit -q -c pyproject.toml -r lumiku posegen requests_community
	$(PY) .ci/audit_deps.py $(VENV)/bin/pip-audit
	$(PY) manage.py makemigrations --check --dry-run --settings=lumiku.settings.test
	$(PY) -m pytest

# Load test on local PostgreSQL + Redis (db 14), port 8130, ~4 minutes; needs wrk (apt-get install wrk).
bench-load: install-dev
	$(PY) bench/bench_load.py

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache
