#!/usr/bin/env bash
# Rewrites the golden `polc diff` texts of tests/files/diff/ from what the diff reports now (after
# an intended change to the diff or to a policy). Review the change before committing: every
# line is a claim about what changed between two policies.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${POLC_BUILD_DIR:-$here/build}"
cmake --build "$build" -j2 --target polc_tests
POLC_AUTOUPDATE=1 "$build/polc_tests" --gtest_filter='DiffGolden.*' --gtest_brief=1
