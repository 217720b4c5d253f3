#!/usr/bin/env bash
# The project's test command (README, .ci/run). Restores, builds and runs every test project.
# Needs the .NET 10 SDK and Node.js; installs Debian's chromium (browser tests, driven by Playwright) and
# postgresql (the platform tests run on SQLite and on PostgreSQL) when they are missing, starts
# a local PostgreSQL cluster and an S3-compatible server (s3rver, installed from npm). TorchSharp's CPU natives come from NuGet and are made loadable on older libstdc++
# hosts by the build itself (src/Directory.Build.targets).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "The .NET 10 SDK (dotnet) is required: https://dot.net" >&2; exit 1; }

if [ -z "${NAS_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
    echo "Installing chromium for the browser tests..."
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    elif command -v sudo >/dev/null; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    [ -x /usr/bin/chromium ] || { echo "chromium is required for the browser tests (apt-get install chromium)" >&2; exit 1; }
fi

# PostgreSQL for the platform tests' second run (the scale-out database).
source tests/postgres.sh
# An S3-compatible server (s3rver, from npm) for the S3 blob store.
source tests/s3.sh

# libtorch's AVX/AVX-512 kernels (oneDNN, ATen, MKL) return NaN now and then on some VMs (measured on an
# AMD EPYC Zen 5 guest, 2026-12-02: 15 of 3000 identical Conv2d backward passes gave NaN input gradients,
# 0 of 3000 with these limits; the suite's duration was unchanged). The tests check behaviour, not
# speed, so they run the SSE4 kernels everywhere; benchmarks and the product keep the fast ones.
export ONEDNN_MAX_CPU_ISA=SSE41 ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2

log=$(mktemp)
trap 'rm -f "$log"; if [ -n "${nas_s3_pid:-}" ]; then kill "$nas_s3_pid" 2>/dev/null; rm -rf "$nas_s3_dir"; fi' EXIT
set +e
# -m:1: one test project at a time; the platform tests train networks and drive a browser, and on a
# 2-core machine they must not compete with the engine tests for the CPU.
dotnet test NasPlatform.sln -c Release -m:1 --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# CI keeps only the tail of the output: repeat each failed test with its message there.
if grep -q '^ *Failed NasPlatform\.' "$log"; then
    echo "---- failed tests ----"
    grep -A20 '^ *Failed NasPlatform\.' "$log" | grep -v 'NNPACK' | head -200
fi
# One plain summary line over all test projects.
awk '/^ *Passed: +[0-9]+/ {p += $2} /^ *Failed: +[0-9]+/ {f += $2} END {printf "tests: %d passed, %d failed\n", p, f}' "$log"
exit "$rc"
