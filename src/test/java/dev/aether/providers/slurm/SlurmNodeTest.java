package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an agent learns of its Slurm job. */
class SlurmNodeTest {
  @TempDir Path bucket;

  private NodeOptions options(Optional<Integer> cores, Optional<Double> memoryGb) {
    return new NodeOptions("demo", bucket.toString(), Optional.empty(), Optional.empty(), cores,
        memoryGb, Optional.of("10.1.2.3"));
  }

  @Test
  void isNamedForItsJobAndSizedByTheLaunchersWords() {
    try (SlurmNode node = SlurmNode.fromEnvironment(options(Optional.of(4), Optional.of(16.0)),
        Map.of("SLURM_JOB_ID", "4242", "SLURM_CPUS_PER_TASK", "5",
            "SLURM_MEM_PER_NODE", "99999"))) {
      assertThat(node.nodeId()).isEqualTo("slurm-4242");
      assertThat(node.cores()).isEqualTo(4);
      assertThat(node.memoryGb()).isEqualTo(16.0);
      assertThat(node.address()).isEqualTo("10.1.2.3");
      assertThat(node.storage().localPath("output/")).contains(bucket.resolve("output"));
    }
  }

  @Test
  void withoutThemTakesItsAllocationLessTheAgentsMemory() {
    try (SlurmNode node = SlurmNode.fromEnvironment(options(Optional.empty(), Optional.empty()),
        Map.of("SLURM_JOB_ID", "7", "SLURM_RESTART_COUNT", "2", "SLURM_CPUS_PER_TASK", "3",
            "SLURM_MEM_PER_NODE", String.valueOf(2048 + AgentJobs.AGENT_MB)))) {
      // A requeued job runs a fresh agent under the same job id: a new node.
      assertThat(node.nodeId()).isEqualTo("slurm-7-r2");
      assertThat(node.cores()).isEqualTo(3);
      assertThat(node.memoryGb()).isEqualTo(2.0);
    }
  }

  @Test
  void outsideASlurmJobSaysSo() {
    assertThatThrownBy(() -> SlurmNode.fromEnvironment(options(Optional.empty(),
        Optional.empty()), Map.of()))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessageContaining("runs inside a Slurm job");
  }

  @Test
  void readsWhereSlurmctldListens() {
    // As scontrol show config printed it on the test cluster (Slurm 22.05), and with an address.
    assertThat(SlurmCommands.parseController("""
        SlurmctldAddr           = (null)
        SlurmctldHost[0]        = vm(127.0.0.1)
        SlurmctldPort           = 6817
        """)).isEqualTo(new SlurmCommands.Controller("127.0.0.1", 6817));
    assertThat(SlurmCommands.parseController("""
        SlurmctldAddr           = 10.0.0.5
        SlurmctldHost[0]        = head
        SlurmctldPort           = 6817-6818
        """)).isEqualTo(new SlurmCommands.Controller("10.0.0.5", 6817));
    assertThat(SlurmCommands.parseController("SlurmctldHost[0] = head\n"))
        .isEqualTo(new SlurmCommands.Controller("head", 6817));
  }
}
