#!/usr/bin/env bash
# Chaos benchmark (not part of the tests). Usage: bench/chaos.sh [JOBS] [KILLS] [SEED]
#   JOBS   jobs of 0.2-0.8 s each (default 300)
#   KILLS  kill -9 of a random process (the launcher, an agent or a job script) every 1-3 s
#          while the batch runs (default 30)
#   SEED   for the random choices (default: the time)
# Runs the batch with the real launcher on the local provider (one agent, a slot per core), reruns it
# after each launcher kill or failed end, and prints the verdict: jobs lost, runs per job,
# duplicate AETHER_ATTEMPTs, runs started after their job was DONE, processes left over.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-300}
KILLS=${2:-30}
SEED=${3:-$(date +%s)}
RANDOM=$SEED

mvn -q -B ${MVN_OFFLINE:-} test-compile | sed "s/\x1b\[[0-9;]*m//g" >&2
mvn -q -B ${MVN_OFFLINE:-} dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
CP="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"

WORK=$(mktemp -d)
# Everything this benchmark started has $WORK on its command line.
ours() { pgrep -f -- "$1" | grep -v -x "$$" || true; }
cleanup() {
  for pid in $(ours "$WORK"); do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/runs"
cat > "$WORK/job.sh" <<SCRIPT
#!/bin/bash
echo "\$AETHER_ATTEMPT \$(date +%s%3N)" >> "$WORK/runs/\$AETHER_JOB_NUMBER"
sleep 0.\$(( (\$AETHER_JOB_NUMBER * 7 + \$AETHER_ATTEMPT) % 7 + 2 ))
echo "job \$1 attempt \$AETHER_ATTEMPT" > "\$5/out-\$AETHER_JOB_NUMBER"
SCRIPT
chmod +x "$WORK/job.sh"
seq "$JOBS" > "$WORK/args.txt"
printf 'local|2|4|false|false\n' > "$WORK/prov.psv"

launch() {
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CP" dev.aether.cli.Main \
    -L "$WORK/prov.psv" -A "$WORK/args.txt" -S "$WORK/job.sh" -N chaos -P 1 -M 0.5 \
    --provider local --aether-home "$WORK/home" >> "$WORK/launcher.log" 2>&1 &
  LAUNCHER=$!
}

pick() { [ $# -gt 0 ] && { local all=("$@"); echo "${all[RANDOM % $#]}"; } || true; }
# One of our processes matching $1, waiting up to 10 s for one (a launcher may be starting).
await_one() {
  local found
  for _ in $(seq 100); do
    found=$(pick $(ours "$1"))
    [ -n "$found" ] && { echo "$found"; return; }
    kill -0 "$LAUNCHER" 2>/dev/null || return 0
    sleep 0.1
  done
}

t0=$(date +%s.%N)
kills_launcher=0 kills_agent=0 kills_job=0 launches=1
launch
for ((k = 0; k < KILLS; k++)); do
  sleep "$((RANDOM % 3 + 1))"
  kill -0 "$LAUNCHER" 2>/dev/null || break  # finished before all the kills were spent
  case $((RANDOM % 3)) in
    0) kill -9 "$LAUNCHER"; wait "$LAUNCHER" 2>/dev/null || true
       kills_launcher=$((kills_launcher + 1)); launch; launches=$((launches + 1)) ;;
    1) victim=$(await_one "agent --provider local.*$WORK/home")
       [ -n "$victim" ] && kill -9 "$victim" && kills_agent=$((kills_agent + 1)) ;;
    2) victim=$(await_one "^/bin/bash $WORK/home/.*/job.sh")
       [ -n "$victim" ] && kill -9 "$victim" && kills_job=$((kills_job + 1)) ;;
  esac
done
# Let it end; a run that ended badly (failed jobs, every node stopped) is run again.
status=0
wait "$LAUNCHER" || status=$?
reruns=0
while [ "$status" -ne 0 ] && [ "$reruns" -lt 5 ]; do
  reruns=$((reruns + 1)); launches=$((launches + 1))
  launch; status=0; wait "$LAUNCHER" || status=$?
done
t1=$(date +%s.%N)
sleep 1
left=$(ours "$WORK" | wc -l)

printf 'seed %s; %d jobs; kill -9 of the launcher %d, agents %d, job scripts %d; %d launches'\
' (%d reruns after the kills); last exit %d; %.0f s\n' "$SEED" "$JOBS" "$kills_launcher" \
  "$kills_agent" "$kills_job" "$launches" "$reruns" "$status" \
  "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
java -cp "$CP" dev.aether.bench.ChaosCheck "$WORK/home/work/chaos/ledger.db" "$WORK/runs" \
  "$WORK/home/projects/chaos/output" && verdict=ok || verdict=FAILED
echo "processes left over: $left; verdict: $verdict"
[ "$verdict" = ok ] && [ "$left" -eq 0 ]
