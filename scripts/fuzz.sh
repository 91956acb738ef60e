#!/usr/bin/env bash
# Builds every fuzz target in fuzz/ (cargo fuzz, libFuzzer, on the stable toolchain) and runs
# each for SECONDS (default 60), one after the other, with a memory and a per-input time
# limit, so that a blowup or a hang counts as a crash. See docs/fuzzing.md.
#
#   scripts/fuzz.sh [SECONDS] [TARGET…]      e.g. scripts/fuzz.sh 15, scripts/fuzz.sh 600 archive
#   FUZZ_RUNS=1000000 scripts/fuzz.sh 3600   stop each target after that many executions
#   FUZZ_RSS_MB (2048), FUZZ_TIMEOUT (10 s per input), FUZZ_MAX_LEN (16384 bytes)
#   FUZZ_BUILD=dev                           unoptimised build: compiles in about half the
#                                            time, runs slower (CI's short run, .ci/run)
#
# Seeds: fuzz/seeds/<target> and fuzz/regressions/<target> (committed), plus, copied at run
# time into the working corpus fuzz/corpus/<target> (not committed), the deployment files of
# ../shared/corpus when it is there, the repo's lint fixtures, examples and the plan examples
# in docs/probes. Crashes land in fuzz/artifacts/<target>; the script exits 1 if any target
# found one. A summary line per target goes to stdout and to fuzz/last-run.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
runs="${FUZZ_RUNS:--1}"
rss_mb="${FUZZ_RSS_MB:-2048}"
timeout_s="${FUZZ_TIMEOUT:-10}"
max_len="${FUZZ_MAX_LEN:-16384}"
all=(plan_load yaml_tree dockerfile dotenv helm_split lint_text secret_scan metrics_exposition
  jsonpath archive websocket tls_server_hello tls_certificate helm_release)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# --sanitizer none: only the stable toolchain is here, and AddressSanitizer needs the
# nightly `-Zsanitizer`; with it off, cargo fuzz passes only stable `-C` flags (sancov
# passes, `--cfg fuzzing`), so no RUSTC_BOOTSTRAP is needed. The code is safe Rust
# (`unsafe_code = "forbid"`), so what a sanitizer would add is checks in C dependencies.
# -a keeps debug assertions and overflow checks on in an optimised build.
if [ "${FUZZ_BUILD:-release}" = dev ]; then
  build_flags=(--dev -a --sanitizer none)
  profile=debug
else
  build_flags=(-O -a --sanitizer none --codegen-units 16)
  profile=release
fi
(cd fuzz && nice -n 5 cargo fuzz build "${build_flags[@]}")
bin_dir="${CARGO_TARGET_DIR:-fuzz/target}/x86_64-unknown-linux-gnu/$profile"

shared=../shared/corpus
seed() { # seed TARGET FILE… — copy files into the working corpus (names kept unique)
  local t="$1"
  shift
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp -n "$f" "fuzz/corpus/$t/$(echo "$f" | tr '/' '_')" 2>/dev/null || true
  done
}
seed_dir() { # seed_dir TARGET DIR… — every file under the directories
  local t="$1"
  shift
  local d
  for d in "$@"; do
    [ -d "$d" ] || continue
    while IFS= read -r -d '' f; do seed "$t" "$f"; done < <(find "$d" -type f -size -64k -print0)
  done
}
gen_binary_seeds() { # archives, WebSocket frames, TLS answers and certificates, made here
  local t="$1" out="fuzz/corpus/$1"
  case "$t" in
    archive)
      python3 - "$out" <<'EOF'
import io, sys, tarfile, zipfile, gzip
out = sys.argv[1]
files = {"app/bin/run": b"#!/bin/sh\necho ok\n", "app/README": b"hello\n", "app/etc/conf.json": b"{}"}
with zipfile.ZipFile(f"{out}/seed.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for n, d in files.items():
        z.writestr(n, d)
    z.writestr("app/empty/", b"")
def tar_bytes():
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        for n, d in files.items():
            i = tarfile.TarInfo(n); i.size = len(d); i.mode = 0o755; t.addfile(i, io.BytesIO(d))
        i = tarfile.TarInfo("app/link"); i.type = tarfile.SYMTYPE; i.linkname = "README"; t.addfile(i)
        i = tarfile.TarInfo("app/dir"); i.type = tarfile.DIRTYPE; t.addfile(i)
    return b.getvalue()
open(f"{out}/seed.tar", "wb").write(tar_bytes())
open(f"{out}/seed.tar.gz", "wb").write(gzip.compress(tar_bytes()))
EOF
      ;;
    websocket)
      python3 - "$out" <<'EOF'
import sys, struct
out = sys.argv[1]
def frame(op, payload, fin=True):
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | op])
    if n < 126: head += bytes([n])
    elif n < 65536: head += bytes([126]) + struct.pack(">H", n)
    else: head += bytes([127]) + struct.pack(">Q", n)
    return head + payload
seeds = {
    "text_close": frame(1, b'{"ok":true,"n":1}') + frame(1, b"plain") + frame(8, struct.pack(">H", 1000) + b"bye"),
    "fragmented": frame(1, b"hel", fin=False) + frame(9, b"") + frame(0, b"lo"),
    "binary_ping": frame(2, bytes(range(40))) + frame(9, b"p") + frame(10, b"") + frame(8, b""),
    "long": frame(1, b"x" * 300) + frame(8, struct.pack(">H", 1011)),
}
for name, data in seeds.items():
    open(f"{out}/{name}", "wb").write(b"\x03" + data)
