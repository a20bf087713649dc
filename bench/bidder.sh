#!/usr/bin/env bash
# Benchmark of the bidder: plan time per solver (CBC, SCIP, CP-SAT inside the JVM), cbc and glpsol
# on the exported model, our plan's cost against the 2017 algorithm, and the wall time of whole
# `aether --dry-run` processes (JVM start included). See bench/README.md and docs/bidder.md.
# Usage: bench/bidder.sh [CATALOG_CSV] [REGION] [RUNS] [SOLVERS]
#        bench/bidder.sh --batch [CORES:GB:HOURS] [SHARES]   the paper's workload per objective
set -euo pipefail
cd "$(dirname "$0")/.."
offline=${MVN_OFFLINE--o}

fail() {
  echo "bench/bidder.sh: $*" >&2
  exit 1
}

command -v java >/dev/null || fail "no java on PATH (Java 17 is needed)"
command -v mvn >/dev/null || fail "no mvn on PATH (Maven 3.8 is needed)"

# One build for everything: the runnable jar (with every runtime dependency) and the bench mains
# among the test classes; no Maven plugin beyond the build's own is needed.
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
if ! mvn -q -B $offline -DskipTests package test-compile >"$build_log" 2>&1; then
  sed 's/\x1b\[[0-9;]*m//g' "$build_log" | tail -20 >&2
  if [ -n "$offline" ]; then
    fail "the offline build failed (above). On a fresh machine Maven must download the" \
      "dependencies once: run MVN_OFFLINE= bench/bidder.sh"
  fi
  fail "the build failed (above)"
fi
cp="target/test-classes:target/aether.jar"

if [ "${1:-}" = "--batch" ]; then
  exec java -cp "$cp" dev.aether.bench.BatchBench "${2:-16:64:3}" "${3:-1,0.5,0.25,0.1}"
fi

csv=${1:-src/main/resources/dev/aether/core/catalog/aws-snapshot.csv}
region=${2:-us-east-1}
runs=${3:-5}
solvers=${4:-CBC,SCIP,CP_SAT}
[ -f "$csv" ] || fail "no catalog file $csv"
mkdir -p target/bench-bidder
java -cp "$cp" dev.aether.bench.BidderBench "$csv" "$region" "$runs" target/bench-bidder \
  "$solvers"

# Whole dry runs, JVM start included, from the embedded catalog: median wall time of $runs.
work=$(mktemp -d)
trap 'rm -rf "$work" "$build_log"' EXIT
seq 1 20 >"$work/args-20.txt"
seq 1 1572 >"$work/args-1572.txt"
echo
echo "## Whole dry runs (ms, median of $runs, JVM start included; embedded catalog)"
echo
echo "| command | ms |"
echo "|---|---:|"
dry_run() {
  local label=$1
  shift
  local times=()
  rm -f "$work/warm.psv"
  java -jar target/aether.jar "$@" -L "$work/warm.psv" >/dev/null # first run unpacks natives
  for _ in $(seq 1 "$runs"); do
    rm -f "$work/p.psv"
    local start end
    start=$(date +%s%N)
    java -jar target/aether.jar "$@" -L "$work/p.psv" >/dev/null \
      || fail "aether $* failed"
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "| \`aether $label\` | $median |"
}
dry_run "--dry-run -A args-20.txt -P 2 -M 4" --dry-run -A "$work/args-20.txt" -P 2 -M 4
dry_run "--dry-run -A args-1572.txt -P 16 -M 64 --hours 3" --dry-run \
  -A "$work/args-1572.txt" -P 16 -M 64 --hours 3
