#!/bin/sh
# Sequential HTTPS requests to a private loopback nginx: the one-shot `send` (the behaviour
# before the reusable client) versus `Client` without and with keep-alive.
# Usage: bench/http_client.sh [REQUESTS] [ROUNDS]   (needs /usr/sbin/nginx; debug profile,
# set PROFILE=--release for optimised figures)
set -eu
cd "$(dirname "$0")/.."
n="${1:-1000}"
rounds="${2:-5}"
exec cargo run -q ${PROFILE:-} -p shipcheck_http --example http_bench -- "$n" "$rounds"
