#!/bin/bash
# Aether's basic example job: writes its argument to a file, waits a little, and copies the file
# to the output folder, from where it reaches the bucket's output/.
set -euo pipefail

ARG="$1"          # one line of args.txt
PROCS="$2"        # cores this job may use
MEMFRAC="$3"      # share of the node's memory this job may use
PRIMARYHOST="$4"  # the coordinator's host
OUTPUTFOLDER="$5" # put results here
LOCALIP="$6"      # this node's address

result="result-$ARG.txt"
describe.sh "$ARG" "$PROCS" "$MEMFRAC" "$LOCALIP" > "$result"   # from bin/, which is on PATH
sleep "${AETHER_EXAMPLE_SLEEP:-3}"
cp "$result" "$OUTPUTFOLDER/"
