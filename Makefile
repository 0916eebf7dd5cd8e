# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 2
SIZES  ?= 10000 100000
CHROMIUM ?= /usr/bin/chromium
NPM    ?= npm

.PHONY: run setup venv test test-fast browser-deps nginx-deps nginx-conf node-deps lint format bench bench-pages soak serve backup restore fixture clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

## Migrate, import the sources, extract keywords and build the search index (idempotent).
setup: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_sources
	$(PY) manage.py extract_keywords
	$(PY) manage.py build_search_index

## Development server on $(HOST):$(PORT) with everything imported and indexed.
run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

## Debian's chromium for the Playwright browser tests (never downloads a browser build), and a CJK font
## so the phone-width screenshots in test-artifacts/ show Chinese text.
browser-deps:
	@{ test -x $(CHROMIUM) && dpkg -s fonts-wqy-microhei >/dev/null 2>&1; } || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

## Debian's nginx: the reverse proxy production runs in front of gunicorn (deploy/nginx.conf), and that
## tests/test_front_door.py starts.
nginx-deps:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

## Test-only JavaScript (axe-core, pinned in package-lock.json) for the accessibility checks. `npm ci` runs only
## when node_modules is missing or older than the lock file; npm itself comes from Debian if it is missing.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v $(NPM) >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

node-deps: node_modules/.package-lock.json

## The whole suite. DATABASE_URL=postgres://… runs it on PostgreSQL.
test: venv browser-deps nginx-deps node-deps
	$(PY) -m pytest -q

test-fast: venv
	$(PY) -m pytest -q -m "not browser"

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## Production-style server: gunicorn + whitenoise, settings from the environment.  gunicorn's sync workers
## expect nginx in front (deploy/nginx.conf, `make nginx-conf`): it buffers slow and oversized requests.
serve: venv
	DJANGO_SETTINGS_MODULE=portal.settings.prod $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=portal.settings.prod $(VENV)/bin/gunicorn portal.wsgi -c portal/gunicorn.conf.py \
		--bind $(HOST):$(PORT) --workers $(WORKERS)

## deploy/nginx.conf filled in for this machine: var/nginx.conf, run as `nginx -p var -c nginx.conf`.
NGINX_LISTEN ?= 80
nginx-conf: venv
	$(PY) -m portal.frontdoor --listen $(NGINX_LISTEN) --upstream $(HOST):$(PORT) \
		--static-root $${STATIC_ROOT:-var/staticfiles} -o var/nginx.conf

## Data safety: knowledge base + staff accounts to var/backups/<timestamp>.json; restore replaces everything
## with a backup's contents in one transaction, then rebuilds the search index. (PostgreSQL: see README.md.)
backup: venv
	$(PY) manage.py backup_data

restore: venv
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<timestamp>.json"; exit 2; }
	$(PY) manage.py restore_data "$(BACKUP)" --no-input

## Regenerate the committed loaddata fixture fixtures/knowledge_base.json from a fresh import of the
## sources (in a throw-away state dir, so staff edits in var/ never leak into it).
fixture: venv
	@tmp=$$(mktemp -d) && export PORTAL_VAR_DIR=$$tmp && \
	$(PY) manage.py migrate --noinput -v0 && $(PY) manage.py import_sources -v0 && \
	$(PY) manage.py extract_keywords -v0 && $(PY) manage.py export_fixture; \
	status=$$?; rm -rf $$tmp; exit $$status

## Benchmarks print figures; they are not tests. `make bench SIZES=10000` runs one size.
bench: venv
	$(PY) bench/run.py --sizes $(SIZES)

## Phone performance budget: page weight (gzip) and first contentful paint on a throttled phone; prints figures.
bench-pages: venv browser-deps
	$(PY) bench/pages.py

## Load over HTTP (bench/load.py), figures only: SOAK_QUERIES unique searches (throughput and worker RSS,
## first vs last), then search p95 with and without a 4-client login spray, direct and through nginx if installed.
SOAK_SIZE ?= 10000
SOAK_QUERIES ?= 50000
SPRAY_SECONDS ?= 20
soak: venv
	$(PY) bench/run.py --sizes $(SOAK_SIZE) --load-only --soak-queries $(SOAK_QUERIES) --spray-seconds $(SPRAY_SECONDS)

clean:
	rm -rf var/whoosh_index var/db.sqlite3 test-artifacts bench-results
