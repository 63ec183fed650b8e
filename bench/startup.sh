#!/usr/bin/env bash
# Cold start to the first 200 from /api/v1/health, and idle RSS after start.
# Usage: bench/startup.sh [runs]   (builds bin/pi-forge first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
make -s build
bin=$PWD/bin/pi-forge
port=39123
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
total=0
for i in $(seq "$runs"); do
  home="$tmp/home$i"; mkdir -p "$home"
  start=$(date +%s%N)
  HOME="$home" LOG_LEVEL=warn "$bin" --port $port >/dev/null 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/api/v1/health"; do :; done
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000 ))
  total=$(( total + ms ))
  if [ "$i" -eq "$runs" ]; then
    sleep 1
    rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
printf 'cold start to first 200: %.2f ms (mean of %d)\n' "$(echo "$total / $runs / 1000" | bc -l)" "$runs"
echo "idle RSS after start: $((rss / 1024)) MiB ($rss KiB)"
