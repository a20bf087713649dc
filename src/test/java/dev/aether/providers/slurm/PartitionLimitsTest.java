package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.providers.slurm.SlurmCommands.NodeInfo;
import dev.aether.providers.slurm.SlurmCommands.Partition;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules of PartitionLimits on given partitions; PartitionLimitsClusterTest reads real ones. */
class PartitionLimitsTest {
  private static final Partition GPU = new Partition("gpu", false, "UP", Optional.empty(),
      Optional.empty(), Optional.of(Duration.ofDays(2)));
  // Two nodes, neither larger than the other: one has CPUs, the other memory.
  private static final List<NodeInfo> UNEVEN = List.of(
      new NodeInfo("cpu1", 64, 8192, "idle"), new NodeInfo("mem1", 8, 524_288, "mix"));

  @Test
  void theLargestNodeIsTakenPerResource() {
    PartitionLimits l = PartitionLimits.of(GPU, UNEVEN);
    assertThat(l.largestCpus()).isEqualTo(64);
    assertThat(l.largestMemoryMb()).isEqualTo(524_288);
  }

  @Test
  void refusesAJobThatNeedsMoreThanAnyOneNodeHasOfBoth() {
    PartitionLimits l = PartitionLimits.of(GPU, UNEVEN);
    assertThatThrownBy(() -> l.check(16, 64, Optional.empty()))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessage("-P 16 -M 64: no node of partition gpu has both 16 CPUs and 65536 MB (its "
            + "nodes have 64 CPUs and 8192 MB; 8 CPUs and 524288 MB)");
  }

  @Test
  void takesAJobThatOneNodeFits() {
    PartitionLimits l = PartitionLimits.of(GPU, UNEVEN);
    l.check(64, 8, Optional.of(Duration.ofHours(48)));
    l.check(8, 512, Optional.empty());
    assertThat(l.slotsOnLargestNode(4, 2)).isEqualTo(4); // cpu1: min(64/4, 8192/2048)
    assertThat(l.slotsOnLargestNode(1, 0.5)).isEqualTo(16); // cpu1: 8192/512; mem1: 8
  }

  @Test
  void thePartitionsPerNodeCapsShrinkItsNodes() {
    Partition capped = new Partition("capped", true, "UP", Optional.of(16),
        Optional.of(65_536L), Optional.empty());
    PartitionLimits l = PartitionLimits.of(capped, UNEVEN);
    assertThat(l.largestCpus()).isEqualTo(16);
    assertThat(l.largestMemoryMb()).isEqualTo(65_536);
    assertThatThrownBy(() -> l.check(32, 1, Optional.empty()))
        .hasMessage("-P 32: partition capped's largest node has 16 CPUs");
    assertThatThrownBy(() -> l.check(1, 128, Optional.empty()))
        .hasMessage("-M 128: partition capped's largest node has 65536 MB (64 GB) of memory");
  }

  @Test
  void refusesATimeOverThePartitionsLimit() {
    PartitionLimits l = PartitionLimits.of(GPU, UNEVEN);
    assertThatThrownBy(() -> l.check(1, 1, Optional.of(Duration.ofHours(48).plusSeconds(1))))
        .hasMessage("--time 2-00:00:01: partition gpu's time limit is 2-00:00:00");
  }

  @Test
  void memoryInGbIsSlurmsMib() {
    assertThat(PartitionLimits.memoryMb(16)).isEqualTo(16_384);
    assertThat(PartitionLimits.memoryMb(0.1)).isEqualTo(103);
  }

  @Test
  void readsALineOfScontrolShowPartition() {
    // As scontrol --oneliner show partition printed it on the test cluster (Slurm 22.05).
    String line = "PartitionName=long AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL "
        + "AllocNodes=ALL Default=NO QoS=N/A DefaultTime=NONE DisableRootJobs=NO "
        + "ExclusiveUser=NO GraceTime=0 Hidden=NO MaxNodes=UNLIMITED MaxTime=7-00:00:00 "
        + "MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED Nodes=n2 PriorityJobFactor=1 "
        + "PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO OverTimeLimit=NONE "
        + "PreemptMode=OFF State=UP TotalCPUs=1 TotalNodes=1 SelectTypeParameters=NONE "
        + "JobDefaults=(null) DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED "
        + "TRES=cpu=1,mem=1G,node=1,billing=1";
    assertThat(SlurmCommands.parsePartition(line)).isEqualTo(new Partition("long", false, "UP",
        Optional.empty(), Optional.empty(), Optional.of(Duration.ofDays(7))));
  }

  @Test
  void aPartitionWithoutNodesIsRefused() {
    assertThatThrownBy(() -> PartitionLimits.of(GPU, List.of()))
        .hasMessage("--partition gpu: it has no nodes");
  }
}
