#!/usr/bin/env bash
# The project's test command (README, .ci/run). Restores, builds and runs every test project.
# Needs only the .NET 10 SDK: TorchSharp's CPU natives come from NuGet and are made loadable on
# older libstdc++ hosts by the build itself (src/Directory.Build.targets).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "The .NET 10 SDK (dotnet) is required: https://dot.net" >&2; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test NasPlatform.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain summary line over all test projects.
awk '/^ *Passed: +[0-9]+/ {p += $2} /^ *Failed: +[0-9]+/ {f += $2} END {printf "tests: %d passed, %d failed\n", p, f}' "$log"
exit "$rc"
