# privascope — `make demo` and `make test` do all set-up themselves (venv, pip pins, apt
# packages, the Frida agent's npm packages). Other targets: bench, fuzz, agent, samples, clean.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# command-or-file:debian-package pairs the tools need (the CJK font lets headless Chromium
# render the Chinese report text instead of boxes; mksh and toybox are the device double's
# Android userland and Debian's adb a second client of it, tests/device_double)
APT_NEEDS := apktool:apktool apksigner:apksigner zipalign:zipalign aapt:aapt \
  /usr/share/android-framework-res/framework-res.apk:android-framework-res \
  /usr/lib/jvm/java-17-openjdk-amd64/bin/javac:openjdk-17-jdk-headless \
  node:nodejs npm:npm chromium:chromium hyperfine:hyperfine \
  /usr/share/fonts/truetype/wqy/wqy-microhei.ttc:fonts-wqy-microhei \
  mksh:mksh toybox:toybox adb:adb gcc:gcc
OUT ?= out

.PHONY: all setup apt venv agent launcher samples test demo bench fuzz clean

all: setup

setup: apt venv agent launcher samples

apt:
	@missing=""; for pair in $(APT_NEEDS); do what=$${pair%%:*}; pkg=$${pair##*:}; \
	  if [[ $$what == /* ]]; then [ -e "$$what" ] || [ -e "$${what/amd64/$$(dpkg --print-architecture 2>/dev/null)}" ] || missing="$$missing $$pkg"; \
	  else command -v "$$what" >/dev/null || missing="$$missing $$pkg"; fi; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "privascope needs Python >= 3.11"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

agent: venv
	$(MAKE) -C hooks/frida PY=$(abspath $(PY))

# The class that holds a traced Java program until the agent's hooks are in (hooks/jvm_launcher);
# runs also build it on demand when it is missing or stale.
launcher: apt venv
	$(PY) -m privascope.runtime.jvm_launcher

samples: apt venv
	$(PY) -m samples.build
	$(PY) -m samples.jvm_host.build

# ruff, then mypy on the package as it is imported: `privascope` is a package-dir mapping that
# mypy cannot follow through the editable install's import hook, so it reads a tree of symlinks
# (build/typecheck/privascope -> analyzer/*, hooks/, reports/) made anew each time.
TYPECHECK := build/typecheck
lint: venv
	$(VENV)/bin/ruff check --quiet .
	rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/privascope
	for f in analyzer/*; do ln -s "$(CURDIR)/$$f" $(TYPECHECK)/privascope/; done
	ln -s "$(CURDIR)/hooks" $(TYPECHECK)/privascope/hooks
	ln -s "$(CURDIR)/reports" $(TYPECHECK)/privascope/reports
	cd $(TYPECHECK) && MYPYPATH=. $(abspath $(VENV))/bin/mypy -p privascope \
	  --config-file $(CURDIR)/pyproject.toml --cache-dir $(CURDIR)/build/mypy-cache

test: setup lint
	$(PY) -m pytest -q

demo: setup
	$(PY) -m privascope.demo --out $(OUT)/demo

bench: setup
	$(PY) -m bench.run --out $(OUT)/bench

fuzz: setup
	$(VENV)/bin/pip install -q -e '.[fuzz]'
	$(PY) -m tests.fuzz.run --seconds $${FUZZ_SECONDS:-60}

clean:
	rm -rf $(OUT) samples/build hooks/frida/node_modules hooks/jvm_launcher/build .pytest_cache
