# Utväg — the two commands: `make run` and `make test`. Both install what is missing first
# (idempotently: quick when everything is already there) and download nothing at build time
# except from the package registries.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
WASM_BINDGEN_VERSION := 0.2.130
PROFILE ?= debug
# Where cargo puts what it builds: `target/` here, or a shared build directory elsewhere
# (`CARGO_TARGET_DIR`, or `build.target-dir` in a cargo config), as cargo itself reports it.
# The site and the browser tests' files stay under this checkout's `target/`.
CARGO_OUT ?= $(shell $(CARGO) metadata --format-version 1 --no-deps 2>/dev/null | sed -nE 's/.*"target_directory":"([^"]*)".*/\1/p')
ifeq ($(CARGO_OUT),)
  CARGO_OUT := $(CURDIR)/target
endif
export CARGO_OUT
SITE_ROOT := target/site
PKG := $(SITE_ROOT)/pkg
# The main module as split off the browser build, before wasm-bindgen finishes it.
SPLIT_MAIN := target/site-split/utvag_split.wasm
WASM_TARGET := wasm32-unknown-unknown
E2E_PORT ?= 3917

ifeq ($(PROFILE),release)
  CARGO_PROFILE_FLAG := --release
  WASM_PROFILE_FLAG := --profile wasm-release
  WASM_OUT := $(CARGO_OUT)/$(WASM_TARGET)/wasm-release/app.wasm
  # The function-name section is more than half of an optimised build; the browser needs none.
  BINDGEN_FLAGS := --remove-name-section
  BROTLI_QUALITY := 11
else
  CARGO_PROFILE_FLAG :=
  WASM_PROFILE_FLAG :=
  WASM_OUT := $(CARGO_OUT)/$(WASM_TARGET)/debug/app.wasm
  BINDGEN_FLAGS :=
  # The debug wasm is large and rebuilt often: a quick brotli level.
  BROTLI_QUALITY := 5
endif

