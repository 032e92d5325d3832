#!/usr/bin/env bash
# Runs the workspace's Rust test binaries, skipping any whose exact inputs already passed.
#
# Usage: scripts/rust-tests.sh <cargo test arguments…>   (from the Makefile: `make native-tests`)
#
# Cargo builds every test binary first (`cargo test --no-run`). A binary's result is remembered
# under target/test-passed/ by a key over everything the run can depend on: the binary itself,
# the files of its package (test data read at run time), and for the server's tests the `utvag`
# binary they start. An unchanged key means the same code on the same inputs: the binary is not
# run again. So after a one-line change to a page only the tests that link the pages run; the
# core's and domain's tests, whose binaries did not change, are reported as passed before.
#
# UTVAG_TESTS_FRESH=1 runs everything. A fresh clone (CI) has no remembered results.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# The Makefile passes the directory cargo reports (CARGO_OUT); run alone, cargo's own default.
target=${CARGO_OUT:-${CARGO_TARGET_DIR:-$root/target}}
stamps=$target/test-passed
mkdir -p "$stamps"
list=$(mktemp)
trap 'rm -f "$list"' EXIT

# Each test executable with its package's manifest, from cargo's JSON messages (no jq needed:
# the two fields are plain strings).
"${CARGO:-cargo}" test "$@" --no-run --message-format=json-render-diagnostics \
  | grep '"reason":"compiler-artifact"' | grep -E '"profile":\{[^}]*"test":true' \
  | grep -v '"executable":null' \
  | sed -E 's/.*"manifest_path":"([^"]*)".*"executable":"([^"]*)".*/\1 \2/' >"$list"

# The binary the server's black-box tests start (CARGO_BIN_EXE_utvag).
utvag_sum=$(sha256sum "$target/debug/utvag" 2>/dev/null | cut -c1-64 || echo none)

package_sum() {
  # Tracked and untracked (not ignored) files of the package, in a stable order.
  (cd "$1" && { git ls-files -co --exclude-standard -z . 2>/dev/null || find . -type f -print0; } \
    | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-64
}

ran=0 skipped=0 failed=()
# A test binary that hangs fails here (and names itself) instead of holding up the run.
per_binary=${UTVAG_TEST_BINARY_TIMEOUT:-1200}
while read -r manifest exe <&3; do
  dir=$(dirname "$manifest")
  name=$(basename "$exe")
  key=$( {
    sha256sum "$exe" | cut -c1-64
    package_sum "$dir"
    if [[ $dir == "$root/server" ]]; then echo "$utvag_sum"; fi
  } | sha256sum | cut -c1-64)
  if [[ -z ${UTVAG_TESTS_FRESH:-} && -e $stamps/$name.$key ]]; then
    echo "── $name ($(basename "$dir")): unchanged since it passed, not run again"
    skipped=$((skipped + 1))
    continue
  fi
  echo "── $name ($(basename "$dir"))"
  ran=$((ran + 1))
  # Cargo runs a test binary in its package's folder; so does this.
  # No stdin: a test (or a process it starts) must not read the list this loop reads.
  t0=$(date +%s)
  if (cd "$dir" && timeout "$per_binary" "$exe" </dev/null); then
    rm -f "$stamps/$name".[0-9a-f]*
    touch "$stamps/$name.$key"
  else
    failed+=("$name")
  fi
  echo "── $name ($(basename "$dir")): $(($(date +%s) - t0)) s"
done 3<"$list"

# The core's and the server's suites once more, against SurrealDB's own server over ws:// (built
# from the surrealdb-server crate at the SDK's version: server/surreal), every test on a
# database of its own (`DbSettings::for_tests`). The server runs in memory on a loopback port for
# this pass only.
surreal=$target/debug/surreal
over_ws=()
while read -r manifest exe <&3; do
  dir=$(dirname "$manifest")
  if [[ $dir == "$root/core" || $dir == "$root/server" ]]; then over_ws+=("$dir $exe"); fi
done 3<"$list"
if ((${#over_ws[@]})); then
  [[ -x $surreal ]] || { echo "── $surreal is missing (built with the tests: server/surreal)"; exit 1; }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  log=$(mktemp)
  "$surreal" start --bind "127.0.0.1:$port" --user root --pass root --log warn \
    --query-timeout 60s memory >"$log" 2>&1 </dev/null &
  server=$!
  trap 'kill "$server" 2>/dev/null; rm -f "$list" "$log"' EXIT
  for _ in $(seq 1 300); do
    if (exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "── SurrealDB server on ws://127.0.0.1:$port (pid $server)"
  for entry in "${over_ws[@]}"; do
    dir=${entry%% *} exe=${entry#* }
    name=$(basename "$exe")
    key=$( {
      echo ws
      sha256sum "$exe" "$surreal" | cut -c1-64
      package_sum "$dir"
      if [[ $dir == "$root/server" ]]; then echo "$utvag_sum"; fi
    } | sha256sum | cut -c1-64)
    if [[ -z ${UTVAG_TESTS_FRESH:-} && -e $stamps/$name.ws.$key ]]; then
      echo "── $name ($(basename "$dir")) over ws://: unchanged since it passed, not run again"
      skipped=$((skipped + 1))
      continue
    fi
    echo "── $name ($(basename "$dir")) over ws://"
    ran=$((ran + 1))
    t0=$(date +%s)
    if (cd "$dir" && UTVAG_TEST_DB="ws://127.0.0.1:$port" timeout "$per_binary" "$exe" </dev/null); then
      rm -f "$stamps/$name".ws.*
      touch "$stamps/$name.ws.$key"
    else
      failed+=("$name over ws://")
      echo "── the server's log:"; tail -20 "$log"
    fi
    echo "── $name ($(basename "$dir")) over ws://: $(($(date +%s) - t0)) s"
  done
  kill "$server" 2>/dev/null || true
fi

echo "── test binaries: $ran run, $skipped unchanged since they passed"
if ((${#failed[@]})); then
  echo "── FAILED: ${failed[*]}"
  exit 1
fi
