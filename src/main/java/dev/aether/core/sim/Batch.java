package dev.aether.core.sim;

/**
 * The simulated batch: {@code jobs} jobs of {@code hours} each, every job needing {@code
 * processors} cores and {@code memoryGb} GB (how many run on a node is the coordinator's rule,
 * {@link dev.aether.core.plan.Slots#forNode}).
 */
public record Batch(int jobs, double hours, int processors, double memoryGb) {
  public Batch {
    if (jobs <= 0) {
      throw new IllegalArgumentException("jobs must be > 0, got " + jobs);
    }
    if (!(hours > 0) || Double.isInfinite(hours)) {
      throw new IllegalArgumentException("hours per job must be > 0, got " + hours);
    }
    if (processors <= 0) {
      throw new IllegalArgumentException("processors per job must be > 0, got " + processors);
    }
    if (!(memoryGb > 0)) {
      throw new IllegalArgumentException("memory per job must be > 0 GB, got " + memoryGb);
    }
  }
}
