#!/usr/bin/env bash
# polc run against a real PostgreSQL 15 server: initdb in a temporary directory, the server on
# a Unix socket there (no TCP), run as an unprivileged user (PostgreSQL refuses root; as root a
# dedicated user polc-pgtest is created), stopped at the end, every step time-bounded.
# For each golden case and 2026 policy: the inputs are loaded with COPY, `polc run --db` writes
# result tables, exported with COPY they must be byte-identical to `polc run` on the CSV files;
# the same for `--format nhsa` (the claim results table under the platform's field names, its
# money columns numeric(16,2)).
# Then the failures: a result table that exists (no --replace), --replace, a bad row named by
# its table and key, bad rows' messages in full (a repeated key's first row by its number), a
# run-time error naming its claim and person by table, a connection error that does not print the password, and a failure in the middle of writing
# (the second table cannot be created) that leaves no table behind.
#   tests/pg/pg_test.sh POLC_BINARY   (exit 77: skipped, the server binaries are absent)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
polc="${1:?usage: pg_test.sh POLC_BINARY}"
bin="${POLC_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ] || ! command -v psql >/dev/null; then
  echo "pg_test: SKIPPED: no PostgreSQL 15 server binaries in $bin (Debian postgresql-15; tools/run-tests.sh installs it)"
  exit 77
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/polc-pg.XXXXXX")"
chmod 755 "$work"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  id polc-pgtest >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin polc-pgtest
  chown polc-pgtest "$work"
  as_user=(runuser -u polc-pgtest --)
