package dev.aether.core.plan;

/**
 * What a node offers the batch: its cores and memory. A node the user caps at N jobs at once
 * offers only N jobs' worth, so that the coordinator, which gives a node
 * {@link Slots#forNode} slots from its size, gives it at most N (and each job its P cores).
 *
 * @param cores processors, at least 1
 * @param memoryGb GB (10^9 bytes), more than 0
 */
public record NodeSize(int cores, double memoryGb) {
  public NodeSize {
    if (cores < 1 || !(memoryGb > 0)) {
      throw new IllegalArgumentException("a node has at least 1 core and some memory, got "
          + cores + " cores and " + memoryGb + " GB");
    }
  }

  /** At most {@code slots} jobs of P cores and M GB: N x P cores and N x M GB, when less. */
  public NodeSize cappedAt(int slots, int processorsPerJob, double memoryPerJobGb) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be at least 1, got " + slots);
    }
    if (slots >= Slots.forNode(cores, memoryGb, processorsPerJob, memoryPerJobGb)) {
      return this;
    }
    return new NodeSize(Math.min(cores, slots * processorsPerJob),
        Math.min(memoryGb, slots * memoryPerJobGb));
  }
}
