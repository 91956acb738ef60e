#!/usr/bin/env bash
# `shipcheck watch` memory over many runs (issue 15): RSS after the first runs and after
# RUNS runs of a small plan (one HTTP check against watch's own /healthz), sampled from
# /proc/PID/status while watch runs. Prints both and their ratio (target: ≤ 1.1).
#
#   bench/watch.sh                       # RUNS=500, EVERY=5ms
#   SHIPCHECK_BIN=target/release/shipcheck RUNS=2000 bench/watch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-500}"
EVERY="${EVERY:-5ms}"
BIN="${SHIPCHECK_BIN:-target/release/shipcheck}"
[ -x "$BIN" ] || cargo build --release -q -p shipcheck
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/plan.yaml" <<PLAN
name: watch memory
checks:
  - id: self
    http: { get: "http://127.0.0.1:$port/healthz" }
    expect: { status: 200, body: { contains: ok } }
PLAN
"$BIN" watch "$work/plan.yaml" --every "$EVERY" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
runs() { curl -s --max-time 2 "http://127.0.0.1:$port/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"])' 2>/dev/null || echo 0; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
wait_runs() { local n=$1; for _ in $(seq 1 6000); do [ "$(runs)" -ge "$n" ] && return 0; sleep 0.05; done; echo "timed out at $(runs) runs" >&2; exit 1; }
wait_runs 10
first=$(rss); first_runs=$(runs)
wait_runs "$RUNS"
last=$(rss); last_runs=$(runs)
echo "shipcheck watch RSS: ${first} KiB after ${first_runs} runs, ${last} KiB after ${last_runs} runs"
python3 -c "r=$last/$first; print(f'ratio last/first = {r:.3f} (target <= 1.1): ' + ('met' if r <= 1.1 else 'MISSED'))"