fi
stop() {
  "${as_user[@]}" timeout 30 "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
"${as_user[@]}" timeout 60 "$bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_user[@]}" timeout 60 "$bin/pg_ctl" -D "$work/data" -w -t 30 -l "$work/server.log" \
  -o "-k $work -c listen_addresses='' -c fsync=off" start >/dev/null
db="postgresql:///postgres?host=$work&user=postgres"
export PGOPTIONS='-c client_min_messages=warning'
sql() { timeout 60 psql -X -q -v ON_ERROR_STOP=1 "$db" "$@"; }
mkdir -p "$work/out"
failures=0
fail() { echo "pg_test: FAIL: $*"; failures=$((failures + 1)); }
# A table of text columns named as the CSV's header, loaded with COPY.
load() {
  local table="$1" file="$2" cols
  cols="$(head -1 "$file" | sed 's/\r$//; s/,/ text, /g; s/$/ text/')"
  sql -c "DROP TABLE IF EXISTS $table; CREATE TABLE $table ($cols)" -c "\\copy $table FROM '$file' WITH (FORMAT csv, HEADER true)"
}
export_csv() { sql -c "\\copy $1 TO '$2' WITH (FORMAT csv, HEADER true)"; }
cases=0
for case_dir in "$here"/../shared/cases/*/; do
  [ -f "$case_dir/persons.csv" ] || continue
  name="$(basename "$case_dir")"
  load persons "$case_dir/persons.csv"
  load claims "$case_dir/claims.csv"
  for stem in huaihua-2026 yueyang-louqu-2026; do
    policy="$here/policies/$stem.policy"
    timeout 120 "$polc" run "$policy" --persons "$case_dir/persons.csv" --claims "$case_dir/claims.csv" \
      --out "$work/out/file.r.csv" --persons-out "$work/out/file.p.csv" --no-cache
    timeout 120 "$polc" run "$policy" --db "$db" --persons-table persons --claims-table claims \
      --out-table results --persons-out-table persons_result --replace --no-cache
    export_csv results "$work/out/db.r.csv"
    export_csv persons_result "$work/out/db.p.csv"
    cmp -s "$work/out/file.r.csv" "$work/out/db.r.csv" || fail "$name $stem: claim results differ from the CSV path"
    cmp -s "$work/out/file.p.csv" "$work/out/db.p.csv" || fail "$name $stem: person results differ from the CSV path"
    # --format nhsa: the claim results table under the platform's field names, money numeric(16,2).
    timeout 120 "$polc" run "$policy" --persons "$case_dir/persons.csv" --claims "$case_dir/claims.csv" \
      --out "$work/out/file.n.csv" --format nhsa --no-cache
    timeout 120 "$polc" run "$policy" --db "$db" --persons-table persons --claims-table claims \
      --out-table nhsa_results --format nhsa --replace --no-cache
    export_csv nhsa_results "$work/out/db.n.csv"
    cmp -s "$work/out/file.n.csv" "$work/out/db.n.csv" || fail "$name $stem: nhsa claim results differ from the CSV path"
    columns="$(sql -tA -c "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'nhsa_results'")"
    [ "$columns" = "$(head -1 "$work/out/file.n.csv")" ] || fail "$name $stem: nhsa table columns $columns"
    money="$(sql -tA -c "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'nhsa_results' AND data_type = 'numeric' AND numeric_precision = 16 AND numeric_scale = 2")"
    case "$money" in
      medfee_sumamt,inscp_scp_amt,hifp_pay,hifmi_pay,fund_pay_sumamt,psn_part_amt) ;;
      medfee_sumamt,inscp_scp_amt,hifp_pay,hifmi_pay,maf_pay,fund_pay_sumamt,psn_part_amt) ;;
      *) fail "$name $stem: the nhsa money columns typed numeric(16,2) are '$money'" ;;
    esac
    cases=$((cases + 1))
  done
done
[ "$cases" -ge 2 ] || fail "no golden case found"
policy="$here/policies/huaihua-2026.policy"
run_db() { timeout 120 "$polc" run "$policy" --db "$db" --persons-table persons --claims-table claims --no-cache "$@" 2>"$work/err" && return 0; return $?; }
table_exists() { [ "$(sql -tA -c "SELECT to_regclass('$1') IS NOT NULL")" = t ]; }

# An existing result table is an error without --replace, and is left as it was.
set +e
run_db --out-table results; code=$?
set -e
[ "$code" -eq 1 ] && grep -q "table results exists" "$work/err" || fail "existing table: exit $code, $(cat "$work/err")"

# A failure in the middle: the claim results are written, then the person table cannot be
# created (no such schema): the transaction rolls back, no table is left.
set +e
run_db --out-table mid_results --persons-out-table no_such_schema.persons_result; code=$?
set -e
[ "$code" -eq 1 ] && grep -q "no_such_schema" "$work/err" || fail "mid failure: exit $code, $(cat "$work/err")"
table_exists mid_results && fail "mid failure left table mid_results behind"

# A bad row is named by its table and key, as the CSV path names its line.
sql -c "UPDATE claims SET total = 'lots' WHERE claim_id = (SELECT min(claim_id) FROM claims)"
bad_id="$(sql -tA -c "SELECT claim_id FROM claims WHERE total = 'lots'")"
set +e
run_db --out-table bad_results; code=$?
set -e
[ "$code" -eq 1 ] && grep -q "^table claims, claim_id '$bad_id': " "$work/err" ||
  fail "bad row: exit $code, $(cat "$work/err")"
table_exists bad_results && fail "bad row left table bad_results behind"

# The bad rows' messages in full: a row is named by its table and key, a repeated key's first
# row by its number in COPY's order (a line feed inside a field starts no row of its own), an
# unknown person's table by its name.
ids=($(sql -tA -c "SELECT claim_id FROM claims WHERE total <> 'lots' ORDER BY claim_id LIMIT 3"))
person="$(sql -tA -c "SELECT max(person_id) FROM persons WHERE person_id NOT IN (SELECT person_id FROM claims WHERE claim_id IN ('${ids[0]}', '${ids[1]}', '${ids[2]}'))")"
sql -c "DROP TABLE IF EXISTS bad_claims, bad_persons" \
  -c "CREATE TEMP TABLE stage AS SELECT 0 AS n, * FROM claims LIMIT 0" \
  -c "INSERT INTO stage SELECT 1, * FROM claims WHERE claim_id = '${ids[0]}'" \
  -c "INSERT INTO stage SELECT 2, * FROM claims WHERE claim_id = '${ids[1]}'" \
  -c "INSERT INTO stage SELECT 3, * FROM claims WHERE claim_id = '${ids[2]}'" \
  -c "INSERT INTO stage SELECT 4, * FROM claims WHERE claim_id = '${ids[1]}'" \
  -c "INSERT INTO stage SELECT 5, * FROM claims WHERE claim_id = '${ids[0]}'" \
  -c "UPDATE stage SET claim_id = claim_id || 'x', person_id = 'nobody' WHERE n = 5" \
  -c "UPDATE stage SET claim_id = claim_id || E'\\nsecond line' WHERE n = 1" \
  -c "UPDATE stage SET total = 'lots' WHERE n = 3" \
  -c "CREATE TABLE bad_claims AS SELECT * FROM stage ORDER BY n" \
  -c "CREATE TABLE bad_persons AS SELECT * FROM persons ORDER BY person_id" \
  -c "UPDATE bad_persons SET birth_date = 'soon' WHERE person_id = '$person'"
set +e
timeout 120 "$polc" run "$policy" --db "$db" --persons-table bad_persons --claims-table bad_claims --out-table bad_results \
  --no-cache 2>"$work/err"; code=$?
set -e
expected="table bad_persons, person_id '$person': birth_date: date 'soon' is not in YYYY-MM-DD form
table bad_claims, claim_id '${ids[2]}': total: money 'lots' is not a number
table bad_claims, claim_id '${ids[1]}': duplicate claim_id '${ids[1]}' (first at row 2)
table bad_claims, claim_id '${ids[0]}x': person_id: no person 'nobody' in table bad_persons"
[ "$code" -eq 1 ] && [ "$(cat "$work/err")" = "$expected" ] || fail "bad rows: exit $code, $(cat "$work/err")"

# A run-time error names the claim and the person by key and table (the temporary copies'
# lines mean nothing to the user), with either engine.
sed 's/rule paid: money = total$/rule paid: money = total * 1000000000 * 1000000000/' \
  "$here/tests/files/clean_skeleton.policy" >"$work/overflow.policy"
grep -q '1000000000 \* 1000000000' "$work/overflow.policy" || fail "overflow policy: the rule to change is gone"
sql -c "DROP TABLE IF EXISTS rt_persons, rt_claims" \
  -c "CREATE TABLE rt_persons (person_id text)" -c "INSERT INTO rt_persons VALUES ('P1'), ('P2')" \
  -c "CREATE TABLE rt_claims (claim_id text, person_id text, date date, kind text, total numeric(16,2))" \
  -c "INSERT INTO rt_claims VALUES ('C1', 'P1', '2026-03-01', 'inpatient', 0.01), ('C2', 'P2', '2026-04-01', 'outpatient', 100.33)"
for engine in jit interp; do
  set +e
  timeout 120 "$polc" run "$work/overflow.policy" --db "$db" --persons-table rt_persons --claims-table rt_claims \
    --out-table rt_results --engine "$engine" --no-cache 2>"$work/err"; code=$?
  set -e
  expected="polc: $work/overflow.policy:22:20: arithmetic overflow (claim C2 in table rt_claims, person P2 in table rt_persons)"
  [ "$code" -eq 1 ] && [ "$(cat "$work/err")" = "$expected" ] || fail "run-time error ($engine): exit $code, $(cat "$work/err")"
  table_exists rt_results && fail "run-time error ($engine) left table rt_results behind"
done

# A connection error is clear and never shows the password.
set +e
timeout 60 "$polc" run "$policy" --db "postgresql://postgres:s3cret-pw@/postgres?host=$work/nowhere" \
  --persons-table persons --claims-table claims --out-table x --no-cache 2>"$work/err"; code=$?
set -e
[ "$code" -eq 1 ] && grep -q "cannot connect to PostgreSQL" "$work/err" && ! grep -q "s3cret-pw" "$work/err" ||
  fail "connection error: exit $code, $(cat "$work/err")"
set +e
timeout 60 "$polc" run "$policy" --db "postgresql://postgres:s3cret-pw@host/db?bogus=1" \
  --persons-table persons --claims-table claims --out-table x --no-cache 2>"$work/err"; code=$?
set -e
[ "$code" -ne 0 ] && ! grep -q "s3cret-pw" "$work/err" || fail "bad URI: exit $code, $(cat "$work/err")"

if [ "$failures" -gt 0 ]; then exit 1; fi
echo "pg_test: $cases runs (policy columns and nhsa) byte-identical to the CSV path; existing table, mid-write failure, bad row, run-time and connection errors as documented"
