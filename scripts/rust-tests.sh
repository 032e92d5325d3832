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
target=${CARGO_TARGET_DIR:-$root/target}
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
  if (cd "$dir" && "$exe" </dev/null); then
    rm -f "$stamps/$name".*
    touch "$stamps/$name.$key"
  else
    failed+=("$name")
  fi
done 3<"$list"

echo "── test binaries: $ran run, $skipped unchanged since they passed"
if ((${#failed[@]})); then
  echo "── FAILED: ${failed[*]}"
  exit 1
fi
