# launchwatch — `make demo` runs the demo, `make test` runs the tests; both set up what is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := prometheus prometheus-alertmanager victoria-metrics docker-compose
TOOLS := prometheus promtool prometheus-alertmanager amtool victoria-metrics vmagent vmalert docker-compose

.PHONY: demo test lint bench bench-deps soak docs system-deps clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $@

# Debian packages the tests use (real Prometheus, Alertmanager, promtool, amtool, VictoriaMetrics with vmagent and
# vmalert, docker-compose).
system-deps:
	@missing=""; for t in $(TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES); \
	fi

demo: $(STAMP) system-deps
	$(BIN)/launchwatch demo --plan whatsapp-quiz --history 7d

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) system-deps lint
	$(BIN)/pytest

# Debian packages `make bench` measures issue 18's figures with (section 7): wrk, the scrapers, and nginx, the
# upstream. Where they cannot be installed section 7 says so and falls back to Python scrapers and upstream.
bench-deps:
	@missing=""; command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  { $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; } || \
	  echo "could not install$$missing: section 7 of make bench will use Python scrapers and upstream"; \
	fi

bench: $(STAMP) bench-deps
	$(BIN)/python bench/bench.py

# ~10 minutes (SOAK_SECONDS to change it) of ~200 sources under random faults, scraped every second.
soak: $(STAMP)
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

docs: $(STAMP)
	$(BIN)/launchwatch docs --out docs
