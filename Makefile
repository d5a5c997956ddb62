# shopchat: `make run` serves the back office and API with background jobs; `make test` runs
# the whole suite; `make lint` runs ruff and mypy. They set up the virtualenv from the pinned
# requirements first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The packages mypy checks (configured in pyproject.toml): every one, named so none drops out unseen.
MYPY_PACKAGES := shopchat catalog orders payments support chat web bench

# Translations: the .po catalogs in locale/ are committed; the .mo files are built from them here
# (Babel's pure-Python compiler, so a fresh machine needs no GNU gettext). `make messages`
# extracts the marked strings and updates the catalogs (that needs GNU gettext's xgettext/msgmerge).
LANGUAGES := de it es pt_BR hi

.PHONY: run test test-browser lint worker bench venv dev-deps migrate clean messages compile-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
	@$(BIN)/python manage.py compile_translations

compile-messages: venv

messages: venv
	$(BIN)/python manage.py makemessages $(foreach l,$(LANGUAGES),-l $(l)) --add-location=file --no-obsolete \
	  --ignore='tests/*' --ignore='bench/*' --ignore='var/*' --ignore='scripts/*' --ignore='staticfiles/*'
	$(MAKE) compile-messages

dev-deps: $(VENV)/.dev
	@$(BIN)/python manage.py compile_translations

migrate: venv
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py seed_demo
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) bash scripts/serve

worker: venv
	$(BIN)/celery -A shopchat worker -B -Q default,payments,notifications --loglevel=INFO

test: dev-deps
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$status

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/mypy $(MYPY_PACKAGES)

test-browser: dev-deps
	$(BIN)/pytest -m browser tests/browser $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no browser tests: failing"; exit 1; fi; exit $$status

# The django-oscar peer of the gateway bench runs from a virtualenv of its own (its own Django).
OSCAR_VENV := var/bench-oscar-venv

$(OSCAR_VENV)/.installed: requirements-bench.txt
	$(PYTHON) -m venv $(OSCAR_VENV)
	$(OSCAR_VENV)/bin/pip install -q -r requirements-bench.txt
	touch $@

bench: dev-deps $(OSCAR_VENV)/.installed
	$(BIN)/python -m bench.run

clean:
	rm -rf var/broker var/celerybeat-schedule*
