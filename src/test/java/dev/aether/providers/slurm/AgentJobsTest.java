package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.providers.slurm.SlurmCommands.NodeInfo;
import dev.aether.providers.slurm.SlurmCommands.Partition;
import dev.aether.providers.slurm.SlurmProvider.JobShape;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** How many agent jobs, how large: the rule of AgentJobs on given partitions. */
class AgentJobsTest {
  private static final Partition P = new Partition("p", true, "UP", Optional.empty(),
      Optional.empty(), Optional.empty());
  /** The test cluster's shape: n1 2 CPUs 2048 MB, n2 1 CPU 1024 MB. */
  private static final PartitionLimits SMALL = PartitionLimits.of(P, List.of(
      new NodeInfo("n1", 2, 2048, "idle"), new NodeInfo("n2", 1, 1024, "idle")));
  /** 100 nodes of 32 CPUs and 128 GB. */
  private static final PartitionLimits LARGE = PartitionLimits.of(P,
      Collections.nCopies(100, new NodeInfo("c", 32, 131_072, "idle")));

  static Stream<Arguments> plans() {
    return Stream.of(
        // one slot per agent job, as many as the partition holds at once
        Arguments.of(SMALL, new JobShape(1, 0.25, 20), Optional.empty(),
            new AgentJobs(3, 1, 1, 640, 0.25)),
        // no more agent jobs than jobs
        Arguments.of(SMALL, new JobShape(1, 0.25, 2), Optional.empty(),
            new AgentJobs(2, 1, 1, 640, 0.25)),
        // 80 jobs of 8 CPUs and 4 GB on the large cluster: 80 agent jobs of one slot
        Arguments.of(LARGE, new JobShape(8, 4, 80), Optional.empty(),
            new AgentJobs(80, 1, 8, 4096 + 384, 4)),
        // 1000 of them: 100 agent jobs at most, so 4 slots each (a whole node), 400 at once
        Arguments.of(LARGE, new JobShape(8, 4, 1000), Optional.empty(),
            new AgentJobs(100, 4, 32, 4 * 4096 + 384, 16)),
        // past 100 agent jobs, each carries several slots, up to what one node holds
        Arguments.of(LARGE, new JobShape(1, 1, 10_000), Optional.empty(),
            new AgentJobs(100, 32, 32, 32 * 1024 + 384, 32)),
        Arguments.of(LARGE, new JobShape(1, 1, 500), Optional.empty(),
            new AgentJobs(100, 5, 5, 5 * 1024 + 384, 5)),
        // --nodes N: N agents sharing the slots, each at most the largest node
        Arguments.of(SMALL, new JobShape(1, 0.25, 20), Optional.of(2),
            new AgentJobs(2, 2, 2, 512 + 384, 0.5)),
        Arguments.of(LARGE, new JobShape(2, 3, 40), Optional.of(4),
            new AgentJobs(4, 10, 20, 30 * 1024 + 384, 30)),
        // --nodes beyond the jobs: one agent per job
        Arguments.of(SMALL, new JobShape(1, 0.25, 3), Optional.of(10),
            new AgentJobs(3, 1, 1, 640, 0.25)));
  }

  @ParameterizedTest
  @MethodSource("plans")
  void sizesAgentJobsToTheJobsAndThePartition(PartitionLimits limits, JobShape shape,
      Optional<Integer> nodes, AgentJobs expected) {
    AgentJobs plan = AgentJobs.plan(limits, shape, nodes, Optional.empty());
    assertThat(plan).isEqualTo(expected);
    assertThat(plan.totalSlots()).isLessThanOrEqualTo(Math.max(shape.concurrency(), 1)
        + plan.slots() - 1);
  }

  @Test
  void refusesAJobThatLeavesNoRoomForTheAgent() {
    // 1.8 GB = 1844 MB fits n1's 2048 MB alone, not with the agent's 384 MB.
    assertThatThrownBy(() -> AgentJobs.plan(SMALL, new JobShape(1, 1.8, 4), Optional.empty(),
        Optional.empty()))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessage("-M 1.8: no node of partition p has room for one job's 1844 MB and the"
            + " agent's 384 MB (its largest node has 2048 MB)");
  }

  @Test
  void refusesMoreCpusThanTheLargestNodeHas() {
    assertThatThrownBy(() -> AgentJobs.plan(SMALL, new JobShape(3, 0.25, 4), Optional.empty(),
        Optional.empty()))
        .hasMessage("-P 3: partition p's largest node has 2 CPUs");
  }
}
