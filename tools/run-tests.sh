#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs every test through CTest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/tools/setup.sh"
build="${POLC_BUILD_DIR:-$here/build}"
ctest --test-dir "$build" --output-on-failure -j2 "$@"
