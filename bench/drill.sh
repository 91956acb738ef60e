#!/usr/bin/env bash
# Benchmark: the drill prober's overhead and schedule accuracy.
#   1. CPU of the `shipcheck drill` process (utime+stime from /proc/PID/stat, sampled in its
#      steady state, baseline phase) while it probes a loopback nginx 100 times a second,
#      as % of one core. Target (issue 10): under 5%.
#   2. How late probe sends are against the schedule at 10 ms intervals: the drill's own
#      `send_lateness.p50/p99/max` measurements in report.json (each probe task notes when it
#      starts sending versus when it was due). Target: p99 under 1 ms. Also
#      `schedule_lateness.*`: when the schedule thread handed the probe to the runtime (the
#      difference is the wait for a runtime worker, i.e. CPU contention).
#   Anchor, same run: a shell loop starting one `curl` per probe at the same rate (what
#   people use today), its CPU from bash's `times` (the shell plus all its children).
# Usage: bench/drill.sh [SECONDS]   (default 10; needs /usr/sbin/nginx; curl for the
# anchor; PROFILE=--release for optimised figures, default the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
NGINX=/usr/sbin/nginx
[ -x "$NGINX" ] || { echo "nginx not installed: $NGINX" >&2; exit 2; }
cargo build -q ${PROFILE:-} -p shipcheck
case "${PROFILE:-}" in *release*) BIN=target/release/shipcheck ;; *) BIN=target/debug/shipcheck ;; esac
TMP=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$TMP/nginx.conf" <<CONF
worker_processes 1; pid $TMP/nginx.pid; error_log $TMP/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $TMP/b; proxy_temp_path $TMP/p; fastcgi_temp_path $TMP/f; uwsgi_temp_path $TMP/u; scgi_temp_path $TMP/s;
  server { listen 127.0.0.1:$PORT; location / { return 200 "ok\n"; } } }
CONF
"$NGINX" -p "$TMP" -c "$TMP/nginx.conf"
cleanup() { kill "$(cat "$TMP/nginx.pid")" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
sleep 0.3
TICKS=$(getconf CLK_TCK)
URL="http://127.0.0.1:$PORT/"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# 1 + 2: the drill's whole run is its baseline (the command is `true`).
"$BIN" drill --probe "$URL" --every 10ms --baseline "${SECS}s" --settle 0ms --timeout "$((SECS + 30))s" \
  --quiet --format json --output "$TMP/out" -- true > /dev/null &
PID=$!
sleep 1
t0=$(date +%s.%N); c0=$(cpu_ticks $PID)
sleep $((SECS - 2))
t1=$(date +%s.%N); c1=$(cpu_ticks $PID)
wait $PID || true
cpu=$(python3 -c "print(round(100 * ($c1 - $c0) / $TICKS / ($t1 - $t0), 2))")
read -r total p50 p99 max s50 s99 smax < <(python3 - "$TMP/out/report.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["checks"][0]
m = {x["name"]: x["value"] for x in c["measurements"]}
print(int(m["total_probes"]), *("%.3f" % m[k] for k in ["send_lateness.p50", "send_lateness.p99", "send_lateness.max", "schedule_lateness.p50", "schedule_lateness.p99", "schedule_lateness.max"]))
PY
)
echo "shipcheck drill ($BIN), 100 probes/s for ${SECS}s against nginx on loopback"
echo "  probes: $total   CPU: ${cpu}% of one core (target < 5%)"
echo "  send lateness vs schedule (probe task starts): p50 ${p50} ms, p99 ${p99} ms, max ${max} ms (target p99 < 1 ms)"
echo "  of which the schedule thread (probe handed to the runtime): p50 ${s50} ms, p99 ${s99} ms, max ${smax} ms"
echo "  load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# Anchor: one curl per probe, started every 10 ms.
if command -v curl > /dev/null; then
  n=$((SECS * 100))
  anchor=$( { time -p bash -c "for i in \$(seq $n); do curl -s -o /dev/null '$URL' & sleep 0.01; done; wait"; } 2>&1 )
  user=$(echo "$anchor" | awk '/^user/ {print $2}'); sys=$(echo "$anchor" | awk '/^sys/ {print $2}')
  real=$(echo "$anchor" | awk '/^real/ {print $2}')
  acpu=$(python3 -c "print(round(100 * ($user + $sys) / $real, 1))")
  echo "anchor: a shell loop of curl every 10 ms: CPU ${acpu}% of one core over ${real}s ($n requests)"
  python3 -c "print('  ratio anchor CPU / shipcheck CPU: %.1f' % ($acpu / max($cpu, 0.01)))"
fi
