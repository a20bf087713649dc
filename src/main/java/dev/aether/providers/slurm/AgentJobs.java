package dev.aether.providers.slurm;

import dev.aether.core.AetherException;
import dev.aether.providers.slurm.PartitionLimits.NodeSize;
import dev.aether.providers.slurm.SlurmProvider.JobShape;
import java.time.Duration;
import java.util.Optional;

/**
 * How many agent jobs to submit, and how large each is. An agent job runs {@code slots} of the
 * batch's jobs at once, so it asks for {@code slots x P} CPUs and {@code slots x M} memory, plus
 * {@link #AGENT_MB} for the agent's own JVM, which shares the allocation (Slurm's cgroups would
 * otherwise count it against the jobs' memory and kill them).
 *
 * <p>The rule, and why (docs/slurm.md says it for users):
 *
 * <ul>
 *   <li>Without {@code --nodes}: one slot per agent job, like one task of an sbatch array per
 *       job. Small requests start soonest (the backfill scheduler fits them in gaps, where a
 *       whole-node request waits for a node to drain); fair share is charged for what runs; a
 *       preempted or timed-out agent takes one job with it, not a node's worth. As many agent
 *       jobs as the batch can use at once: min(jobs at once, what the whole partition could hold
 *       at once), at most {@link #MAX_AGENT_JOBS}; past that, each agent carries several slots
 *       (up to what one node holds) so that the queue is not flooded.
 *   <li>With {@code --nodes N}: N agent jobs, each with an equal share of the slots, up to what
 *       the partition's largest node holds: for clusters that hand out whole nodes, or that limit
 *       how many jobs a user may queue.
 * </ul>
 *
 * @param count agent jobs to submit
 * @param slots jobs each agent runs at once
 * @param cpus {@code --cpus-per-task} of each: slots x P
 * @param memoryMb {@code --mem} of each, in MB: slots x M (in MB, rounded up) + {@link #AGENT_MB}
 * @param jobsMemoryGb what each agent tells the coordinator it has for jobs: slots x M
 */
record AgentJobs(int count, int slots, int cpus, long memoryMb, double jobsMemoryGb) {
  /**
   * Memory for the agent's JVM ({@code -Xmx256m}, serial GC): heap, metaspace, threads. Measured
   * at about 145 MB resident while its jobs wrote 20 MB each to the bucket; the rest is room for
   * the heap to grow to its limit.
   */
  static final long AGENT_MB = 384;

  /** Agent jobs submitted when --nodes is not given, at most. */
  static final int MAX_AGENT_JOBS = 100;

  AgentJobs {
    if (count < 1 || slots < 1 || cpus < 1 || memoryMb < 1 || !(jobsMemoryGb > 0)) {
      throw new IllegalArgumentException("agent jobs: " + count + " x " + slots + " slots");
    }
  }

  /** Jobs the agents run at once, all together. */
  int totalSlots() {
    return count * slots;
  }

  /**
   * The agent jobs for a batch of {@code shape} on the partition of {@code limits}.
   *
   * @throws AetherException exit 2 naming -P, -M or --time when no node of the partition can
   *     take one job with its agent
   */
  static AgentJobs plan(PartitionLimits limits, JobShape shape, Optional<Integer> nodes,
      Optional<Duration> time) {
    int p = shape.processors();
    long m = PartitionLimits.memoryMb(shape.memoryGb());
    limits.check(p, shape.memoryGb(), time);
    int largest = limits.nodes().stream().mapToInt(n -> slotsOn(n, p, m)).max().orElse(0);
    if (largest < 1) {
      throw AetherException.invalidInput("-M " + plain(shape.memoryGb()) + ": no node of partition "
          + limits.partition() + " has room for one job's " + m + " MB and the agent's "
          + AGENT_MB + " MB (its largest node has " + limits.largestMemoryMb() + " MB)");
    }
    int wanted = shape.concurrency();
    int slots;
    int count;
    if (nodes.isPresent()) {
      slots = Math.min(largest, ceilDiv(wanted, nodes.get()));
      count = Math.min(nodes.get(), ceilDiv(wanted, slots));
    } else {
      slots = Math.min(largest, Math.max(1, ceilDiv(wanted, MAX_AGENT_JOBS)));
      int s = slots;
      int room = limits.nodes().stream().mapToInt(n -> agentsOn(n, p, m, s)).sum();
      count = Math.min(Math.min(ceilDiv(wanted, slots), room), MAX_AGENT_JOBS);
    }
    double jobsGb = slots * shape.memoryGb();
    return new AgentJobs(count, slots, slots * p, PartitionLimits.memoryMb(jobsGb) + AGENT_MB,
        jobsGb);
  }

  /** Slots one agent job could have on node {@code n}: its CPUs and its memory less the agent. */
  private static int slotsOn(NodeSize n, int p, long m) {
    return (int) Math.max(0, Math.min(n.cpus() / p, (n.memoryMb() - AGENT_MB) / m));
  }

  /** Agent jobs of {@code slots} slots that node {@code n} holds at once. */
  private static int agentsOn(NodeSize n, int p, long m, int slots) {
    return (int) Math.min(n.cpus() / ((long) slots * p), n.memoryMb() / (slots * m + AGENT_MB));
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static String plain(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
