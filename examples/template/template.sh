#!/bin/bash
# Template for an Aether job script. Aether runs it once per job (one line of the args file, -A)
# in a fresh working folder that contains:
#   bin/   your helper programs (-B), also first on PATH; bin/terminate_job.sh is a no-op kept
#          for 2017 scripts (Aether takes completion from this script's exit status)
#   data/  your input data (-D), or an empty folder
# stdout and stderr go to the bucket's logs/<job number>.log. Exit 0 means success; any other
# exit status is a failure, retried up to 3 times (then the job is FAILED).
set -euo pipefail

# $1 PASSEDARGUMENT: one line of the args file, exactly as written (spaces, quotes and $ included).
#    It is data, never run by a shell: quote it ("$1") wherever you use it.
PASSEDARGUMENT="$1"
# $2 PROCS: the cores this job may use (the node's cores / jobs running at once on it).
PROCS="$2"
# $3 MEMFRAC: the share of the node's memory this job may use, e.g. 0.45 (0.9 / jobs at once).
MEMFRAC="$3"
# $4 PRIMARYHOST: the host of the coordinator (the machine that launched the batch).
PRIMARYHOST="$4"
# $5 OUTPUTFOLDER: write your results here; they end up in the bucket's output/ folder.
#    Name them after the job (e.g. after $1): every job writes to the same folder.
OUTPUTFOLDER="$5"
# $6 LOCALIP: the address of the node running this job.
LOCALIP="$6"

# Also set: AETHER_JOB_NUMBER (names the log) and AETHER_ATTEMPT (1, 2, 3).

# Example: run a tool from bin/ on a file from data/, with the cores given.
# mytool --threads "$PROCS" --input "data/$PASSEDARGUMENT" --out "$OUTPUTFOLDER/$PASSEDARGUMENT.out"
echo "job $AETHER_JOB_NUMBER: '$PASSEDARGUMENT' on $LOCALIP with $PROCS cores, memory share $MEMFRAC"
