#!/usr/bin/env bash
# Differential run of the two engines on a generated population of any size (tens of millions
# of claims): polc-gen writes the population, `polc run` settles it with --engine interp and
# with --engine jit (at several thread counts), and the result files must be byte-identical.
#   tools/differential.sh [--persons N] [--claims-per-person M] [--seed S] [--threads "1 2"] [POLICY...]
# Defaults: 3,400,000 persons x 3 claims (about 10 million claims), seed 2026, threads "1 2",
# both 2026 seed policies. Needs a build (tools/setup.sh); POLC_BUILD_DIR picks it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${POLC_BUILD_DIR:-$here/build}"
persons=3400000 per_person=3 seed=2026 threads="1 2"
policies=()
while [ $# -gt 0 ]; do
  case "$1" in
    --persons) persons="$2"; shift 2 ;;
    --claims-per-person) per_person="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "differential: unknown option $1" >&2; exit 2 ;;
    *) policies+=("$1"); shift ;;
  esac
done
[ ${#policies[@]} -gt 0 ] || policies=("$here/policies/huaihua-2026.policy" "$here/policies/yueyang-louqu-2026.policy")
for tool in polc polc-gen; do
  [ -x "$build/$tool" ] || { echo "differential: no $build/$tool: run tools/setup.sh first" >&2; exit 2; }
done
work="$(mktemp -d "${TMPDIR:-/tmp}/polc-differential.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$build/polc-gen" --persons "$persons" --claims-per-person "$per_person" --seed "$seed" --out "$work" >/dev/null
claims=$(($(wc -l < "$work/claims.csv") - 1))
echo "differential: $persons persons, $claims claims (seed $seed)"
status=0
for policy in "${policies[@]}"; do
  name="$(basename "$policy" .policy)"
  "$build/polc" run "$policy" --persons "$work/persons.csv" --claims "$work/claims.csv" \
    --out "$work/interp.r.csv" --persons-out "$work/interp.p.csv" --engine interp --threads 1
  for t in $threads; do
    "$build/polc" run "$policy" --persons "$work/persons.csv" --claims "$work/claims.csv" \
      --out "$work/jit.r.csv" --persons-out "$work/jit.p.csv" --engine jit --threads "$t"
    if cmp -s "$work/interp.r.csv" "$work/jit.r.csv" && cmp -s "$work/interp.p.csv" "$work/jit.p.csv"; then
      echo "differential: $name --threads $t: identical"
    else
      echo "differential: $name --threads $t: the engines DIFFER" >&2
      cmp "$work/interp.r.csv" "$work/jit.r.csv" >&2 || true
      cmp "$work/interp.p.csv" "$work/jit.p.csv" >&2 || true
      status=1
    fi
  done
done
exit $status
