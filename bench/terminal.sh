#!/usr/bin/env bash
# Integrated terminal: `cat` throughput through PTY → WebSocket → client
# (next to the bare PTY's rate on this machine), keystroke round trip, and
# server RSS per idle terminal. Usage: bench/terminal.sh [flags of bench/terminal]
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build
go run ./bench/terminal -bin "$PWD/bin/pi-forge" "$@"
