package dev.aether.core.pipeline.agent;

import dev.aether.core.pipeline.coordinator.Lease;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One job on this node, the agent's side of its lease, as a state machine:
 *
 * <pre>
 *   LEASED --started--> RUNNING --exited--> ENDED      (report the exit code)
 *      \                   \
 *       `---cancel----------`---cancel----> CANCELLED  (killed: no log, no report)
 * </pre>
 *
 * A cancel after ENDED does nothing (the result is reported as usual); a start after CANCELLED
 * kills the process at once. Every change happens under this object's lock, so "cancelled?" and
 * "ended?" are never both true. Killing a run kills its whole process group
 * ({@link ProcessGroup}): the script and everything it started.
 */
final class JobRun {
  enum State { LEASED, RUNNING, ENDED, CANCELLED }

  final Lease lease;
  private State state = State.LEASED;
  private Process process;

  JobRun(Lease lease) {
    this.lease = lease;
  }

  synchronized State state() {
    return state;
  }

  /** The script's process has started; killed at once when the run was cancelled first. */
  synchronized void started(Process p) {
    process = p;
    if (state == State.CANCELLED) {
      kill(p);
    } else {
      state = State.RUNNING;
    }
  }

  /** Ends the run (the lease is lost, the batch is over, the node is interrupted). */
  synchronized void cancel() {
    if (state == State.ENDED || state == State.CANCELLED) {
      return;
    }
    state = State.CANCELLED;
    if (process != null) {
      kill(process);
    }
  }

  /** The run has ended by itself; false when it was cancelled first (then: no report). */
  synchronized boolean end() {
    if (state == State.CANCELLED) {
      return false;
    }
    state = State.ENDED;
    return true;
  }

  /** Cancels the run unless it has already ended; true when cancelled by this call. */
  synchronized boolean cancelUnlessEnded() {
    if (state == State.ENDED || state == State.CANCELLED) {
      return false;
    }
    cancel();
    return true;
  }

  /** Waits for the script's process; -1 when it never started. */
  int waitFor() throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    return p == null ? -1 : p.waitFor();
  }

  /**
   * Waits for the script's process at most {@code limit}; past it, kills the run's group.
   *
   * @return the exit status, or empty when the limit was reached (and the run killed)
   */
  java.util.OptionalInt waitFor(Duration limit) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null) {
      return java.util.OptionalInt.of(-1);
    }
    if (p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      return java.util.OptionalInt.of(p.exitValue());
    }
    synchronized (this) {
      kill(p);
    }
    p.waitFor();
    return java.util.OptionalInt.empty();
  }

  /**
   * Kills what the script left running when it ended (its process group): nothing a job started
   * outlives it, so nothing writes to its outputs once they are stored.
   */
  void sweep() {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p != null) {
      ProcessGroup.killGroup(p.pid());
    }
  }

  void awaitExit(Duration limit) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p != null) {
      p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static void kill(Process p) {
    // The script first, its group second: killed the other way round, the script could run its
    // next line (write a result) between its child's death and its own.
    ProcessGroup.kill(p.toHandle());
  }
}
