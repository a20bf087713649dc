#!/usr/bin/env bash
# Benchmark of the bidder: plan time per solver (CBC, SCIP, CP-SAT inside the JVM), cbc and glpsol
# on the exported model, and our plan's cost against the 2017 algorithm. See bench/README.md.
# Usage: bench/bidder.sh [CATALOG_CSV] [REGION] [RUNS] [SOLVERS]
set -euo pipefail
cd "$(dirname "$0")/.."
csv=${1:-src/main/resources/dev/aether/core/catalog/aws-snapshot.csv}
region=${2:-us-east-1}
runs=${3:-5}
solvers=${4:-CBC,SCIP,CP_SAT}
offline=${MVN_OFFLINE:--o}

mvn -q -B $offline test-compile | sed "s/\x1b\[[0-9;]*m//g" >&2
cp_file=target/bench-bidder/classpath.txt
mkdir -p target/bench-bidder
mvn -q -B $offline dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
java -cp "target/test-classes:target/classes:$(cat "$cp_file")" dev.aether.bench.BidderBench \
  "$csv" "$region" "$runs" target/bench-bidder "$solvers"
