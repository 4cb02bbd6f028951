# The two commands: `make run` (the product on the embedded default) and `make test` (the suite on PostgreSQL + Redis).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/govcredit
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test check lint format venv messages bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

STUB_PORT ?= 8765
STUB_SECRET ?= dev-platform-secret

# The embedded default: SQLite under var/, background jobs in-process, demo data, the platform stub on $(STUB_PORT)
# (delivery runs in a thread of the site's process), the site on $(HOST):$(PORT). Ctrl-C stops both.
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_city
	mkdir -p var
	$(PY) -m platform_stub --host 127.0.0.1 --port $(STUB_PORT) --db var/platform_stub.sqlite3 \
		--secret $(STUB_SECRET) --quiet & stub=$$!; trap "kill $$stub 2>/dev/null" EXIT INT TERM; \
	PLATFORM_URL="$${PLATFORM_URL:-http://127.0.0.1:$(STUB_PORT)}" PLATFORM_SECRET="$${PLATFORM_SECRET:-$(STUB_SECRET)}" \
		$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite against real PostgreSQL and Redis (DATABASE_URL / REDIS_URL override the local defaults).
# `make test TODAY=2030-02-01` runs it as if that were today (the clock moved for the whole run).
test: venv
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
		TEST_TODAY="$(TODAY)" DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(PYTEST_ARGS)

# Static checks CI runs beside the suite (mypy: pyproject [tool.mypy]).
check: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_ENV=production SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		PERSONAL_DATA_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
		DATABASE_URL="$(TEST_DATABASE_URL)" ALLOWED_HOSTS=credit.example.gov.cn \
		$(PY) manage.py check --deploy --fail-level WARNING

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Regenerate the Chinese catalogue after changing user-facing strings; translate, then commit the .po and .mo.
messages: venv
	$(PY) manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'static/vendor/*' --no-obsolete --add-location file
	$(PY) manage.py makemessages --locale zh_Hans --domain djangojs --ignore '.venv/*' --ignore 'static/vendor/*' --no-obsolete --add-location file
	$(PY) manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

clean:
	rm -rf var/db.sqlite3 var/staticfiles
