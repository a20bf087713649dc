package dev.aether.core.pipeline.coordinator;

import dev.aether.core.catalog.Offer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Pools that were just interrupted, each left out of replacement plans for a while: AWS reclaims
 * spot capacity per pool, so a new instance in the same pool is likely to be interrupted again
 * soon (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html: "be flexible
 * about instance types and Availability Zones"). Thread-safe.
 */
public final class ExcludedPools {
  private final Duration window;
  private final LongSupplier clockMillis;
  private final Map<Pool, Long> until = new HashMap<>();

  /**
   * @param window how long an interrupted pool is left out (e.g. 30 minutes)
   * @param clockMillis the time now, in milliseconds
   */
  public ExcludedPools(Duration window, LongSupplier clockMillis) {
    if (window.isNegative()) {
      throw new IllegalArgumentException("exclusion window must be >= 0, got " + window);
    }
    this.window = window;
    this.clockMillis = clockMillis;
  }

  /** Leaves {@code pool} out from now until the window has passed. */
  public synchronized void exclude(Pool pool) {
    until.put(pool, clockMillis.getAsLong() + window.toMillis());
  }

  /** The pools left out now. */
  public synchronized Set<Pool> active() {
    long now = clockMillis.getAsLong();
    until.values().removeIf(end -> end <= now);
    return Set.copyOf(until.keySet());
  }

  /** {@code offers} without those from a pool that is left out now. */
  public synchronized List<Offer> filter(List<Offer> offers) {
    long now = clockMillis.getAsLong();
    until.values().removeIf(end -> end <= now);
    return offers.stream()
        .filter(o -> until.keySet().stream().noneMatch(p -> p.covers(o)))
        .toList();
  }
}
