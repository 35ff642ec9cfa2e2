#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs every test through CTest,
# twice: on the Release build, and on a second build with AddressSanitizer and
# UndefinedBehaviorSanitizer (both engines: the interpreter, and the JIT's host side, runtime
# helpers and the code that calls into the compiled functions).
# When node and npm are installed, the VS Code extension's grammar tests run and its .vsix is
# built (skipped with a message otherwise).
# POLC_SANITIZE=0 skips the sanitizer pass (quicker local runs); extra arguments go to ctest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/tools/setup.sh"
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
if [ "${POLC_SANITIZE:-1}" != 0 ]; then
  sanitize="${POLC_SANITIZE_BUILD_DIR:-$here/build-sanitize}"
  echo "run-tests: the suite again under AddressSanitizer and UndefinedBehaviorSanitizer ($sanitize)"
  POLC_BUILD_DIR="$sanitize" POLC_CMAKE_ARGS="-DPOLC_SANITIZE=ON" "$here/tools/setup.sh"
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    ctest --test-dir "$sanitize" --output-on-failure -j2 "$@"
fi