EOF
      ;;
    tls_server_hello)
      python3 - "$out" <<'EOF'
import sys
out = sys.argv[1]
def rec(ct, body): return bytes([ct, 3, 3]) + len(body).to_bytes(2, "big") + body
def hello(ver, ext=b""):
    b = bytes([3, 3]) + bytes(32) + b"\x00" + b"\x13\x01" + b"\x00"
    if ext: b += len(ext).to_bytes(2, "big") + ext
    return b"\x02" + len(b).to_bytes(3, "big") + b
seeds = {
    "tls13": b"\x03" + rec(22, hello(0x0303, b"\x00\x2b\x00\x02\x03\x04")),
    "tls12": b"\x02" + rec(22, hello(0x0303)),
    "alert": b"\x00" + rec(21, b"\x02\x46"),
    "http": b"\x01HTTP/1.1 400 Bad Request\r\n\r\n",
}
for name, data in seeds.items():
    open(f"{out}/{name}", "wb").write(data)
EOF
      ;;
    helm_release)
      python3 - "$out" crates/shipcheck_helm/tests/fixtures/*.json <<'EOF'
import base64, json, sys
out = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    raw = open(path, "rb").read()
    open(f"{out}/objects-{i}-secret", "wb").write(b"\x02" + raw)
    open(f"{out}/objects-{i}-configmap", "wb").write(b"\x03" + raw)
    try:
        items = json.loads(raw)
        items = items.get("items", []) if isinstance(items, dict) else items
        for j, item in enumerate(items[:3]):
            rel = item.get("data", {}).get("release", "")
            if item.get("kind") == "Secret":
                rel = base64.b64decode(rel).decode()
            open(f"{out}/payload-{i}-{j}", "wb").write(b"\x00" + rel.encode())
    except (ValueError, AttributeError, TypeError):
        pass
EOF
      ;;
    tls_certificate)
      local pem n=0
      for pem in /etc/ssl/certs/*.pem; do
        [ -f "$pem" ] || continue
        openssl x509 -in "$pem" -outform DER -out "$out/$(basename "$pem" .pem).der" 2>/dev/null || true
        n=$((n + 1))
        [ $n -lt 12 ] || break
      done
      ;;
  esac
}

fixtures=crates/shipcheck_lint/resources/test/fixtures
plans=$(mktemp -d)
trap 'rm -rf "$plans"' EXIT
# Every ```yaml block of the plan documentation, one file each.
awk -v dir="$plans" '/^```yaml/ {n++; f=sprintf("%s/doc-%03d.yaml", dir, n); on=1; next}
  /^```/ {on=0; next} on {print > f}' docs/probes/*.md docs/plan.md

printf 'target\texecs\tseconds\texec_per_s\tcorpus_files\tresult\n' > fuzz/last-run.tsv
failed=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t" "fuzz/regressions/$t"
  case "$t" in
    plan_load) seed_dir "$t" "$plans"; seed "$t" examples/*/plan.yaml; dict=fuzz/dict/yaml.dict ;;
    yaml_tree) seed_dir "$t" "$shared/k8s" "$shared/compose" "$fixtures/k8s" "$fixtures/compose"; dict=fuzz/dict/yaml.dict ;;
    lint_text) seed_dir "$t" "$shared" "$fixtures"; dict=fuzz/dict/yaml.dict ;;
    helm_split) dict=fuzz/dict/yaml.dict ;;
    dockerfile) seed_dir "$t" "$shared/dockerfile" "$fixtures/dockerfile"; dict="" ;;
    dotenv) seed_dir "$t" "$shared/env" "$fixtures/env"; dict="" ;;
    secret_scan) seed_dir "$t" "$shared/env" "$fixtures/secrets"; dict="" ;;
    metrics_exposition) dict=fuzz/dict/metrics.dict ;;
    websocket | tls_server_hello) gen_binary_seeds "$t"; dict=fuzz/dict/http.dict ;;
    archive | tls_certificate | helm_release) gen_binary_seeds "$t"; dict="" ;;
    jsonpath) dict="" ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
  args=(-max_total_time="$seconds" -runs="$runs" -rss_limit_mb="$rss_mb"
    -timeout="$timeout_s" -max_len="$max_len" -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1)
  [ -z "$dict" ] || args+=(-dict="$dict")
  seeds=()
  for d in "fuzz/seeds/$t" "fuzz/regressions/$t"; do [ -d "$d" ] && seeds+=("$d"); done
  log="fuzz/artifacts/$t.log"
  start=$(date +%s.%N)
  status=ok
  nice -n 10 "$bin_dir/$t" "${args[@]}" "fuzz/corpus/$t" "${seeds[@]}" >"$log" 2>&1 || status=CRASH
  end=$(date +%s.%N)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.0f", b - a}')
  rate=$(awk -v n="${execs:-0}" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0) ? n / s : 0}')
  files=$(find "fuzz/corpus/$t" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "${execs:-0}" "$secs" "$rate" "$files" "$status" | tee -a fuzz/last-run.tsv
  if [ "$status" != ok ]; then
    failed=1
    grep -E 'panicked|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -5 >&2 || true
  fi
done
exit "$failed"
