#!/usr/bin/env bash
# A short coverage-guided fuzz run of the front end and of the CSV reading (tests/fuzz/):
# installs Debian's clang-19 and its libFuzzer runtime when missing (as root), builds the two
# harnesses with AddressSanitizer and UndefinedBehaviorSanitizer into build-fuzz/, seeds them
# with the shipped policies and file tests (front end) and the sample and shared CSV files
# (CSV), and runs each for FUZZ_SECONDS (default 60). A crash or sanitizer report fails (its
# input is kept in build-fuzz/crashes/); a slow input only ends the run early, so a loaded
# machine cannot make it fail. Without clang and without root it skips with a message.
# tools/run-tests.sh runs it after the Release suite (FUZZ_SECONDS=0 skips it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
if [ "$seconds" = 0 ]; then echo "run-fuzz: skipped (FUZZ_SECONDS=0)"; exit 0; fi
pkgs=(clang-19 libclang-rt-19-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run-fuzz: skipped: ${missing[*]} missing (run as root to install them)"
    exit 0
  fi
  echo "run-fuzz: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
build="${POLC_FUZZ_BUILD_DIR:-$here/build-fuzz}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang-19 CXX=clang++-19 cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLC_FUZZ=ON >/dev/null
fi
cmake --build "$build" -j2 --target polc_fuzz_front_end polc_fuzz_csv

work="$(mktemp -d "${TMPDIR:-/tmp}/polc-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/front_end" "$work/csv" "$build/crashes"
cp "$here"/policies/*.policy "$here"/tests/files/*.policy "$work/front_end/"
cp "$here"/examples/*.csv "$here"/tests/files/*.csv "$here"/policies/*.csv "$work/csv/"
shared="$here/../shared"
if [ -d "$shared/cases" ]; then
  find "$shared/cases" -name '*.csv' -size -256k | head -n 200 | while read -r f; do
    cp "$f" "$work/csv/$(echo "$f" | md5sum | cut -c1-16).csv"
  done
fi

passed=0 failed=0
for harness in front_end csv; do
  echo "run-fuzz: $harness for ${seconds}s"
  # -timeout_exitcode=0: an input slower than -timeout ends the run without failing it;
  # crashes, leaks and sanitizer reports exit with -error_exitcode.
  set +e
  (cd "$work" && ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$build/polc_fuzz_$harness" "$work/$harness" -max_total_time="$seconds" -timeout=30 \
      -timeout_exitcode=0 -error_exitcode=77 -rss_limit_mb=4096 -max_len=65536 -seed=2026 \
      -artifact_prefix="$build/crashes/$harness-" -print_final_stats=1 >"$work/$harness.log" 2>&1)
  code=$?
  set -e
  tail -n 12 "$work/$harness.log"
  if [ "$code" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "run-fuzz: $harness FAILED (exit $code); inputs in $build/crashes/" >&2
    grep -m 20 -E "ERROR|SUMMARY|runtime error|deadly signal" "$work/$harness.log" >&2 || true
  fi
done
echo "run-fuzz: $passed harnesses ran clean, $failed found a crash"
[ "$failed" -eq 0 ]
