package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.agent.Agent;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.providers.aws.AwsClients;
import dev.aether.providers.aws.InterruptionNoticesImds;
import dev.aether.providers.aws.NodeIdentity;
import dev.aether.providers.aws.S3Storage;
import dev.aether.providers.local.LocalMachines;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aether agent}: run on an EC2 worker by its user-data. Joins the coordinator and runs jobs
 * until the batch is over. The token is read from a file only root can read, never from a flag.
 */
@Command(name = "agent", hidden = true, mixinStandardHelpOptions = true,
    description = "Runs jobs on this EC2 node for the project's coordinator (started by the node's"
        + " boot script).")
final class AgentCommand implements Callable<Integer> {
  /**
   * For tests only: seconds between two reads of the spot interruption notice (default 5, as AWS
   * suggests). An environment variable, not a flag: nothing a user should tune.
   */
  static final String POLL_ENV = "AETHER_INTERRUPTION_POLL_SECONDS";

  @Option(names = "--coordinator", required = true, paramLabel = "URL") URI coordinator;

  @Option(names = "--token-file", required = true, paramLabel = "FILE",
      description = "File holding the pipeline token (mode 0600).")
  Path tokenFile;

  @Option(names = "--project", required = true) String project;
  @Option(names = "--bucket", required = true) String bucket;
  @Option(names = "--region", required = true) String region;

  @Option(names = "--lost-after", paramLabel = "SECONDS", description = "Give up when the "
      + "coordinator is unreachable this long (default: 300).")
  long lostAfterSeconds = 300;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Secret token = Secret.of(readToken(tokenFile));
    NodeIdentity me = NodeIdentity.fromMetadata(System.getenv());
    ProvisionedInstance size = LocalMachines.thisMachine();
    Path work = ProjectDirs.fromEnvironment().home().resolve("agent");
    Agent.Config config = new Agent.Config(coordinator, me.instanceId(), size.processors(),
        size.ramGb(), work, me.privateIp(), Duration.ofSeconds(lostAfterSeconds));
    try (S3Storage storage = S3Storage.existing(AwsClients.forRegion(region), bucket)) {
      // Every AWS node watches for the spot notice; on-demand nodes simply never get one.
      try (InterruptionNoticesImds notices =
          new InterruptionNoticesImds(interruptionPoll(System.getenv()))) {
        return new Agent(config, token, storage, notices).run();
      }
    }
  }

  /** {@link #POLL_ENV} when set (whole seconds, 1 to 60), else AWS's 5 seconds. */
  static Duration interruptionPoll(Map<String, String> env) {
    String value = env.get(POLL_ENV);
    if (value == null || value.isBlank()) {
      return InterruptionNoticesImds.DEFAULT_INTERVAL;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      if (seconds >= 1 && seconds <= 60) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw AetherException.invalidInput(POLL_ENV + "='" + value + "' is not a number of seconds"
        + " from 1 to 60");
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
