#!/usr/bin/env bash
# A one-machine Slurm cluster on localhost for Aether's tests (Debian slurm-wlm + munge).
#
#   tools/slurm-test-cluster.sh install   install slurm-wlm and munge if missing (apt-get)
#   tools/slurm-test-cluster.sh start     install if missing, then start munged, slurmctld and
#                                         one slurmd per node; waits until the nodes are idle
#   tools/slurm-test-cluster.sh stop      cancel every job, stop every daemon, leave nothing
#   tools/slurm-test-cluster.sh status    exit 0 only if the daemons run and sinfo shows every
#                                         node usable (idle, mixed or allocated)
#
# Everything lives under $AETHER_SLURM_DIR (default /tmp/aether-slurm): slurm.conf, the munge
# key and socket, state, spool, logs, pid files. Nothing under /etc is read or written, so clients
# must be pointed at the config: export SLURM_CONF=$AETHER_SLURM_DIR/slurm.conf
# start is idempotent (a healthy cluster is left as it is); stop is safe to repeat.
#
# The cluster (see "Gotchas" below for why each setting is there):
#   nodes      n1 (all CPUs of this machine, up to 2 GB of memory) and n2 (1 CPU, half n1's
#              memory): two slurmd daemons on this one host, each on its own port
#   partitions debug (default; n1, n2) and long (n2 only, 7-day limit)
#   no slurmdbd, no cgroups; jobs may run as root
#
# Environment: AETHER_SLURM_DIR (folder), AETHER_SLURM_PORT (slurmctld port, default 6817; the
# slurmd daemons take the next two). Root is needed (slurmd starts jobs as their users).
#
# Gotchas (Debian 12, Slurm 22.05.8, munge 0.5.15; as root, no systemd):
# - The packages' postinst scripts try to start the system's munged/slurmctld/slurmd; without
#   systemd invoke-rc.d declines. Debian's munge also makes /etc/munge/munge.key; we use our own.
# - munged refuses a socket in a folder others cannot enter: the socket lives in run/ (0755),
#   the key in munge/ (0700). The Slurm daemons and every client find it through AuthInfo.
# - Daemons inherit open descriptors: one that inherited the lock file's would hold the lock for
#   its life and make the next stop wait forever. They are started with it closed.
# - Daemons bind every interface by default. NoInAddrAny binds slurmd to its NodeAddr; slurmctld
#   needs NoCtldInAddrAny as well. SlurmctldHost=localhost(127.0.0.1) and NodeHostname=localhost
#   keep the cluster independent of what this machine's hostname resolves to.
# - Two slurmd on one host work with this build: `slurmd -N name`, a Port per NodeName, and %n
#   in SlurmdSpoolDir, SlurmdPidFile and SlurmdLogFile. Each slurmd detects the whole machine, so
#   SlurmdParameters=config_overrides makes slurm.conf's sizes count (else a node whose detected
#   size differs from its line is drained). RealMemory must not exceed what the machine has.
# - No cgroups (a container's cgroup tree is not writable): proctrack/linuxproc, task/none,
#   jobacct_gather/none. Root jobs need nothing (DisableRootJobs=NO is the default);
#   SlurmUser=root and SlurmdUser=root since there is no slurm user to switch to.
# - With memory consumable (CR_CPU_Memory), a job without --mem takes a whole node's memory and
#   blocks the node; DefMemPerCPU gives it a small default instead.
# - batch_sched_delay defaults to 3 s: a submitted job then waits up to 3 s to be scheduled.
# - No slurmdbd: --account is accepted whatever it says, and a partition with AllowAccounts makes
#   every job pend forever ("Job's account not known"); unknown accounts cannot be tested here.
# - EnforcePartLimits=NO (the default): a job over the partition's MaxTime is accepted and pends
#   forever (reason PartitionConfig); CPUs or memory beyond every node are refused by sbatch.
# - A fresh StateSaveLocation logs "Trying backup state save file. Jobs may be lost!", slurmd
#   logs that it cannot load mpi/pmix_v4, munged logs "Unauthorized credential" at start: all
#   harmless.
# - squeue -t all keeps ended jobs for MinJobAge (300 s); `squeue -j` of ids none of which is
#   known exits 1 with "Invalid job id specified". A client that cannot reach slurmctld retries
#   for about 18 s (MessageTimeout=10) before it fails.
# - slurmstepd (one per job) outlives its slurmd: stop cancels the jobs first, then ends what
#   carries this cluster's marker variable.
set -euo pipefail

