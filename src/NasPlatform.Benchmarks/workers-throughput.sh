#!/usr/bin/env bash
# Trials per hour with one worker vs two, on this machine, PostgreSQL job storage: the same search
# (TRIALS trials, random strategy, so both runs train the same architectures) with the CPU split
# evenly (1 worker x THREADS threads vs 2 workers x THREADS/2). Prints the figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/postgres.sh
TRIALS=${TRIALS:-8}
THREADS=${THREADS:-$(nproc)}
TRAIN=${TRAIN:-3000}
URL=http://127.0.0.1:5092
work=$(mktemp -d /tmp/nas-throughput-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; sleep 0.5; }
trap cleanup EXIT
psql_q() { PGPASSWORD=$NAS_PG_PASSWORD psql -h "$NAS_PG_HOST" -U "$NAS_PG_USER" -d "$1" -qtAc "$2"; }
json() { python3 -c "import sys, json; d = json.load(sys.stdin); print($1)"; }
# The API needs a token: the web host creates this administrator on its first start, and its admin
# command prints a token for it (run once per database, after the web host is up).
ADMIN="NasPlatform__Accounts__AdminEmail=bench@localhost NasPlatform__Accounts__AdminPassword=benchmark-password"
api() { curl -fs -H "Authorization: Bearer $TOKEN" "$@"; }

dotnet build -c Release src/NasPlatform.Web -v q -nologo >/dev/null
dotnet build -c Release src/NasPlatform.Worker -v q -nologo >/dev/null
python3 tests/fault/make-idx-zip.py "$work/data.zip" "$TRAIN" 300

run() { # workers
    local n=$1 db="nas_tput_${1}_$(date +%s)" threads=$((THREADS / $1))
    psql_q postgres "CREATE DATABASE $db" >/dev/null
    local envs="NasPlatform__Database=postgres NasPlatform__ConnectionString=Host=$NAS_PG_HOST;Username=$NAS_PG_USER;Password=$NAS_PG_PASSWORD;Database=$db NasPlatform__DataPath=$work/d$n NasPlatform__Worker__InProcess=false NasPlatform__Worker__Threads=$threads $ADMIN"
    env $envs dotnet src/NasPlatform.Web/bin/Release/net10.0/NasPlatform.Web.dll --urls "$URL" >"$work/web$n.log" 2>&1 & pids+=($!); disown $!
    for _ in $(seq 120); do curl -fs "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
    TOKEN=$(env $envs dotnet src/NasPlatform.Web/bin/Release/net10.0/NasPlatform.Web.dll tokens create --email bench@localhost --name throughput 2>>"$work/web$n.log")
    for i in $(seq "$n"); do env $envs dotnet src/NasPlatform.Worker/bin/Release/net10.0/NasPlatform.Worker.dll >"$work/worker$n-$i.log" 2>&1 & pids+=($!); disown $!; done
    local ds; ds=$(api -F file=@"$work/data.zip" -F name=tput -F format=idx-zip "$URL/api/v1/datasets" | json "d['id']")
    until [ "$(api "$URL/api/v1/datasets/$ds" | json "d['status']")" = ready ]; do sleep 0.5; done
    local id; id=$(api -H 'Content-Type: application/json' \
        -d "{\"datasetId\":\"$ds\",\"latencyBudgetMs\":5,\"strategy\":\"random\",\"maxTrials\":$TRIALS,\"proxyEpochs\":2,\"proxyFraction\":1,\"finalEpochs\":1,\"seed\":3,\"parallelism\":$n}" \
        "$URL/api/v1/searches" | json "d['id']")
    until [ "$(api "$URL/api/v1/searches/$id" | json "d['status']")" = succeeded ]; do sleep 1; done
    local secs; secs=$(psql_q "$db" "SELECT EXTRACT(EPOCH FROM MAX(\"FinishedAt\") - MIN(\"StartedAt\")) FROM \"Trials\" WHERE \"SearchId\" = '$id'")
    local lat; lat=$(psql_q "$db" "SELECT ROUND(AVG(\"LatencyMs\")::numeric, 2) FROM \"Trials\" WHERE \"SearchId\" = '$id'")
    python3 -c "print(f'$n worker(s) x $threads thread(s): $TRIALS trials in {float($secs):.1f} s = {$TRIALS * 3600 / float($secs):.0f} trials/hour (mean measured latency $lat ms)')"
    cleanup; pids=()
    psql_q postgres "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
}
run 1
run 2
