# Sourced by tests/run.sh: makes sure an S3-compatible server runs on loopback for the S3 blob store's
# tests (s3rver from the npm registry, pinned in tests/s3rver/package-lock.json; its objects live in a
# temporary folder) and exports NAS_TEST_S3 (its endpoint URL). Keeps a NAS_TEST_S3 that is already set,
# so the same tests can run against MinIO or a real bucket.
if [ -z "${NAS_TEST_S3:-}" ]; then
    command -v node >/dev/null || { echo "Node.js (node, npm) is required for the S3 blob store tests' server" >&2; exit 1; }
    if [ ! -x tests/s3rver/node_modules/.bin/s3rver ]; then
        echo "Installing s3rver..."
        npm ci --prefix tests/s3rver --no-audit --no-fund --silent
    fi
    nas_s3_dir=$(mktemp -d)
    nas_s3_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    node tests/s3rver/node_modules/s3rver/bin/s3rver.js -d "$nas_s3_dir" -a 127.0.0.1 -p "$nas_s3_port" --silent &
    nas_s3_pid=$!
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$nas_s3_port") 2>/dev/null && break
        sleep 0.1
    done
    (exec 3<>"/dev/tcp/127.0.0.1/$nas_s3_port") 2>/dev/null || { echo "s3rver did not start on port $nas_s3_port" >&2; exit 1; }
    export NAS_TEST_S3="http://127.0.0.1:$nas_s3_port"
fi
