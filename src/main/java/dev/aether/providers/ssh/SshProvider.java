package dev.aether.providers.ssh;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.bucket.HttpStorage;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.InterruptionNotices;
import dev.aether.core.spi.NodeEnvironment;
import dev.aether.core.spi.NodeOptions;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.Storage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The user's own machines, reached with their OpenSSH client: {@code --provider ssh --hosts
 * hosts.txt}. The coordinator runs in the launcher; each host gets the jar, two reverse tunnels
 * (to the coordinator and to the bucket, both ending on the host's loopback: nothing is opened on
 * either machine's network) and one {@code aether agent}, with the token on the session's stdin.
 * The bucket stays a folder on the launcher's machine, served to the hosts through the tunnel.
 * Nothing is bought, so the bidder is skipped: the plan is the hosts, as big as they say they are.
 * Running batches can be joined ({@code aether join}), by this machine or another host. See
 * docs/ssh.md.
 */
public final class SshProvider implements Provider {
  public static final String NAME = "ssh";

  /** A folder on this machine used as a project bucket (the CLI passes the local provider's). */
  @FunctionalInterface
  public interface FolderBucket {
    Storage open(Path folder);
  }

  /**
   * What the user said about their hosts.
   *
   * @param hostsFile {@code --hosts}: the batch's hosts, one {@code [user@]host[:port] [slots=N]}
   *     a line
   * @param joinHost {@code aether join --host}: the one host to add to a running batch
   * @param joinSlots {@code aether join --slots}: at most this many jobs at once on it
   * @param sshConfig {@code --ssh-config}: an ssh_config to read instead of ~/.ssh/config
   * @param connectTimeout {@code --connect-timeout}: how long each host may take to answer
   * @param processorsPerJob -P: with {@code slots=N}, a host offers N times this
   * @param memoryPerJobGb -M: with {@code slots=N}, a host offers N times this
   * @param agentJar the jar the hosts run, asked for only when agents start
   * @param lostAfter an agent that cannot reach the coordinator this long ends its jobs and exits
   */
  public record Settings(Optional<Path> hostsFile, Optional<String> joinHost,
      Optional<Integer> joinSlots, Optional<Path> sshConfig, Duration connectTimeout,
      int processorsPerJob, double memoryPerJobGb, Supplier<Path> agentJar, Duration lostAfter) {
    public Settings {
      Objects.requireNonNull(agentJar, "agentJar");
      if (connectTimeout.toMillis() < 1000 || connectTimeout.toMillis() % 1000 != 0) {
        throw AetherException.invalidInput("--connect-timeout must be a whole number of seconds,"
            + " at least 1, got " + connectTimeout.toSeconds());
      }
      if (processorsPerJob < 1 || !(memoryPerJobGb > 0)) {
        throw new IllegalArgumentException("job size must be positive");
      }
      joinSlots.ifPresent(s -> {
        if (s < 1) {
          throw AetherException.invalidInput("--slots must be at least 1, got " + s);
        }
      });
      sshConfig.ifPresent(f -> {
        if (!java.nio.file.Files.isRegularFile(f)) {
          throw AetherException.invalidInput("--ssh-config " + f + ": no such file");
        }
      });
    }

    /** The hosts to use: the hosts file's lines, or the one host being joined. */
    List<HostsFile.Entry> entries() {
      if (joinHost.isPresent()) {
        try {
          return List.of(new HostsFile.Entry(SshAddress.parse(joinHost.get()), joinSlots, 1));
        } catch (IllegalArgumentException e) {
          throw AetherException.invalidInput("--host: " + e.getMessage());
        }
      }
      return HostsFile.read(hostsFile.orElseThrow(() -> AetherException.invalidInput(
          "--provider ssh needs --hosts FILE: your machines, one [user@]host[:port] a line,"
          + " e.g. alice@node1.example.org slots=4"))).entries();
    }
  }

  private final Settings settings;
  private final ProjectDirs dirs;
  private final FolderBucket folders;

  public SshProvider(Settings settings, ProjectDirs dirs, FolderBucket folders) {
    this.settings = settings;
    this.dirs = dirs;
    this.folders = folders;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.JOIN, Capability.OWN_MACHINES);
  }

  /**
   * True: it needs no credentials of its own (ssh finds the user's keys when it logs in). It is
   * still never the default: the user's hosts are used only when named, {@code --provider ssh}.
   */
  @Override
  public boolean credentialsFound() {
    return true;
  }

  @Override
  public ProviderProject open(String name) {
    return new SshProject(settings, dirs, name, folders);
  }

  /**
   * An agent on a host (its bucket is {@code http://...}, the launcher's bucket served through the
   * tunnel, read with the pipeline's token), or on the launcher's machine ({@code aether join}
   * without {@code --host}: the bucket's folder itself).
   */
  @Override
  public NodeEnvironment nodeEnvironment(NodeOptions options) {
    Storage storage;
    if (options.bucket().startsWith("http://") || options.bucket().startsWith("https://")) {
      Secret token = Secret.of(options.token().orElseThrow(() -> AetherException.invalidInput(
          "the bucket " + options.bucket() + " needs the pipeline's token")));
      storage = new HttpStorage(URI.create(options.bucket()), token, Duration.ofSeconds(60));
    } else {
      storage = folders.open(Path.of(options.bucket()));
    }
    return NodeEnvironment.of(options.node().orElse("ssh-" + ProcessHandle.current().pid()),
        options.address().orElse("127.0.0.1"), options, storage, InterruptionNotices.NONE,
        () -> { });
  }
}
