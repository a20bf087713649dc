package dev.aether.core.pipeline.agent;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the coordinator is lost: every call to it has failed for {@code lostAfter} of this
 * process's own running time. Time this process spent stopped (SIGSTOP, a suspended VM, a laptop
 * lid) does not count: a clock {@link #tick() ticked} every second notices the gap, and the
 * window starts again at resume, so a paused agent tries its coordinator again before it gives up;
 * the lease rules decide what became of its jobs meanwhile (the heartbeat says which leases it
 * lost).
 */
final class Reachability {
  private static final Logger log = LoggerFactory.getLogger(Reachability.class);
  /** How often {@link #tick()} is called. */
  static final Duration TICK = Duration.ofSeconds(1);
  /** A gap between ticks longer than this means the process was not running. */
  private static final long PAUSE_NANOS = Duration.ofSeconds(5).toNanos();

  private final long lostAfterNanos;
  private final LongSupplier nanos;
  private long lastTick;
  private long firstFailure = -1;
  private boolean lost;

  Reachability(Duration lostAfter, LongSupplier nanos) {
    this.lostAfterNanos = lostAfter.toNanos();
    this.nanos = nanos;
    this.lastTick = nanos.getAsLong();
  }

  /** Called every {@link #TICK} by a thread of its own. */
  synchronized void tick() {
    resumed(nanos.getAsLong());
  }

  /** The coordinator answered. */
  synchronized void answered() {
    resumed(nanos.getAsLong());
    firstFailure = -1;
  }

  /**
   * A call failed (no answer, or not a 200).
   *
   * @return true once the coordinator is lost (it stays lost)
   */
  synchronized boolean failed() {
    long now = nanos.getAsLong();
    resumed(now);
    if (firstFailure < 0) {
      firstFailure = now;
    }
    if (now - firstFailure > lostAfterNanos) {
      lost = true;
    }
    return lost;
  }

  synchronized boolean lost() {
    return lost;
  }

  private void resumed(long now) {
    long gap = now - lastTick;
    lastTick = now;
    if (gap > PAUSE_NANOS && !lost) {
      log.warn("this agent was stopped for {} s; the coordinator gets a new chance",
          Duration.ofNanos(gap).toSeconds());
      firstFailure = -1;
    }
  }
}
