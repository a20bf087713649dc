package dev.aether.core.plan;

/** How many jobs a node runs at once, and the job script parameters that follow from it. */
public final class Slots {
  private Slots() {}

  /**
   * Jobs of P cores and M GB that fit on a machine: {@code min(floor(cores / P), floor(memGB /
   * M))}, 0 when not even one does. The bidder's k_t and the coordinator's slots both come from
   * here.
   */
  public static int fit(int cores, double memoryGb, int processorsPerJob, double memoryPerJobGb) {
    if (processorsPerJob <= 0 || !(memoryPerJobGb > 0)) {
      throw new IllegalArgumentException("processors and memory per job must be > 0, got "
          + processorsPerJob + " and " + memoryPerJobGb);
    }
    long byCores = cores / processorsPerJob;
    long byMemory = (long) Math.floor(memoryGb / memoryPerJobGb + 1e-9);
    return (int) Math.min(byCores, byMemory);
  }

  /**
   * {@link #fit}, at least 1: a node smaller than one job still runs one job at a time rather
   * than none (the bidder never picks such a node).
   */
  public static int forNode(int cores, double memoryGb, int processorsPerJob, double memoryPerJobGb) {
    return Math.max(1, fit(cores, memoryGb, processorsPerJob, memoryPerJobGb));
  }

  /** {@code $2} PROCS: the node's cores shared among its slots, at least 1. */
  public static int procs(int cores, int slots) {
    return Math.max(1, cores / slots);
  }

  /** {@code $3} MEMFRAC: 0.9 of the node's memory shared among its slots, as a decimal. */
  public static String memFrac(int slots) {
    return new java.math.BigDecimal("0.9")
        .divide(java.math.BigDecimal.valueOf(slots), 4, java.math.RoundingMode.DOWN)
        .stripTrailingZeros().toPlainString();
  }
}
