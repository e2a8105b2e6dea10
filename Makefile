# callbox: `make demo` tries the box on the virtual GSM network, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEB_PACKAGES := libasound2-dev alsa-utils espeak-ng sox libsox-fmt-all chromium postgresql prometheus libspeexdsp1
STAMP := $(VENV)/.installed

.PHONY: all setup deps prompts demo test bench clean

all: test

# Debian packages are installed only when we are root and one is missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing (run as root: apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	$(MAKE) deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Voice prompts are generated from their texts (espeak-ng, sox); unchanged texts are skipped.
prompts: setup
	$(PY) -m audio.prompts

# make demo DEMO_LISTEN=127.0.0.1:8081 DEMO_ARGS=--no-scene: another port, no scripted scene
DEMO_LISTEN ?= 127.0.0.1:8080
DEMO_ARGS ?=
demo: setup prompts
	$(VENV)/bin/callbox demo --listen $(DEMO_LISTEN) $(DEMO_ARGS)

# Imports point one way (contracts in pyproject.toml): a wrong import fails before any test runs.
test: setup prompts
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n 2 --dist loadgroup -q

bench: setup prompts
	$(PY) bench/modems.py
	$(PY) bench/memory.py
	$(PY) bench/audio.py
	$(PY) bench/echo.py
	$(PY) bench/dtmf.py
	$(PY) bench/callback.py
	$(PY) bench/sms.py
	$(PY) bench/db.py
	$(PY) bench/web.py
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
