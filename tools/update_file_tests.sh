#!/usr/bin/env bash
# Rewrites the `// CHECK:` expectations of every tests/files/*.policy from the diagnostics the
# compiler reports now (after an intended change to a message or a check). Review the diff
# before committing: every new or changed line is a claim about the compiler.
# Extra arguments go to the test binary, e.g. --gtest_filter='Files/FileTest.Diagnostics/cycle'.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${POLC_BUILD_DIR:-$here/build}"
cmake --build "$build" -j2 --target polc_tests
filter='Files/FileTest.*'
for arg in "$@"; do
  case "$arg" in --gtest_filter=*) filter="${arg#--gtest_filter=}" ;; esac
done
POLC_AUTOUPDATE=1 "$build/polc_tests" --gtest_filter="$filter" --gtest_brief=1
