package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.agent.Agent;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.NodeEnvironment;
import dev.aether.core.spi.NodeOptions;
import dev.aether.core.spi.Provider;
import dev.aether.providers.aws.AwsProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code aether agent}: the one agent of every provider, started on a node (by a local process,
 * an EC2 node's boot script, an SSH session, a Slurm job). Joins the coordinator and runs jobs
 * until the batch is over. The token comes from a file only its owner can read, or from the first
 * line of standard input; never from a flag.
 */
@Command(name = "agent", hidden = true, mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs jobs on this node for the project's coordinator (started by aether on"
        + " each node).")
final class AgentCommand implements Callable<Integer> {
  @Option(names = "--provider", required = true, paramLabel = "NAME",
      description = "The provider that started this node.")
  String provider;

  @Option(names = "--coordinator", required = true, paramLabel = "URL") URI coordinator;
  @Option(names = "--project", required = true, paramLabel = "NAME") String project;

  @Option(names = "--bucket", required = true, paramLabel = "BUCKET",
      description = "The project bucket, in the provider's words (bucket name, folder).")
  String bucket;

  @Mixin RegionOption region = new RegionOption();

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding the pipeline token (mode 0600); default: the first line of"
          + " standard input.")
  Path tokenFile;

  @Option(names = "--node", paramLabel = "ID", description = "This node's id (default: the"
      + " provider's, e.g. the instance id).")
  String node;

  @Option(names = "--cores", paramLabel = "N", description = "Cores to use (default: all).")
  Integer cores;

  @Option(names = "--memory-gb", paramLabel = "GB", description = "Memory to use (default: all).")
  Double memoryGb;

  @Option(names = "--address", paramLabel = "HOST", description = "This node's address for jobs"
      + " (default: the provider's).")
  String address;

  @Option(names = "--work", paramLabel = "DIR", description = "Folder for job folders and logs"
      + " (default: $AETHER_HOME/agent/PROJECT).")
  Path work;

  @Option(names = "--lost-after", paramLabel = "SECONDS", description = "Give up when the "
      + "coordinator is unreachable this long (default: 300).")
  double lostAfterSeconds = 300;

  @Option(names = "--stop-when-stdin-closes", description = "Kill the jobs and stop as soon as"
      + " standard input closes (the token comes on it; a local launcher keeps it open while it"
      + " lives, so its agents end with it, even when it is killed).")
  boolean stopWhenStdinCloses;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!(lostAfterSeconds > 0)) {
      throw AetherException.invalidInput("--lost-after must be > 0 seconds, got "
          + lostAfterSeconds);
    }
    BufferedReader stdin =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Secret token = Secret.of(tokenFile != null ? readToken(tokenFile) : readTokenFrom(stdin));
    Provider p = ProviderRegistry.named(provider, new ProviderChoice(Optional.of(provider),
        region.region == null ? AwsProvider.DEFAULT_REGION : region.region, Optional.empty(),
        Optional.empty(), AwsProvider.DEFAULT_INSTANCE_PROFILE, AwsProvider.DEFAULT_PORT,
        dev.aether.core.project.ProjectDirs.fromEnvironment()));
    NodeOptions options = new NodeOptions(project, bucket, Optional.ofNullable(region.region),
        Optional.ofNullable(node), Optional.ofNullable(cores), Optional.ofNullable(memoryGb),
        Optional.ofNullable(address), Optional.of(token.value()));
    Path dir = work != null ? work
        : dev.aether.core.project.ProjectDirs.fromEnvironment().home().resolve("agent")
            .resolve(project);
    return runAgent(p, options, coordinator, token, dir,
        Duration.ofMillis((long) (lostAfterSeconds * 1000)),
        stopWhenStdinCloses ? Optional.of(stdin) : Optional.empty());
  }

  /**
   * Runs an agent on this machine until the batch is over; also what {@code aether join} runs.
   *
   * @param endWith when given, the agent kills its jobs and stops as soon as this input ends
   */
  static int runAgent(Provider p, NodeOptions options, URI coordinator, Secret token, Path dir,
      Duration lostAfter, Optional<BufferedReader> endWith)
      throws IOException, InterruptedException {
    try (NodeEnvironment me = p.nodeEnvironment(options)) {
      Agent.Config config = new Agent.Config(coordinator, me.nodeId(), me.cores(), me.memoryGb(),
          dir, me.address(), lostAfter, p.can(Capability.ATTACH_STORAGE));
      Agent agent = new Agent(config, token, me.storage(), me.interruptionNotices());
      endWith.ifPresent(in -> watchForEndOf(in, agent));
      return agent.run();
    }
  }

  /** Stops {@code agent} when {@code in} ends: whoever started it, and holds the pipe, is gone. */
  private static void watchForEndOf(BufferedReader in, Agent agent) {
    Thread t = new Thread(() -> {
      try {
        while (in.read() != -1) {
          // nothing more is expected on it
        }
      } catch (IOException e) {
        // closed: the same as its end
      }
      agent.stopNow("the launcher that started this agent is gone (its standard input closed)");
    }, "aether-agent-stdin");
    t.setDaemon(true);
    t.start();
  }

  private static String readTokenFrom(BufferedReader in) throws IOException {
    String token = in.readLine();
    if (token == null || token.isBlank()) {
      throw AetherException.invalidInput("no token: give --token-file or the token as the first"
          + " line of standard input");
    }
    return token.strip();
  }

  /** The token file must be readable by its owner only: anything else may have leaked it. */
  static String readToken(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw AetherException.invalidInput("--token-file " + file + ": no such file");
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
      throw AetherException.invalidInput("--token-file " + file + " may be read by other users"
          + " (mode must be 0600)");
    }
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw AetherException.invalidInput("--token-file " + file + " is empty");
    }
    return token;
  }
}
