# Sourced by tests/run.sh and tests/fault/*.sh: makes sure a local PostgreSQL server runs (Debian's
# package, installed when missing) with a role that may create databases, and exports
# NAS_TEST_POSTGRES (Npgsql connection string) and NAS_PG_* (for psql). Keeps a NAS_TEST_POSTGRES
# that is already set.
export NAS_PG_HOST=127.0.0.1 NAS_PG_USER=nastest NAS_PG_PASSWORD=nastest
if [ -z "${NAS_TEST_POSTGRES:-}" ]; then
    as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
    if ! command -v pg_ctlcluster >/dev/null; then
        echo "Installing postgresql..."
        as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    pg_version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    if ! as_root pg_lsclusters -h | grep -q "^$pg_version main .* online"; then
        as_root pg_ctlcluster "$pg_version" main start || as_root bash -c "pg_createcluster $pg_version main >/dev/null && pg_ctlcluster $pg_version main start"
    fi
    as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='nastest'\" | grep -q 1 || psql -qc \"CREATE ROLE nastest LOGIN PASSWORD 'nastest' CREATEDB\"" >/dev/null
    export NAS_TEST_POSTGRES="Host=127.0.0.1;Port=5432;Username=nastest;Password=nastest;Database=postgres"
fi
