#!/usr/bin/env bash
# Installs the Debian packages polc needs (only those missing), then configures and builds.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkgs=(cmake g++ make antlr4 libantlr4-runtime-dev llvm-19-dev libfmt-dev libgtest-dev
      libcli11-dev libbenchmark-dev zlib1g-dev libzstd-dev libedit-dev libxml2-dev libffi-dev
      libpq-dev nlohmann-json3-dev clang-19)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then echo "setup: run as root to install packages" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
build="${POLC_BUILD_DIR:-$here/build}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  # POLC_CMAKE_ARGS: more options for the first configure (the sanitizer build's -DPOLC_SANITIZE=ON).
  # shellcheck disable=SC2086
  cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE="${POLC_BUILD_TYPE:-Release}" ${POLC_CMAKE_ARGS:-} >/dev/null
fi
cmake --build "$build" -j2