# Every Rust build of make test lints the workspace's own crates while it compiles them: clippy's
# driver wraps rustc for workspace members only, so dependencies are compiled once (a full build)
# and shared by the lint, the tests and the site, instead of once more in check mode.
CLIPPY_DRIVER := $(shell rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
# Cargo runs its own number of jobs (one per core), not make's jobserver's.
LINTED := MAKEFLAGS= MFLAGS= CARGO_MAKEFLAGS= RUSTC_WORKSPACE_WRAPPER=$(CLIPPY_DRIVER) CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# One feature set for every native build of the workspace, so no dependency is built twice.
FEATURES := --workspace --features server/bench

# Runs a step and prints how long it took: `$(call timed,name,command)`.
define timed
	@t0=$$(date +%s); echo "── $(1)"; $(2); echo "── $(1): $$(( $$(date +%s) - t0 )) s"
endef

.PHONY: run test tools browser npm site server fmt lint lint-wasm native-tests native-tests-background deps-check e2e bench clean-data

## run: build everything and serve http://127.0.0.1:3000 with the embedded database and demo data
run: tools site server
	UTVAG_DEMO=$${UTVAG_DEMO:-true} $(CARGO_OUT)/$(PROFILE)/utvag serve

## test: formatting, lints (server and wasm), Rust tests, the site build and the browser tests,
## each step timed. The Rust tests run beside the browser tests: the browser tests keep about
## half a core busy (they mostly wait on the browser and on second-factor time steps), the Rust
## tests use the rest at a lower priority, so the browser tests' timing stays as when they run
## alone. Each step's output is printed when it ends. (The native and the browser build side by
## side were measured too, and were slower than one after the other: docs/architecture.md.)
test: tools browser npm
	@t0=$$(date +%s); \
	$(MAKE) --no-print-directory fmt lint deps-check site; \
	$(MAKE) --no-print-directory -j2 --output-sync=target native-tests-background e2e; \
	echo "── make test: $$(( $$(date +%s) - t0 )) s"

fmt:
	$(call timed,fmt,$(CARGO) fmt --all --check)

## lint: builds every native target (libraries, binary, tests, benchmarks) with clippy -D warnings.
## `--tests --benches` rather than `--all-targets`: the latter also builds `app` and the `utvag`
## binary as test harnesses, which hold no tests (`test = false` in their manifests).
lint:
	$(call timed,lint and build (native),$(LINTED) $(CARGO) test $(FEATURES) --tests --benches --no-run)

## lint-wasm: the browser build of app with clippy -D warnings (also the site's wasm)
lint-wasm: tools
	$(call timed,lint and build (wasm),$(LINTED) $(CARGO) build -p app --lib --target $(WASM_TARGET) --no-default-features --features hydrate $(WASM_PROFILE_FLAG))

## deps-check: the browser build holds no database or crypto core; the core holds no Leptos
deps-check:
	@browser=$$($(CARGO) tree -p app --target $(WASM_TARGET) --no-default-features --features hydrate -e normal --prefix none); \
	core=$$($(CARGO) tree -p utvag-core -e normal --prefix none); \
	if grep -E '^(utvag-core|surrealdb|surrealdb-core|ring|zeroize) ' <<<"$$browser"; then \
	  echo "deps-check: the browser build of app must not link the core, the database or crypto"; exit 1; fi; \
	if grep -E '^(leptos|leptos_[a-z]+|server_fn|app) ' <<<"$$core"; then \
	  echo "deps-check: utvag-core must not depend on Leptos or on app"; exit 1; fi; \
	echo "── dependency boundaries hold: the browser build has no core, database or crypto; the core has no Leptos"

## native-tests: the Rust tests of all crates (also builds target/debug/utvag for the browser tests)
native-tests:
	$(call timed,rust tests,$(LINTED) CARGO=$(CARGO) ./scripts/rust-tests.sh $(FEATURES))

# The same, at a lower CPU priority, beside the browser tests in `make test`.
native-tests-background:
	$(call timed,rust tests,$(LINTED) CARGO=$(CARGO) nice -n 10 ./scripts/rust-tests.sh $(FEATURES))

tools:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@command -v node >/dev/null || { \
	  echo "installing Node.js from Debian (the site's files are compressed with it at build time)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	@if ! wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

## browser: Chromium for the browser tests, and openssl for the wss:// test's certificates
browser:
	@{ command -v chromium && command -v openssl; } >/dev/null || { \
	  echo "installing Chromium and openssl from Debian"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium openssl >/dev/null; }

npm:
	@if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then \
	  cd end2end && npm ci --no-audit --no-fund; fi

## site: the hydrate wasm, its JS glue and the stylesheet in target/site/pkg, each with brotli and
## gzip copies. The wasm is first split at the lazy pages (`site-split`, app/split): the first
## download holds the shell and the sign-in pages, and the pages behind sign-in come as chunks
## when they are opened. Release builds are shrunk with wasm-opt -Oz (Binaryen from npm, pinned in
## scripts/package.json), the main module and every chunk.
site: lint-wasm
	$(LINTED) $(CARGO) build -p site-split
	rm -rf $(PKG) && mkdir -p $(PKG)
	$(CARGO_OUT)/debug/site-split $(WASM_OUT) $(PKG) $(SPLIT_MAIN)
	wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle $(BINDGEN_FLAGS) --out-dir $(PKG) --out-name utvag $(SPLIT_MAIN)
ifeq ($(PROFILE),release)
	@if [ ! -x scripts/node_modules/.bin/wasm-opt ] || [ scripts/package-lock.json -nt scripts/node_modules/.package-lock.json ]; then \
	  cd scripts && npm ci --no-audit --no-fund; fi
	for f in $(PKG)/*.wasm; do \
	  scripts/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$$f" -o "$$f"; \
	done
endif
	cp style/utvag.css $(PKG)/utvag.css
	node scripts/precompress.mjs $(PKG) $(BROTLI_QUALITY)

## server: the utvag binary. Built together with the tests' SurrealDB server (server/surreal),
## whose dependencies turn on more features of shared crates (tokio, tower-http, reqwest):
## built alone, the server would get another feature set and recompile the tree make test built.
server:
	$(LINTED) $(CARGO) build -p server -p surreal-for-tests $(CARGO_PROFILE_FLAG)

e2e: npm browser
	$(call timed,browser tests,cd end2end && E2E_PORT=$(E2E_PORT) UTVAG_BIN=$(CARGO_OUT)/$(PROFILE)/utvag npx playwright test)

## bench: the benchmarks quoted in the issue notes (optimised build; see README)
## (part 7 starts `utvag serve` and SurrealDB's server, built here in the same profile).
bench:
	$(CARGO) bench -p utvag-core --bench crypto
	$(CARGO) build --profile bench -p server -p surreal-for-tests --features server/bench
	$(CARGO) bench -p server -p surreal-for-tests --features server/bench --bench load

clean-data:
	rm -rf data
