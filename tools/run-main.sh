#!/usr/bin/env bash
# The main job: installs what is missing, builds, then settles the sample population under
# both 2026 seed policies and prints a summary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/tools/setup.sh"
build="${POLC_BUILD_DIR:-$here/build}"
cd "$here"
"$build/polc" check policies/huaihua-2026.policy policies/yueyang-louqu-2026.policy
"$build/polc" summary policies/huaihua-2026.policy policies/yueyang-louqu-2026.policy \
  --persons examples/persons.csv --claims examples/claims.csv
