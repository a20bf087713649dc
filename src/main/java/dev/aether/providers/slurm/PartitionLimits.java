package dev.aether.providers.slurm;

import dev.aether.core.AetherException;
import dev.aether.providers.slurm.SlurmCommands.NodeInfo;
import dev.aether.providers.slurm.SlurmCommands.Partition;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What one partition can give a single job, read from {@code scontrol show partition} and
 * {@code sinfo --Node} before anything is submitted, so that a job no node can take is refused
 * with one line instead of waiting in the queue forever (Slurm's default
 * {@code EnforcePartLimits=NO} queues a job over the partition's limits as PENDING with reason
 * PartitionConfig, and never starts it).
 *
 * @param partition the partition's name (the cluster's default when none was asked for)
 * @param nodes each node's size as this partition's jobs may use it: its CPUs and memory, capped
 *     by the partition's {@code MaxCPUsPerNode} and {@code MaxMemPerNode}
 * @param maxTime the partition's {@code MaxTime}; empty = unlimited
 */
record PartitionLimits(String partition, List<NodeSize> nodes, Optional<Duration> maxTime) {

  /** A node's usable size: CPUs and memory in MB (Slurm's MB are MiB). */
  record NodeSize(String name, int cpus, long memoryMb) {
    NodeSize {
      Objects.requireNonNull(name, "name");
    }
  }

  PartitionLimits {
    Objects.requireNonNull(partition, "partition");
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw AetherException.invalidInput("--partition " + partition + ": it has no nodes");
    }
    Objects.requireNonNull(maxTime, "maxTime");
  }

  /**
   * Reads the limits of the named partition, or of the default one.
   *
   * @throws AetherException exit 2 naming {@code --partition} when the cluster has no such
   *     partition, or no default one when none was named
   */
  static PartitionLimits read(SlurmCommands slurm, Optional<String> partition) {
    List<Partition> all = slurm.partitions();
    String names = all.stream().map(Partition::name).collect(Collectors.joining(", "));
    Partition p;
    if (partition.isPresent()) {
      p = all.stream().filter(x -> x.name().equals(partition.get())).findFirst()
          .orElseThrow(() -> AetherException.invalidInput("--partition " + partition.get()
              + ": no such partition on this cluster; its partitions are " + names));
    } else {
      p = all.stream().filter(Partition::isDefault).findFirst()
          .orElseThrow(() -> AetherException.invalidInput(
              "--partition: this cluster has no default partition; name one of " + names));
    }
    return of(p, slurm.nodes(p.name()));
  }

  /** The limits of a partition with these nodes. */
  static PartitionLimits of(Partition p, List<NodeInfo> nodes) {
    List<NodeSize> sizes = nodes.stream().map(n -> new NodeSize(n.name(),
        Math.min(n.cpus(), p.maxCpusPerNode().orElse(Integer.MAX_VALUE)),
        Math.min(n.memoryMb(), p.maxMemPerNodeMb().orElse(Long.MAX_VALUE)))).toList();
    return new PartitionLimits(p.name(), sizes, p.maxTime());
  }

  int largestCpus() {
    return nodes.stream().mapToInt(NodeSize::cpus).max().orElseThrow();
  }

  long largestMemoryMb() {
    return nodes.stream().mapToLong(NodeSize::memoryMb).max().orElseThrow();
  }

  /** MB that a job of this many GB asks Slurm for: Slurm's units are MiB (--mem=16G = 16384M). */
  static long memoryMb(double memoryGb) {
    return (long) Math.ceil(memoryGb * 1024 - 1e-9);
  }

  /**
   * Refuses a job of {@code processors} CPUs and {@code memoryGb} GB (Aether's -P and -M) that
   * no node of the partition can take, or a time limit over the partition's.
   *
   * @throws AetherException exit 2, one line naming -P, -M or --time
   */
  void check(int processors, double memoryGb, Optional<Duration> time) {
    long mb = memoryMb(memoryGb);
    if (processors > largestCpus()) {
      throw AetherException.invalidInput("-P " + processors + ": partition " + partition
          + "'s largest node has " + cpus(largestCpus()));
    }
    if (mb > largestMemoryMb()) {
      throw AetherException.invalidInput("-M " + gb(memoryGb) + ": partition " + partition
          + "'s largest node has " + largestMemoryMb() + " MB (" + gbOf(largestMemoryMb())
          + " GB) of memory");
    }
    if (slotsOnLargestNode(processors, memoryGb) == 0) {
      String sizes = nodes.stream().map(n -> cpus(n.cpus()) + " and " + n.memoryMb() + " MB")
          .distinct().limit(5).collect(Collectors.joining("; "));
      throw AetherException.invalidInput("-P " + processors + " -M " + gb(memoryGb)
          + ": no node of partition " + partition + " has both " + cpus(processors) + " and "
          + mb + " MB (its nodes have " + sizes + ")");
    }
    if (time.isPresent() && maxTime.isPresent()
        && SlurmTime.minutes(time.get()) > SlurmTime.minutes(maxTime.get())) {
      throw AetherException.invalidInput("--time " + SlurmTime.format(time.get())
          + ": partition " + partition + "'s time limit is " + SlurmTime.format(maxTime.get()));
    }
  }

  /**
   * Jobs of this size that the roomiest node takes at once: min(CPUs / P, memory / M), the
   * largest over the nodes. 0 when no node takes even one.
   */
  int slotsOnLargestNode(int processors, double memoryGb) {
    if (processors <= 0 || !(memoryGb > 0)) {
      throw new IllegalArgumentException("a job needs > 0 CPUs and > 0 GB");
    }
    long mb = memoryMb(memoryGb);
    return nodes.stream()
        .mapToInt(n -> (int) Math.min(n.cpus() / processors, n.memoryMb() / mb))
        .max().orElse(0);
  }

  private static String cpus(int n) {
    return n + (n == 1 ? " CPU" : " CPUs");
  }

  private static String gb(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static String gbOf(long mb) {
    return BigDecimal.valueOf(mb).divide(BigDecimal.valueOf(1024), 2, RoundingMode.FLOOR)
        .stripTrailingZeros().toPlainString();
  }
}
