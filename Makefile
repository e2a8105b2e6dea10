# callbox: `make demo` tries the box on the virtual GSM network, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages: the demo needs these (ALSA for pyalsaaudio, espeak-ng and sox for the
# voice prompts, speexdsp for the echo canceller) ...
DEMO_PACKAGES := libasound2-dev alsa-utils espeak-ng sox libsox-fmt-all libspeexdsp1
# ... it does without these: Chart.js draws the admin dashboard's charts (without it the
# dashboard shows its figures as tables and says the charts are off) ...
DEMO_WANTED := libjs-chart.js
# ... and only the tests these (browser tests, PostgreSQL tests, promtool for /metrics;
# the dashboard's browser test draws its charts).
TEST_PACKAGES := chromium postgresql prometheus libjs-chart.js
DEB_PACKAGES := $(DEMO_PACKAGES) $(DEMO_WANTED) $(TEST_PACKAGES)
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: all setup demo-setup deps test-deps prompts demo test bench clean translations screenshots

all: test

# need PACKAGES, WHAT: installs the missing ones when we are root, else says which are
# missing and how to install them, and fails.
define need
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages $(2) needs:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "$(2) needs Debian packages that are not installed:$$missing"; \
	    echo "  install them as root:  sudo apt-get install$$missing"; \
	    echo "  (or run this make as root, which installs them)"; exit 1; \
	  fi; \
	fi
endef

# want PACKAGES, WHAT: installs the missing ones when we are root, else says what is off
# without them and how to install them, and goes on.
define want
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages for $(2):$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "without Debian packages$$missing, $(2) are off (sudo apt-get install$$missing)"; \
	  fi; \
	fi
endef

# What `make demo` needs; Chromium and PostgreSQL are not among them.
deps:
	$(call need,$(DEMO_PACKAGES),the demo)
	$(call want,$(DEMO_WANTED),the admin dashboard's charts)

# What `make test` and `make bench` need on top (CI runs them as root, which installs
# everything).
test-deps: deps
	$(call need,$(TEST_PACKAGES),the test suite)

# The demo's Python packages; the tests' on top of them (pytest, Playwright...). pip and
# setuptools are upgraded in the venv and callbox is built with them (no build isolation),
# so that a setup after a change installs offline what is there already, and a box without
# network installs from a folder of wheels: PIP_NO_INDEX=1 PIP_FIND_LINKS=DIR (made by
# tools/wheelhouse.py). Changed recipes here install again.
$(DEMO_STAMP): pyproject.toml Makefile
	@$(MAKE) --no-print-directory deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PYTHON) tools/quietly.py $(VENV)/pip.log "installing Python packages into $(VENV)" \
	  sh -c "$(PY) -m pip install --upgrade pip 'setuptools>=77' && \
	         $(PY) -m pip install --no-build-isolation -e ."
	@touch $(DEMO_STAMP)

$(STAMP): $(DEMO_STAMP)
	@$(PYTHON) tools/quietly.py $(VENV)/pip-test.log "installing the tests' Python packages" \
	  $(PY) -m pip install --no-build-isolation -e '.[test]'
	@touch $(STAMP)

demo-setup: $(DEMO_STAMP)

setup: $(STAMP)

# Voice prompts are generated from their texts (espeak-ng, sox); unchanged texts are skipped.
prompts: demo-setup
	@$(PY) -m audio.prompts
	@$(PY) -m audio.phrases

# The web UI's texts (babel.cfg): extract them, bring every language's catalogue up to date
# (new texts arrive untranslated: tests/test_web_i18n.py fails until they are translated),
# compile the catalogues the web UI reads (webui/locale/*/LC_MESSAGES/messages.mo, committed).
# Renews the README's screenshots (docs/screenshots/) from the browser tests; a plain
# `make test` leaves its screenshots in tests/artifacts/screenshots/.
screenshots: test-deps setup prompts
	CALLBOX_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest -q -p no:xdist \
	  tests/test_web_look.py tests/test_web_phones.py tests/test_web_browser.py \
	  tests/test_web_browser_dashboard.py

# --no-wrap: one line per text, so an added text changes only its own lines in the catalogues
translations: setup
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output --project callbox \
	  --no-wrap -o webui/locale/messages.pot .
	$(VENV)/bin/pybabel update -i webui/locale/messages.pot -d webui/locale --no-fuzzy-matching \
	  --ignore-obsolete --no-wrap
	$(VENV)/bin/pybabel compile -d webui/locale --statistics

# make demo DEMO_LISTEN=127.0.0.1:8081 DEMO_ARGS=--no-scene: another port, no scripted scene
DEMO_LISTEN ?= 127.0.0.1:8080
DEMO_ARGS ?=
demo: demo-setup prompts
	@$(VENV)/bin/callbox demo --listen $(DEMO_LISTEN) $(DEMO_ARGS)

# Imports point one way (contracts in pyproject.toml): a wrong import fails before any test runs.
# Three workers on two cores: most tests wait on real-time audio or subprocesses (the suite
# keeps 1.3 cores busy on average); the end-to-end voice tests share one worker (conftest.py).
test: test-deps setup prompts
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n 3 --dist loadgroup -q

bench: test-deps setup prompts
	$(PY) bench/modems.py
	$(PY) bench/memory.py
	$(PY) bench/audio.py
	$(PY) bench/audio.py --calls 4 --echo-cancel both
	$(PY) bench/echo.py
	$(PY) bench/dtmf.py
	$(PY) bench/callback.py
	$(PY) bench/sms.py
	$(PY) bench/db.py
	$(PY) bench/web.py
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
