# Utväg — the two commands: `make run` and `make test`. Both install what is missing first
# (idempotently: quick when everything is already there) and download nothing at build time
# except from the package registries.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
WASM_BINDGEN_VERSION := 0.2.130
PROFILE ?= debug
SITE_ROOT := target/site
PKG := $(SITE_ROOT)/pkg
WASM_TARGET := wasm32-unknown-unknown
E2E_PORT ?= 3917

ifeq ($(PROFILE),release)
  CARGO_PROFILE_FLAG := --release
  WASM_PROFILE_FLAG := --profile wasm-release
  WASM_OUT := target/$(WASM_TARGET)/wasm-release/app.wasm
  # The function-name section is more than half of an optimised build; the browser needs none.
  BINDGEN_FLAGS := --remove-name-section
else
  CARGO_PROFILE_FLAG :=
  WASM_PROFILE_FLAG :=
  WASM_OUT := target/$(WASM_TARGET)/debug/app.wasm
  BINDGEN_FLAGS :=
endif

.PHONY: run test tools browser npm site server fmt lint rust-test e2e bench clean-data

## run: build everything and serve http://127.0.0.1:3000 with the embedded database and demo data
run: tools site server
	UTVAG_DEMO=$${UTVAG_DEMO:-true} ./target/$(PROFILE)/utvag serve

## test: formatting, lints (server and wasm), Rust tests, the site build and the browser tests
test: tools browser npm
	$(CARGO) fmt --all --check
	$(CARGO) clippy -p app -p server --all-targets --features app/ssr,server/bench -- -D warnings
	$(CARGO) clippy -p app --lib --target $(WASM_TARGET) --no-default-features --features hydrate -- -D warnings
	$(CARGO) test -p app --features ssr
	# Also builds target/debug/utvag (with the test feature set, so nothing is compiled twice);
	# the browser tests run against that binary.
	$(CARGO) test -p server
	$(MAKE) site
	$(MAKE) e2e

tools:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@if ! wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Chromium from Debian"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

npm:
	@if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then \
	  cd end2end && npm ci --no-audit --no-fund; fi

## site: the hydrate wasm, its JS glue and the stylesheet in target/site/pkg
site: tools
	$(CARGO) build -p app --lib --target $(WASM_TARGET) --no-default-features --features hydrate $(WASM_PROFILE_FLAG)
	mkdir -p $(PKG)
	wasm-bindgen --target web --no-typescript $(BINDGEN_FLAGS) --out-dir $(PKG) --out-name utvag $(WASM_OUT)
	cp style/utvag.css $(PKG)/utvag.css

server:
	$(CARGO) build -p server $(CARGO_PROFILE_FLAG)

e2e: npm browser
	cd end2end && E2E_PORT=$(E2E_PORT) UTVAG_BIN=../target/$(PROFILE)/utvag npx playwright test

## bench: the benchmarks quoted in the issue notes (optimised build; see README)
bench:
	$(CARGO) bench -p app --features ssr,bench --bench crypto
	$(CARGO) bench -p server --features bench --bench load

clean-data:
	rm -rf data
