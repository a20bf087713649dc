package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.ProviderProject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Agent jobs as the pipeline's nodes, on the real test cluster. */
@ExtendWith(SlurmCluster.class)
class SlurmMachinesTest {
  private final SlurmCluster.Running cluster;
  @TempDir Path home;

  SlurmMachinesTest(SlurmCluster.Running cluster) {
    this.cluster = cluster;
  }

  @Test
  void anAgentJobWaitingInTheQueueIsAPendingNodeAliveUntilStopCancelsIt() throws Exception {
    String name = "slurm-pending";
    ProjectDirs dirs = new ProjectDirs(home);
    // --begin keeps it queued, as a busy cluster would.
    SlurmProvider slurm = SlurmInterruptionTest.provider(cluster, dirs,
        new SlurmProvider.Settings(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), List.of("--begin=now+3600"), Optional.empty(), Optional.empty(),
            Optional.of(new SlurmProvider.JobShape(1, 0.25, 1))));
    String token = "the-pipeline-token-" + System.nanoTime();
    try (ProviderProject project = slurm.open(name)) {
      List<ProvisionedInstance> plan = project.fixedNodes().orElseThrow();
      Machines machines = project.machines();

      List<Node> started = machines.start(plan,
          new NodeBootstrap(URI.create("http://127.0.0.1:9"), token, name));

      assertThat(started).singleElement().satisfies(n -> {
        assertThat(n.id()).matches("slurm-\\d+");
        assertThat(n.state()).isEqualTo(NodeState.PENDING);
      });
      Node node = started.get(0);
      assertThat(machines.list()).extracting(Node::id, Node::state)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(node.id(), NodeState.PENDING));
      assertThat(cluster.commands().named("aether-" + name)).singleElement()
          .satisfies(s -> assertThat(s.reason()).isEqualTo("BeginTime"));
      Path slurmDir = dirs.work(name).resolve("slurm");
      Path tokenFile = slurmDir.resolve("token");
      assertThat(tokenFile).hasContent(token);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)))
          .isEqualTo("rw-------");
      Path script = slurmDir.resolve("agent-1cpu-640mb.sh");
      assertThat(Files.readString(script)).contains("'--token-file' '" + tokenFile + "'")
          .contains("'--cores' '1' '--memory-gb' '0.25'").doesNotContain(token);

      machines.stop(node);

      assertThat(machines.list()).isEmpty();
      assertThat(machines.find(node.id())).map(Node::state).contains(NodeState.GONE);
      assertThat(cluster.commands().named("aether-" + name)).isEmpty();
      assertThat(tokenFile).doesNotExist();
    }
  }
}
