# Two commands on a fresh machine:  make demo   and   make test
# Both create .venv and install lisa (with its test tools) on first use; the
# tests also need Debian's chromium and WeasyPrint's libraries (browser and PDF
# tests), which scripts/install-system-deps.sh installs with apt when missing.
PYTHON ?= python3
VENV   ?= .venv
STAMP  := $(VENV)/.installed

.PHONY: demo test lint install system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	sh scripts/install-system-deps.sh

demo: $(STAMP)
	$(VENV)/bin/lisa demo

lint: $(STAMP)
	$(VENV)/bin/ruff check lisa tests benchmarks
	$(VENV)/bin/mypy lisa

test: lint system-deps
	@$(VENV)/bin/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: treating this as a failure"; fi; \
	exit $$rc

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) lisa-demo test-output
