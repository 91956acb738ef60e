#!/usr/bin/env bash
# Benchmark: 50 independent HTTP checks, side by side in one run, against
#   (a) a local nginx (fast answers), and
#   (b) the demo service with a fixed 50 ms delay (`shipcheck demo --serve --delay 50ms`),
# each run by shipcheck (a plan of 50 checks), by Hurl (one file of the same 50 requests;
# Hurl runs them one after another) and by a curl loop (what smoke scripts do).
# Prints the median wall time of RUNS runs per tool and the ratio to Hurl.
#
# Needs: nginx (apt-get install nginx-light), curl, python3, and Hurl 8.0.1:
#   apt-get install libcurl4-openssl-dev libxml2-dev libclang-dev pkg-config
#   cargo install hurl --version 8.0.1 --locked
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-15}
N=50

command -v hurl >/dev/null || { echo "hurl not found (see the header of this script)"; exit 2; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx not found"; exit 2; }

cargo build --release -q
BIN=target/release/shipcheck
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy; fastcgi_temp_path $work/fcgi;
  uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  server { listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '{"status":"ok"}'; } }
}
CONF
"$NGINX" -p "$work" -c "$work/nginx.conf" -g 'daemon off;' & pids+=($!)

"$BIN" demo --serve --delay 50ms > "$work/demo.out" & pids+=($!)
for _ in $(seq 100); do grep -q 'http:' "$work/demo.out" 2>/dev/null && break; sleep 0.1; done
demo_url=$(awk '/http:/ {print $2; exit}' "$work/demo.out")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

make_inputs() { # name base_url
  local name=$1 base=$2
  { echo "name: bench $name"; echo "defaults: { timeout: 5s }"; echo "checks:"
    for i in $(seq $N); do
      echo "  - id: c$i"
      echo "    http: { get: \"$base/health/live?i=$i\" }"
      echo "    expect: { status: 200, json: { \"\$.status\": ok } }"
    done; } > "$work/$name.yaml"
  : > "$work/$name.hurl"
  for i in $(seq $N); do
    printf 'GET %s/health/live?i=%s\nHTTP 200\n[Asserts]\njsonpath "$.status" == "ok"\n\n' "$base" "$i" >> "$work/$name.hurl"
  done
  { echo 'set -e'; for i in $(seq $N); do echo "curl -sf '$base/health/live?i=$i' >/dev/null"; done; } > "$work/$name.curl.sh"
}
make_inputs nginx "http://127.0.0.1:$port"
make_inputs delayed "$demo_url"

# Every tool must succeed on its input before it is timed.
for name in nginx delayed; do
  "$BIN" verify "$work/$name.yaml" --quiet --format json > "$work/$name.json"
  python3 -c "import json,sys; r=json.load(open('$work/$name.json')); assert r['summary']['by_status']['passed']==$N, r['summary']"
  hurl --test "$work/$name.hurl" > /dev/null 2>&1
  bash "$work/$name.curl.sh"
done

python3 - "$work" "$BIN" "$RUNS" <<'PY'
import statistics, subprocess, sys, time
work, binary, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def median_ms(cmd):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)
print(f"median wall time of {runs} runs, 50 HTTP checks each")
print(f"{'target':<28}{'shipcheck':>12}{'hurl':>12}{'curl loop':>12}{'shipcheck/hurl':>16}")
for name, label in [("nginx", "(a) local nginx"), ("delayed", "(b) demo --delay 50ms")]:
    s = median_ms([binary, "verify", f"{work}/{name}.yaml", "--quiet", "--format", "json"])
    h = median_ms(["hurl", "--test", f"{work}/{name}.hurl"])
    c = median_ms(["bash", f"{work}/{name}.curl.sh"])
    print(f"{label:<28}{s:>10.1f}ms{h:>10.1f}ms{c:>10.1f}ms{s/h:>15.2f}x")
PY
