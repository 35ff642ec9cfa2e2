#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs every test through CTest,
# twice: on the Release build, and on a second build with AddressSanitizer and
# UndefinedBehaviorSanitizer (both engines: the interpreter, and the JIT's host side, runtime
# helpers and the code that calls into the compiled functions).
# Between the two, a short fuzz run of the front end and the CSV reader (tools/run-fuzz.sh).
# When node and npm are installed, the VS Code extension's grammar tests run and its .vsix is
# built (skipped with a message otherwise).
# POLC_SANITIZE=0 skips the sanitizer pass (quicker local runs), FUZZ_SECONDS=0 the fuzz run;
# extra arguments go to ctest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Test-only packages: a PostgreSQL 15 server for tests/pg/pg_test.sh, Dask for tools/dask_run.py
# (those tests skip with a message where these are absent).
test_pkgs=(postgresql-15 python3-dask python3-distributed)
test_missing=()
for p in "${test_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || test_missing+=("$p")
done
if [ ${#test_missing[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
  echo "run-tests: installing ${test_missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${test_missing[@]}" >/dev/null
fi
"$here/tools/setup.sh"
# The HTML report's browser test (tests/unit/html_browser_test.cpp) opens it in headless
# Chromium, with a CJK font for its Chinese labels; without them that test skips and says so.
browser_missing=()
for p in chromium fonts-wqy-microhei; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || browser_missing+=("$p")
done
if [ ${#browser_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "run-tests: installing ${browser_missing[*]} for the HTML report's browser test" >&2
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${browser_missing[@]}" >/dev/null; } ||
      echo "run-tests: could not install ${browser_missing[*]}: the browser test will skip" >&2
  else
    echo "run-tests: ${browser_missing[*]} missing (run as root to install): the browser test will skip" >&2
  fi
fi
build="${POLC_BUILD_DIR:-$here/build}"
ctest --test-dir "$build" --output-on-failure -j2 "$@"
# The VS Code extension (editors/vscode/): its grammar tests and its .vsix, when node and npm
# are installed (the pinned packages come from the npm registry through package-lock.json).
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  echo "run-tests: the VS Code extension (editors/vscode/): npm ci, grammar tests, .vsix"
  (cd "$here/editors/vscode" && npm ci --no-audit --no-fund --loglevel=error && npm test && npm run package)
else
  echo "run-tests: SKIPPED the VS Code extension (editors/vscode/): node and npm are not installed"
fi
# The libFuzzer harnesses of tests/fuzz/, 60 s each (clang-19, installed when missing; a found
# crash fails, a slow input does not). FUZZ_SECONDS=0 skips them.
"$here/tools/run-fuzz.sh"
if [ "${POLC_SANITIZE:-1}" != 0 ]; then
  sanitize="${POLC_SANITIZE_BUILD_DIR:-$here/build-sanitize}"
  echo "run-tests: the suite again under AddressSanitizer and UndefinedBehaviorSanitizer ($sanitize)"
  POLC_BUILD_DIR="$sanitize" POLC_CMAKE_ARGS="-DPOLC_SANITIZE=ON" "$here/tools/setup.sh"
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    ctest --test-dir "$sanitize" --output-on-failure -j2 "$@"
fi
