#!/usr/bin/env bash
# Runs shipcheck's whole test suite on a fresh Debian machine: installs what the
# tests need when it is missing (nginx for the HTTP integration tests, PostgreSQL
# and Redis for the data-layer probes — the tests start private instances on
# loopback ports, never the system services — headless Chromium for the HTML report,
# Prometheus (and promtool) to scrape `shipcheck watch`,
# and junitparser to load our JUnit output with a standard consumer), then runs
# `cargo test --no-fail-fast`, so every test binary runs even after one fails.
# Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
[ -x /usr/sbin/nginx ] || [ -x /usr/bin/nginx ] || missing+=(nginx-light)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v python3 >/dev/null || missing+=(python3 python3-pip)
# Headless Chromium opens report.html in the HTML report test; Prometheus scrapes watch.
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
# jq: the Helm values hash is checked against `jq -cjS .` (the documented way to compute it).
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! python3 -c 'import junitparser' 2>/dev/null; then
  python3 -m pip install -q junitparser 2>/dev/null \
    || python3 -m pip install -q --break-system-packages junitparser
fi
# jsonschema (the standard validator) and PyYAML check plans, report.json files and
# .shipcheck.yaml against `shipcheck schema plan|report|config`.
if ! python3 -c 'import jsonschema, yaml' 2>/dev/null; then
  python3 -m pip install -q jsonschema pyyaml 2>/dev/null \
    || python3 -m pip install -q --break-system-packages jsonschema pyyaml
fi

cargo test --workspace --no-fail-fast "$@"
