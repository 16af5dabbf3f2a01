VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py

.PHONY: run test lint install messages bench bench-email loadtest

# Re-installs only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) prepare_demo
	$(MANAGE) runserver 127.0.0.1:8000

test: install
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: install
	$(MANAGE) makemessages -l ja -l en --ignore '.venv/*'
	$(MANAGE) compilemessages --ignore '.venv/*'

# A benchmark, not a test: generates a 10-year archive in a scratch database, serves it with
# gunicorn and measures it with wrk. See docs/performance.md.
bench: install
	$(PYTHON) bench/run.py

# A benchmark, not a test: the email edition to 10,000 subscribers against a local SMTP sink,
# compared with the same run's ceiling (plain smtplib). See docs/performance.md.
bench-email: install
	$(PYTHON) bench/email_edition.py

# Mixed traffic for 60 s, then PostgreSQL stopped and started under traffic. PASS/FAIL per check.
loadtest: install
	$(PYTHON) bench/loadtest.py
