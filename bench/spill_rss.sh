#!/usr/bin/env bash
# Peak resident memory of `polc run` in memory and under --memory-limit (partitions spilled to
# temporary files), on a generated population, with the outputs compared byte for byte.
# Usage: bench/spill_rss.sh [BUILD_DIR] [PERSONS] [LIMIT...]   (defaults: build 1000000 256M 128M)
# Prints one line per run: the limit, the partitions' effect on peak RSS, user+sys CPU time,
# wall time; with the input size, the machine and its load average (the machine may be shared).
set -euo pipefail
build=${1:-build}
persons=${2:-1000000}
shift $(( $# > 2 ? 2 : $# )) || true
limits=("$@")
[ ${#limits[@]} -eq 0 ] && limits=(256M 128M)
root=$(cd "$(dirname "$0")/.." && pwd)
polc=$(cd "$build" && pwd)/polc
gen=$(cd "$build" && pwd)/polc-gen
work=$(mktemp -d "${TMPDIR:-/tmp}/polc_spill_rss.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$gen" --persons "$persons" --seed 2026 --out "$work/pop" >/dev/null
policy="$root/policies/huaihua-2026.policy"
bytes=$(( $(stat -c %s "$work/pop/persons.csv") + $(stat -c %s "$work/pop/claims.csv") ))
claims=$(( $(wc -l < "$work/pop/claims.csv") - 1 ))
echo "spill_rss: $persons persons, $claims claims, inputs $(( bytes / 1048576 )) MiB, huaihua-2026.policy, --threads 1"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(( $(getconf _PHYS_PAGES) * $(getconf PAGESIZE) / 1073741824 )) GiB"
run() {  # label, extra options
  local label=$1
  shift
  /usr/bin/time -f '%M %U %S %e' -o "$work/time" "$polc" run "$policy" --persons "$work/pop/persons.csv" \
    --claims "$work/pop/claims.csv" --out "$work/$label.r.csv" --persons-out "$work/$label.p.csv" \
    --next-out "$work/$label.n.csv" -q "$@"
  read -r rss user sys wall < "$work/time"
  printf '%-22s peak RSS %5d MiB   user+sys %6.2f s   wall %6.2f s   load %s\n' "$label" $(( rss / 1024 )) \
    "$(echo "$user + $sys" | bc)" "$wall" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
run "in memory" --memory-limit 1T
for limit in "${limits[@]}"; do
  run "--memory-limit $limit" --memory-limit "$limit"
  for kind in r p n; do
    cmp -s "$work/in memory.$kind.csv" "$work/--memory-limit $limit.$kind.csv" || { echo "spill_rss: $kind differs under $limit" >&2; exit 1; }
  done
done
echo "outputs: identical bytes"
