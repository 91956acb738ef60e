#!/usr/bin/env bash
# Benchmark: the `package` and `parity` probes against the shell tools FIELD.md system 4 used,
# on the same generated release in the same run.
#   package: shipcheck (checksum + every entry read, hashed and scanned for secrets, bounded)
#            vs `sha256sum -c deploy.zip.sha256 && unzip -tq deploy.zip` (checksum + CRC test)
#   parity:  shipcheck (two trees compared by SHA-256 and mode) vs `diff -r package deployed`
# Prints the median wall time of RUNS runs and the peak RSS (GNU time) of each, and the ratios
# shipcheck / anchor (below 1 is faster). The speed is not bought by doing less: shipcheck also
# hashes and secret-scans every entry, which the anchors do not.
#
# Environment: RUNS (default 5), FILES (default 5000), FILE_KB (default 16), SHIPCHECK_BIN
# (skip the cargo build and use this binary). Needs python3, unzip, sha256sum, diff, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
FILES=${FILES:-5000}
FILE_KB=${FILE_KB:-16}
for n in "$RUNS" "$FILES" "$FILE_KB"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "RUNS, FILES and FILE_KB must be positive integers" >&2; exit 2; }
done
for t in python3 unzip sha256sum diff; do
  command -v "$t" >/dev/null || { echo "bench/package.sh: $t not found" >&2; exit 2; }
done
[[ $(/usr/bin/time -v true 2>&1) == *'Maximum resident set size'* ]] || { echo "needs GNU time at /usr/bin/time" >&2; exit 2; }
if [ -z "${SHIPCHECK_BIN:-}" ]; then
  cargo build --release -q -p shipcheck
  SHIPCHECK_BIN=$PWD/target/release/shipcheck
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK" "$FILES" "$FILE_KB" <<'PY'
import hashlib, os, random, shutil, sys, zipfile
work, files, kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(4)
pkg = os.path.join(work, "package")
for i in range(files):
    d = os.path.join(pkg, f"mod{i % 50:02d}")
    os.makedirs(d, exist_ok=True)
    words = [f"def f{j}(x):\n    return x * {rng.randrange(1000)}  # {rng.random()}\n" for j in range(kb * 1024 // 48)]
    with open(os.path.join(d, f"file{i}.py"), "w") as f:
        f.write("".join(words)[: kb * 1024])
with zipfile.ZipFile(os.path.join(work, "deploy.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, names in os.walk(pkg):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(root, n)
            z.write(p, os.path.relpath(p, pkg))
h = hashlib.sha256(open(os.path.join(work, "deploy.zip"), "rb").read()).hexdigest()
open(os.path.join(work, "deploy.zip.sha256"), "w").write(f"{h}  deploy.zip\n")
shutil.copytree(pkg, os.path.join(work, "deployed"))
PY
cat > "$WORK/package.yaml" <<YAML
name: bench package
checks:
  - id: package
    timeout: 5m
    package: { path: deploy.zip, checksum: deploy.zip.sha256 }
YAML
cat > "$WORK/parity.yaml" <<YAML
name: bench parity
checks:
  - id: parity
    timeout: 5m
    parity: { local: package, deployed: deployed }
YAML
size=$(du -sk "$WORK/package" | cut -f1)
zsize=$(du -k "$WORK/deploy.zip" | cut -f1)
echo "release: $FILES files, ${size} KiB unpacked, deploy.zip ${zsize} KiB; $RUNS runs each" >&2

# One timed run: prints "seconds rss_kib"; the command must succeed.
measure() {
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; echo "FAILED: $*" >&2; exit 1; }
  tail -1 "$WORK/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A T R
run() { # name, command…
  local name=$1; shift
  local times=() rss=()
  "$@" >/dev/null 2>&1 || true # warm-up (page cache)
  for _ in $(seq "$RUNS"); do
    read -r t m < <(cd "$WORK" && measure "$@")
    times+=("$t"); rss+=("$m")
  done
  T[$name]=$(printf '%s\n' "${times[@]}" | median)
  R[$name]=$(printf '%s\n' "${rss[@]}" | median)
  printf '%-22s median %6.2f s  peak RSS %7d KiB\n' "$name" "${T[$name]}" "${R[$name]}"
}
cd "$WORK"
run "shipcheck package" "$SHIPCHECK_BIN" verify package.yaml --output "$WORK/out1" -q
run "sha256sum + unzip -t" sh -c 'sha256sum -c --quiet deploy.zip.sha256 && unzip -tq deploy.zip'
run "shipcheck parity" "$SHIPCHECK_BIN" verify parity.yaml --output "$WORK/out2" -q
run "diff -r" diff -r package deployed
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "package: shipcheck/anchor time $(ratio "${T[shipcheck package]}" "${T[sha256sum + unzip -t]}")x, RSS $(ratio "${R[shipcheck package]}" "${R[sha256sum + unzip -t]}")x"
echo "parity:  shipcheck/anchor time $(ratio "${T[shipcheck parity]}" "${T[diff -r]}")x, RSS $(ratio "${R[shipcheck parity]}" "${R[diff -r]}")x"