DIR=${AETHER_SLURM_DIR:-/tmp/aether-slurm}
CTLD_PORT=${AETHER_SLURM_PORT:-6817}
NODES=(n1 n2)
PACKAGES=(slurm-wlm munge)   # slurm-wlm brings slurmctld, slurmd and slurm-client
START_DEADLINE=30            # seconds for the nodes to become idle
export SLURM_CONF=$DIR/slurm.conf
# The socket sits in run/ (0755): munged wants every user able to reach it (jobs of any user
# may call Slurm commands), while munge/ (0700) keeps the key.
MUNGE_SOCKET=$DIR/run/munge.socket.2
# Every daemon started here carries this variable, and so does every slurmstepd they fork: stop
# finds leftovers by it (and only by it), never by a process name shared with other clusters.
MARKER=AETHER_SLURM_CLUSTER=$DIR

say() { printf 'slurm-test-cluster: %s\n' "$*"; }
die() { printf 'slurm-test-cluster: %s\n' "$*" >&2; exit 1; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  (( ${#missing[@]} == 0 )) && return 0
  (( EUID == 0 )) || die "must run as root to install ${missing[*]} (apt-get)"
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
  say "installing ${missing[*]} (Debian packages, no recommends)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The packages' postinst scripts try to start the system's daemons through systemd; where there
  # is none (containers, CI) invoke-rc.d just declines, which is what we want: we start our own.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Starts a daemon with our marker, and without the lock's descriptor: a daemon that inherited it
# would hold the lock for its whole life, and the next stop would wait on it forever.
daemon() { env "$MARKER" "$@" 9>&-; }

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

daemons_alive() {
  local n
  pid_alive "$DIR/run/munged.pid" && pid_alive "$DIR/run/slurmctld.pid" || return 1
  for n in "${NODES[@]}"; do pid_alive "$DIR/run/slurmd-$n.pid" || return 1; done
}

# Nodes that sinfo does not show as usable, one "name state" per line; empty = all usable.
unusable_nodes() {
  local out
  out=$(sinfo --noheader --Node --format='%N %t' 2>&1) || { echo "sinfo: $out"; return 0; }
  # idle, mix, alloc and comp(leting) can take jobs; a trailing * means not responding, and
  # down, drain, unk(nown), fail, inval etc. cannot.
  awk '$2 !~ /^(idle|mix|alloc|comp)$/ {print}' <<<"$out"
  local n
  for n in "${NODES[@]}"; do grep -q "^$n " <<<"$out" || echo "$n missing"; done
}

healthy() { daemons_alive && [[ -z $(unusable_nodes) ]]; }

write_config() {
  local cpus mem_total n1_mem n2_mem
  cpus=$(nproc)
  mem_total=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
  n1_mem=$(( mem_total / 2 < 2048 ? mem_total / 2 : 2048 ))
  n2_mem=$(( n1_mem / 2 ))
  cat >"$SLURM_CONF" <<EOF
# Written by tools/slurm-test-cluster.sh: a one-machine test cluster. Do not edit; it is rewritten
# at every start.
ClusterName=aether-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
# Listen on 127.0.0.1 only (NodeAddr, SlurmctldHost's address), not on every interface.
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups (a container has no writable cgroup tree to give slurmd): processes are tracked by
# parent pid, tasks are not confined, nothing is gathered per job.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# No slurmdbd: no accounting storage, no job completion log.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
# Limits of the test runner (e.g. a low RLIMIT_NOFILE) are not forced onto jobs.
PropagateResourceLimits=NONE
# CPUs and memory are consumable, so --mem and --cpus-per-task are checked against the nodes.
SchedulerType=sched/backfill
# Start each job at once, not in batches every few seconds (the default for high throughput).
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
# Without a default, a job with no --mem would take a whole node's memory.
DefMemPerCPU=64
# Nodes' sizes come from this file, not from what each slurmd detects: both slurmd daemons run
# on one machine, and n2 is declared smaller than the machine on purpose.
SlurmdParameters=config_overrides
ReturnToService=2
# Fast test turnaround: cancelled jobs get SIGKILL 2 s after SIGTERM; finished jobs stay visible
# in squeue (COMPLETED, CANCELLED, ...) for MinJobAge seconds.
KillWait=2
MinJobAge=300
InactiveLimit=0
SlurmdTimeout=60
NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=$(( CTLD_PORT + 1 )) CPUs=$cpus RealMemory=$n1_mem State=UNKNOWN
NodeName=n2 NodeHostname=localhost NodeAddr=127.0.0.1 Port=$(( CTLD_PORT + 2 )) CPUs=1 RealMemory=$n2_mem State=UNKNOWN
PartitionName=debug Nodes=n1,n2 Default=YES MaxTime=INFINITE State=UP
PartitionName=long Nodes=n2 Default=NO MaxTime=7-00:00:00 State=UP
EOF
}

start_munged() {
  pid_alive "$DIR/run/munged.pid" && return 0
  [[ -f $DIR/munge/munge.key ]] || {
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    chmod 0600 "$DIR/munge/munge.key"
  }
  # munged checks that its key, socket and log folders are not writable by others.
  daemon munged --key-file="$DIR/munge/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$DIR/run/munged.pid" --seed-file="$DIR/munge/munged.seed" \
    --log-file="$DIR/log/munged.log"
  local i
  for (( i = 0; i < 50; i++ )); do
    munge -n -S "$MUNGE_SOCKET" 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "munged did not answer on $MUNGE_SOCKET; see $DIR/log/munged.log"
}

start() {
  install_packages
  (( EUID == 0 )) || die "must run as root (slurmd runs jobs as their users)"
  mkdir -p "$DIR"
  chmod 0755 "$DIR"
  exec 9>"$DIR/lock"
  flock 9
  if healthy; then
    say "already running ($SLURM_CONF)"
    return 0
  fi
  stop_everything quiet
  # A fresh state every start: no job or node state from an earlier run comes back.
  rm -rf "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
  mkdir -p "$DIR/munge" "$DIR/state" "$DIR/log" "$DIR/run"
  chmod 0755 "$DIR/run" "$DIR/log"
  for n in "${NODES[@]}"; do mkdir -p "$DIR/spool/$n"; done
  chmod 0700 "$DIR/munge"
  write_config
  local began=$SECONDS
  start_munged
  # -i: the state folder is empty on purpose; missing state files are no reason to stop.
  daemon slurmctld -i || die "slurmctld did not start; see $DIR/log/slurmctld.log"
  for n in "${NODES[@]}"; do
    daemon slurmd -N "$n" || die "slurmd $n did not start; see $DIR/log/slurmd-$n.log"
  done
  local deadline=$(( SECONDS + START_DEADLINE )) bad
  while :; do
    bad=$(unusable_nodes)
    [[ -z $bad ]] && daemons_alive && break
    for f in "$DIR"/run/*.pid; do
      # A daemon that wrote its pid file and died (a port in use, a bad config) will not come.
      if [[ -f $f ]] && ! pid_alive "$f"; then
        tail -n 5 "$DIR"/log/*.log >&2 || true
        die "$(basename "$f" .pid) died at start; logs in $DIR/log"
      fi
    done
    if (( SECONDS >= deadline )); then
      printf '%s\n' "$bad" >&2
      tail -n 5 "$DIR"/log/*.log >&2 || true
      die "nodes not idle after ${START_DEADLINE}s; logs in $DIR/log"
    fi
    sleep 0.2
  done
  say "started in $(( SECONDS - began ))s: nodes ${NODES[*]}; export SLURM_CONF=$SLURM_CONF"
}

# Pids of the processes that carry our marker variable (the daemons and their slurmstepd), and
# of every descendant of those (the jobs' own processes).
marked_pids() {
  local p roots=()
  for p in /proc/[0-9]*; do
    { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "$MARKER" && roots+=("${p#/proc/}")
  done
  (( ${#roots[@]} == 0 )) && return 0
  # Walk the parent links once: print each root and each process whose ancestry meets a root.
  ps -e -o pid=,ppid= | awk -v roots="${roots[*]}" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) mark[r[i]] = 1 }
    { parent[$1] = $2 }
    END {
      for (p in parent) {
        q = p
        while (q in parent && !(q in mark) && q > 1) q = parent[q]
        if (q in mark) print p
      }
    }'
}

# TERM to every pid in these pid files at once, then wait (KILL after 10 s) and drop the files.
stop_pidfiles() {
  local f pids=() p i
  for f in "$@"; do pid_alive "$f" && pids+=("$(cat "$f")"); done
  if (( ${#pids[@]} > 0 )); then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for (( i = 0; i < 100; i++ )); do
      local alive=()
      for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
      (( ${#alive[@]} == 0 )) && break
      pids=("${alive[@]}")
      sleep 0.1
    done
    (( i < 100 )) || kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  rm -f "$@"
}

stop_everything() {
  local quiet=${1:-} n i pids
  if pid_alive "$DIR/run/slurmctld.pid"; then
    # Cancel first, so slurmstepd ends each job's processes the ordinary way.
    pids=$(squeue --noheader --format=%A 2>/dev/null || true)
    if [[ -n $pids ]]; then
      # shellcheck disable=SC2086
      scancel $pids 2>/dev/null || true
      for (( i = 0; i < 100; i++ )); do
        [[ -z $(squeue --noheader --format=%A --states=PD,R,CG,CF,S,ST 2>/dev/null) ]] && break
        sleep 0.1
      done
    fi
  fi
  local files=("$DIR/run/slurmctld.pid")
  for n in "${NODES[@]}"; do files+=("$DIR/run/slurmd-$n.pid"); done
  stop_pidfiles "${files[@]}"
  # munged last: the Slurm daemons authenticate their goodbyes through it.
  stop_pidfiles "$DIR/run/munged.pid"
  # Anything of ours still alive (a slurmstepd whose slurmd was killed, a job it left behind).
  pids=$(marked_pids | grep -vx "$$" || true)
  if [[ -n $pids ]]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for (( i = 0; i < 30; i++ )); do
      pids=$(for p in $pids; do kill -0 "$p" 2>/dev/null && echo "$p"; done)
      [[ -z $pids ]] && break
      sleep 0.1
    done
    # shellcheck disable=SC2086
    [[ -n $pids ]] && kill -KILL $pids 2>/dev/null || true
  fi
  rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
  [[ -n $quiet ]] || say "stopped; nothing of $DIR is running"
}

stop() {
  [[ -d $DIR ]] || { say "not running (no $DIR)"; return 0; }
  exec 9>"$DIR/lock"
  flock 9
  stop_everything
}

status() {
  [[ -f $SLURM_CONF ]] || { say "not configured (no $SLURM_CONF)"; return 1; }
  daemons_alive || { say "not running (a daemon of $DIR is down)"; return 1; }
  local bad
  bad=$(unusable_nodes)
  sinfo --Node --format='%N %P %c %m %t' || true
  [[ -z $bad ]] || { say "nodes not usable: $(tr '\n' ';' <<<"$bad")"; return 1; }
  say "running; export SLURM_CONF=$SLURM_CONF"
}

case ${1:-} in
  install) install_packages ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) printf 'usage: %s install|start|stop|status (try --help)\n' "$0" >&2; exit 2 ;;
esac
