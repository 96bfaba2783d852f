# Two commands on a fresh machine:  make demo   and   make test
# Both create .venv and install lisa (with its test tools) on first use.
PYTHON ?= python3
VENV   ?= .venv
STAMP  := $(VENV)/.installed

.PHONY: demo test lint install bench clean

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	sh scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/lisa demo

lint: $(STAMP)
	$(VENV)/bin/ruff check lisa tests benchmarks
	$(VENV)/bin/mypy lisa

test: lint
	@$(VENV)/bin/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: treating this as a failure"; fi; \
	exit $$rc

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) lisa-demo test-output
