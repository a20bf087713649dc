#!/usr/bin/env bash
# Pipeline benchmarks (not part of the tests). Usage: bench/pipeline.sh [JOBS] [QUEUED]
#   JOBS    no-op jobs per run (default 10000; 2000 is kinder to a 2-core machine)
#   QUEUED  jobs in the ledger for the memory figure (default 1000000)
# Prints: aether vs GNU parallel vs xargs -P wall times at concurrency 2 and 8, coordinator
# assignments/s with 100 simulated agents on loopback, peak RSS with QUEUED jobs queued.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-10000}
QUEUED=${2:-1000000}

mvn -q -B test-compile | sed "s/\x1b\[[0-9;]*m//g" >&2
mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
CP="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf '#!/bin/sh\nexit 0\n' > "$WORK/noop.sh"
chmod +x "$WORK/noop.sh"
seq "$JOBS" > "$WORK/args.txt"
mkdir -p "$WORK/out"

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== $JOBS no-op jobs ($(nproc) cores)"
for C in 2 8; do
  t0=$(now)
  java -cp "$CP" dev.aether.bench.PipelineBench run "$WORK/home-$C" noop "$WORK/noop.sh" \
    "$WORK/args.txt" "$C"
  t1=$(now)
  # Same job contract for the baselines: script "$1" PROCS MEMFRAC PRIMARYHOST OUTPUTFOLDER LOCALIP
  parallel -j "$C" "$WORK/noop.sh" {} 1 0.9 localhost "$WORK/out" 127.0.0.1 < "$WORK/args.txt"
  t2=$(now)
  xargs -P "$C" -I{} "$WORK/noop.sh" {} 1 0.9 localhost "$WORK/out" 127.0.0.1 < "$WORK/args.txt"
  t3=$(now)
  a=$(awk -v x="$t0" -v y="$t1" 'BEGIN { print y - x }')
  p=$(awk -v x="$t1" -v y="$t2" 'BEGIN { print y - x }')
  x=$(awk -v x="$t2" -v y="$t3" 'BEGIN { print y - x }')
  printf 'concurrency %s: aether %.1f s (incl. JVM start), parallel %.1f s, xargs -P %.1f s;' \
    "$C" "$a" "$p" "$x"
  printf ' aether/parallel %s, aether/xargs %s\n' "$(ratio "$a" "$p")" "$(ratio "$a" "$x")"
done

echo "== coordinator throughput"
java -cp "$CP" dev.aether.bench.PipelineBench coordinator 20000 100

echo "== $QUEUED queued jobs"
java -cp "$CP" dev.aether.bench.PipelineBench queued "$QUEUED"
