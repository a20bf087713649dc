package dev.aether.cli;

import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.remote.RemoteCoordinator;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.NodeEnvironment;
import dev.aether.core.spi.NodeOptions;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import dev.aether.providers.aws.AwsProvider;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aether coordinate}: run on the project's coordinator node by its boot script; see
 * {@link RemoteCoordinator}. The node shuts itself down (and so ends) when this command ends.
 */
@Command(name = "coordinate", hidden = true, mixinStandardHelpOptions = true,
    description = "Coordinates the project's batch from this cloud node (started by the node's"
        + " boot script).")
final class CoordinateCommand implements Callable<Integer> {
  @Option(names = "--provider", required = true, paramLabel = "NAME") String provider;
  @Option(names = "--bucket", required = true, paramLabel = "BUCKET") String bucket;
  @Mixin RegionOption region = new RegionOption();

  @Option(names = "--instance-profile", paramLabel = "NAME")
  String instanceProfile = AwsProvider.DEFAULT_INSTANCE_PROFILE;

  @Option(names = "--coordinator-port", paramLabel = "PORT")
  int coordinatorPort = AwsProvider.DEFAULT_PORT;

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    ProjectDirs dirs = ProjectDirs.fromEnvironment();
    String regionName = region.region == null ? AwsProvider.DEFAULT_REGION : region.region;
    Provider p = ProviderRegistry.named(provider, new ProviderChoice(Optional.of(provider),
        regionName, Optional.empty(), Optional.empty(), instanceProfile, coordinatorPort, dirs));
    String address;
    try (NodeEnvironment me = p.nodeEnvironment(new NodeOptions(bucket, bucket,
        Optional.of(regionName), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty()))) {
      address = me.address();
    }
    try (ProviderProject project = p.open(bucket)) {
      return RemoteCoordinator.run(p, project, dirs.work(bucket), address, new Log(out));
    }
  }

  /** Progress to the journal, one line per change. */
  private static final class Log implements PipelineListener {
    private final PrintWriter out;
    private LedgerCounts last;

    Log(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void started(LedgerCounts counts, String bucket, URI coordinator) {
      out.println("coordinator at " + coordinator + ", bucket " + bucket + ": " + counts);
      out.flush();
    }

    @Override
    public void progress(LedgerCounts counts) {
      if (!counts.equals(last)) {
        last = counts;
        out.println(counts);
        out.flush();
      }
    }
  }
}
