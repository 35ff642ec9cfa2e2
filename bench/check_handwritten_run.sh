#!/usr/bin/env bash
# The hand-written end-to-end baseline (bench/handwritten_run.cpp) must write exactly the bytes
# of `polc run` on the same population, or comparing their speed means nothing.
#
#   bash bench/check_handwritten_run.sh BUILD_DIR [PERSONS] [SEED]
#
# Generates a population with polc-gen (columns shuffled), runs both, and compares the files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:?usage: check_handwritten_run.sh BUILD_DIR [PERSONS] [SEED]}" && pwd)"
persons="${2:-5000}"
seed="${3:-11}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/polc-hand-check.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
"$build/polc-gen" --persons "$persons" --seed "$seed" --shuffle-columns --out "$tmp/pop" >/dev/null
XDG_CACHE_HOME="$tmp/cache" "$build/polc" run "$here/policies/huaihua-2026.policy" \
  --persons "$tmp/pop/persons.csv" --claims "$tmp/pop/claims.csv" \
  --out "$tmp/polc-results.csv" --persons-out "$tmp/polc-persons.csv" --threads 2
"$build/polc_handwritten_run" "$tmp/pop/persons.csv" "$tmp/pop/claims.csv" "$tmp/hand-results.csv" "$tmp/hand-persons.csv"
cmp "$tmp/polc-results.csv" "$tmp/hand-results.csv"
cmp "$tmp/polc-persons.csv" "$tmp/hand-persons.csv"
echo "polc_handwritten_run wrote the bytes of polc run ($(( $(wc -l <"$tmp/pop/claims.csv") - 1 )) claims)"
