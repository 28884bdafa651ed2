# Lectern: `make run` to use it, `make test` to check it. Both begin with
# `make setup`, which installs only what is missing and rebuilds only what
# changed. Run as root, or as a user with sudo who is in the docker group.

SHELL := /bin/sh
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
# Daphne drops a WebSocket the application has not accepted in 5 s by default;
# when hundreds connect at once (a class submitting together) that is too short.
DAPHNE_OPTIONS ?= --websocket_connect_timeout 30
# `make author CONTENT=path/to/course`: the folder to preview (default: lessons/content).
CONTENT ?=

.PHONY: setup system engine frontend image database services run author test test-js test-scaled lint lint-lessons format bench load clean

setup: system engine $(VENV)/.installed frontend image database

system:
	@$(SUDO) scripts/setup-system.sh

engine:
	@$(SUDO) scripts/docker-engine.sh build
	@docker info >/dev/null 2>&1 || { echo "The Docker engine runs, but $$(id -un) may not use it:" \
		"sudo usermod -aG docker $$(id -un), then log in again." >&2; exit 1; }

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# The pages' scripts (docs/editor.md): the exercise widget's code editor
# (CodeMirror 6, the npm packages pinned in package-lock.json), the widget
# (frontend/exercise/), author mode, check-yourself questions and every page's
# small script (frontend/site.js), bundled by esbuild into build/frontend/, which
# STATICFILES_DIRS serves as /static/editor/editor.js and /static/js/<name>.js.
# Each step is redone only when its inputs change (the bundles: any .js file
# under frontend/, at any depth). npm and node come from Debian (`make system`).
FRONTEND_SOURCES := $(shell find frontend -name '*.js')
FRONTEND_BUNDLES := build/frontend/editor/editor.js \
	$(addprefix build/frontend/js/,exercise.js author.js questions.js site.js charts.js regrade.js)

frontend: $(FRONTEND_BUNDLES)

node_modules/.installed: package.json $(wildcard package-lock.json) | system
	@if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else npm install --ignore-scripts --no-audit --no-fund --loglevel=error; fi
	@touch $@

# `npm run build` is esbuild with the options in package.json's "build:" scripts;
# one run makes every bundle (a grouped target, &:).
$(FRONTEND_BUNDLES) &: node_modules/.installed $(FRONTEND_SOURCES)
	npm run --silent build

# The sandbox image is rebuilt only when its inputs change (see docs/sandbox.md).
image: $(VENV)/.installed
	@$(SUDO) env DJANGO_DEBUG=1 $(BIN)/python manage.py sandbox_image

database: $(VENV)/.installed frontend
	@DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput -v 0
	@DJANGO_DEBUG=1 $(BIN)/python manage.py load_lessons
	@DJANGO_DEBUG=1 $(BIN)/python manage.py collectstatic --noinput -v 0

run: setup
	@echo "Lectern on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	DJANGO_DEBUG=1 $(BIN)/daphne -b $(HOST) -p $(PORT) $(DAPHNE_OPTIONS) config.asgi:application

# A live preview for writing a course: content reloaded on every change (docs/authoring.md).
# Not after `database`, which would stop at the first problem in the content.
author: system engine $(VENV)/.installed frontend image
	@DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput -v 0
	DJANGO_DEBUG=1 $(BIN)/python manage.py author $(CONTENT) --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/mypy .
	npm run --silent lint

# The front end's own unit tests (tests/js/, node's test runner): a second or so.
test-js: node_modules/.installed
	npm test --silent

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The shipped course's exercises: each reference solution gets full points and
# each starter imports and fails, graded in the real sandbox.
lint-lessons: $(VENV)/.installed image
	DJANGO_DEBUG=1 $(BIN)/python manage.py lint_lessons --run

test: setup lint test-js
	$(BIN)/pytest
	DJANGO_DEBUG=1 $(BIN)/python manage.py lint_lessons --run
	@$(MAKE) --no-print-directory test-scaled

# The project's own PostgreSQL and Redis on loopback (scripts/services.sh; they
# keep running: `scripts/services.sh stop` stops them).
services: system
	@scripts/services.sh start

# The suite once more, scaled out: PostgreSQL, the Redis channel layer and Celery
# dispatch, for the tests that touch the database, the channel layer and
# dispatch, and tests/scale (worker processes, redelivery, two web processes).
# Left out: the course checks (reference_check, lint_lessons_run), sandbox runs
# that store nothing and dispatch nothing.
SCALED_TESTS ?= tests/scale tests/grader tests/api tests/accounts tests/classes tests/teaching \
	tests/test_end_to_end.py \
	tests/test_faults.py tests/lessons/test_content_loader.py tests/learning/test_progress.py \
	--ignore=tests/grader/test_reference_check.py --ignore=tests/grader/test_lint_lessons_run.py
SCALED_ENV = $$(scripts/services.sh urls) GRADER_BACKEND=celery LECTERN_REQUIRE_SERVICES=1

test-scaled: setup services
	env $(SCALED_ENV) $(BIN)/pytest $(SCALED_TESTS)

# The grading latency on one machine, then the throughput with 1, 2 and 4
# Celery worker processes (bench/scaled_out.py).
bench: setup services
	$(BIN)/python -m bench.grading_latency
	$(BIN)/python -m bench.cancel_latency
	$(BIN)/python -m bench.regrade_latency
	$(BIN)/python -m bench.throughput
	env $$(scripts/services.sh urls) $(BIN)/python -m bench.scaled_out

# 300 submissions from 50 learners at once, with a hostile mix (docs/security.md).
load: setup
	$(BIN)/python -m bench.load

clean:
	rm -rf build .mypy_cache .ruff_cache .pytest_cache
