#!/usr/bin/env bash
# tools/dask_run.py on a LocalCluster of 3 worker processes: 5 shards of a generated population
# (claims and persons results) merged must equal the single run byte for byte (--check), and a
# failing shard must fail the whole run. Exit 77 (skipped) without Dask.
#   tests/dask/dask_test.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:?usage: dask_test.sh BUILD_DIR}"
if ! /usr/bin/python3 -c 'import dask.distributed' 2>/dev/null; then
  echo "dask_test: SKIPPED: no Dask for /usr/bin/python3 (Debian python3-dask, python3-distributed; tools/run-tests.sh installs them)"
  exit 77
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/polc-dask-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$build/polc-gen" --persons 4000 --seed 13 --out "$work/pop" >/dev/null
export XDG_CACHE_HOME="$work/cache"
timeout 300 /usr/bin/python3 "$here/tools/dask_run.py" "$here/policies/yueyang-louqu-2026.policy" \
  --polc "$build/polc" --persons "$work/pop/persons.csv" --claims "$work/pop/claims.csv" \
  --out "$work/merged.r.csv" --persons-out "$work/merged.p.csv" --shards 5 --workers 3 --check
# The merged files are also the single run made here, outside the script.
"$build/polc" run "$here/policies/yueyang-louqu-2026.policy" --persons "$work/pop/persons.csv" \
  --claims "$work/pop/claims.csv" --out "$work/single.r.csv" --persons-out "$work/single.p.csv"
cmp "$work/merged.r.csv" "$work/single.r.csv"
cmp "$work/merged.p.csv" "$work/single.p.csv"
# A shard that fails (its input is not there) fails the run, and no merged file appears.
if timeout 300 /usr/bin/python3 "$here/tools/dask_run.py" "$here/policies/yueyang-louqu-2026.policy" \
     --polc "$build/polc" --persons "$work/pop/none.csv" --claims "$work/pop/claims.csv" \
     --out "$work/bad.r.csv" --shards 2 --workers 2 2>"$work/err"; then
  echo "dask_test: FAIL: a failing shard did not fail the run"; exit 1
fi
grep -q "shard" "$work/err" || { echo "dask_test: FAIL: no shard named in: $(tail -3 "$work/err")"; exit 1; }
[ ! -e "$work/bad.r.csv" ] || { echo "dask_test: FAIL: a merged file after a failure"; exit 1; }
echo "dask_test: 5 shards on 3 Dask workers merged equal the single run; a failing shard fails the run"
