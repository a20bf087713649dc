package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** PartitionLimits read from the real test cluster, and checked against what Slurm accepts. */
@ExtendWith(SlurmCluster.class)
class PartitionLimitsClusterTest {
  private final SlurmCommands slurm;
  @TempDir Path dir;

  PartitionLimitsClusterTest(SlurmCluster.Running cluster) {
    this.slurm = cluster.commands();
  }

  @Test
  void readsTheDefaultPartitionsLargestNode() {
    PartitionLimits debug = PartitionLimits.read(slurm, Optional.empty());

    assertThat(debug.partition()).isEqualTo("debug");
    // tools/slurm-test-cluster.sh gives n1 every CPU of this machine, n2 one.
    assertThat(debug.largestCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(debug.nodes()).extracting(PartitionLimits.NodeSize::name)
        .containsExactlyInAnyOrder("n1", "n2");
    assertThat(debug.maxTime()).isEmpty();
  }

  @Test
  void refusesMoreCpusThanThePartitionsLargestNodeBeforeSubmitting() {
    int cpus = Runtime.getRuntime().availableProcessors();
    PartitionLimits debug = PartitionLimits.read(slurm, Optional.empty());
    PartitionLimits lng = PartitionLimits.read(slurm, Optional.of("long"));

    assertThatThrownBy(() -> debug.check(64, 1, Optional.empty()))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessage("-P 64: partition debug's largest node has " + cpus + " CPU"
            + (cpus == 1 ? "" : "s"));
    assertThatThrownBy(() -> lng.check(2, 0.25, Optional.empty()))
        .hasMessage("-P 2: partition long's largest node has 1 CPU");
    assertThatThrownBy(() -> debug.check(1, 100, Optional.empty()))
        .hasMessageStartingWith("-M 100: partition debug's largest node has "
            + debug.largestMemoryMb() + " MB");
    assertThatThrownBy(() -> lng.check(1, 0.25, Optional.of(Duration.ofDays(8))))
        .hasMessage("--time 8-00:00:00: partition long's time limit is 7-00:00:00");
  }

  @Test
  void aJobOfTheLargestNodesSizeRuns() {
    PartitionLimits debug = PartitionLimits.read(slurm, Optional.empty());
    // The largest node in CPUs is also the largest in memory on the test cluster (n1).
    double gb = debug.largestMemoryMb() / 1024.0;
    debug.check(debug.largestCpus(), gb, Optional.empty());

    String id = slurm.submit(new SbatchRequest("aether-test-largest", "#!/bin/bash\ntrue\n",
        dir.resolve("largest.sh"), dir.resolve("largest.log"), Optional.empty(),
        Optional.empty(), Optional.of(Duration.ofMinutes(5)), debug.largestCpus(),
        Optional.of(PartitionLimits.memoryMb(gb)), List.of(), Map.of()));
    try {
      Instant deadline = Instant.now().plusSeconds(30);
      SlurmCommands.JobStatus s;
      do {
        s = slurm.queue(List.of(id)).get(id);
        assertThat(Instant.now()).as("job %s ended within 30 s; last %s", id, s)
            .isBefore(deadline);
      } while (s.state() != NodeState.GONE && pause());
      assertThat(s.slurmState()).hasValue("COMPLETED");
    } finally {
      slurm.cancel(List.of(id));
    }
  }

  @Test
  void refusesAnUnknownPartitionNamingTheRealOnes() {
    assertThatThrownBy(() -> PartitionLimits.read(slurm, Optional.of("nosuch")))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessage("--partition nosuch: no such partition on this cluster; its partitions are "
            + "debug, long");
  }

  private static boolean pause() {
    try {
      Thread.sleep(100);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
