#!/usr/bin/env bash
# Sharding checked at scale: polc-gen writes a population (default 333,000 persons x 3 claims,
# about 1 million claims), `polc run` settles it once whole and once as N shards
# (`--shard K/N`, default N=4), `polc merge` joins the shards, and the merged claim and person
# results must be byte-identical to the single run's. Prints the wall time of each step.
#   tools/shard_check.sh [--persons N] [--shards N] [--seed S] [--threads T] [POLICY]
# Needs a build (tools/setup.sh); POLC_BUILD_DIR picks it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${POLC_BUILD_DIR:-$here/build}"
persons=333000 shards=4 seed=2026 threads=1 policy="$here/policies/huaihua-2026.policy"
while [ $# -gt 0 ]; do
  case "$1" in
    --persons) persons="$2"; shift 2 ;;
    --shards) shards="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "shard_check: unknown option $1" >&2; exit 2 ;;
    *) policy="$1"; shift ;;
  esac
done
for tool in polc polc-gen; do
  [ -x "$build/$tool" ] || { echo "shard_check: no $build/$tool: run tools/setup.sh first" >&2; exit 2; }
done
work="$(mktemp -d "${TMPDIR:-/tmp}/polc-shard-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$build/polc-gen" --persons "$persons" --seed "$seed" --out "$work" >/dev/null
claims=$(($(wc -l < "$work/claims.csv") - 1))
echo "shard_check: $persons persons, $claims claims (seed $seed), $shards shards, $(basename "$policy")"
inputs=(--persons "$work/persons.csv" --claims "$work/claims.csv")
timed() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f s", b - a }'; }
echo "single run: $(timed "$build/polc" run "$policy" "${inputs[@]}" --threads "$threads" --out "$work/all.r.csv" --persons-out "$work/all.p.csv")"
parts=() person_parts=()
for ((k = 0; k < shards; k++)); do
  echo "shard $k/$shards: $(timed "$build/polc" run "$policy" "${inputs[@]}" --threads "$threads" --shard "$k/$shards" \
    --out "$work/s$k.r.csv" --persons-out "$work/s$k.p.csv"), $(($(wc -l < "$work/s$k.r.csv") - 1)) claims"
  parts+=("$work/s$k.r.csv") person_parts+=("$work/s$k.p.csv")
done
echo "merge: $(timed "$build/polc" merge "$policy" "${parts[@]}" "${inputs[@]}" --out "$work/merged.r.csv" \
  --persons-out "$work/merged.p.csv" --persons-parts "${person_parts[@]}")"
cmp "$work/all.r.csv" "$work/merged.r.csv"
cmp "$work/all.p.csv" "$work/merged.p.csv"
echo "shard_check: the $shards shards merged are the single run, byte for byte ($claims claims, $persons persons)"
