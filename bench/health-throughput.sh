#!/usr/bin/env bash
# GET /api/v1/health throughput at 32 connections on loopback with wrk, at
# LOG_LEVEL=warn (no request logs) and info (one JSON line per request).
# Usage: bench/health-throughput.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
make -s build
port=39124
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for level in warn info; do
  HOME="$tmp" LOG_LEVEL=$level ./bin/pi-forge --port $port >/dev/null 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/api/v1/health"; do :; done
  rps=$(wrk -t2 -c32 -d"${secs}s" "http://127.0.0.1:$port/api/v1/health" | awk '/Requests\/sec/ {print $2}')
  echo "LOG_LEVEL=$level: $rps req/s (32 connections, ${secs}s, wrk -t2)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
