package dev.aether.providers.ssh;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.bucket.BucketServer;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.project.JoinTicket;
import dev.aether.core.project.JoinedNodes;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.Storage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One project on the user's hosts. The bucket is a folder on this machine (the same one the local
 * provider uses), served to the hosts over HTTP through their SSH tunnels; the coordinator runs in
 * the launcher. Opening logs in nowhere: the hosts are checked when they are first listed
 * ({@link #fixedNodes()}), and those connections carry everything after.
 */
final class SshProject implements ProviderProject {
  private static final Duration COPY_TIMEOUT = Duration.ofMinutes(30);

  private final SshProvider.Settings settings;
  private final ProjectDirs dirs;
  private final String name;
  private final SshProvider.FolderBucket folders;
  private final SshMachines machines = new SshMachines(this);
  private Storage bucket;
  private Path controlDir;
  private List<SshHost> hosts;
  private BucketServer bucketServer;
  private Optional<JoinTicket> published = Optional.empty();

  SshProject(SshProvider.Settings settings, ProjectDirs dirs, String name,
      SshProvider.FolderBucket folders) {
    this.settings = settings;
    this.dirs = dirs;
    this.name = name;
    this.folders = folders;
  }

  @Override
  public synchronized Storage storage() {
    if (bucket == null) {
      bucket = folders.open(dirs.bucket(name));
    }
    return bucket;
  }

  @Override
  public Storage prepareBucket() {
    return storage();
  }

  @Override
  public Machines machines() {
    return machines;
  }

  /** The hosts, each logged in and checked (exit status 2 naming the first one at fault). */
  @Override
  public Optional<List<ProvisionedInstance>> fixedNodes() {
    return Optional.of(hosts().stream()
        .map(h -> h.instance(settings.processorsPerJob(), settings.memoryPerJobGb())).toList());
  }

  @Override
  public List<String> describe(List<ProvisionedInstance> nodes) {
    return List.of("A host with slots=N in the hosts file offers only N jobs' worth. Cost: nothing"
        + " billed by Aether (your own machines).");
  }

  synchronized List<SshHost> hosts() {
    if (hosts == null) {
      hosts = HostProbe.checkAll(settings.entries(), sshSettings());
    }
    return hosts;
  }

  /** The checked host that the plan names {@code name}. */
  SshHost host(String hostName) {
    return hosts().stream().filter(h -> h.name().equals(hostName)).findFirst()
        .orElseThrow(() -> new AetherException(AetherException.UNEXPECTED_STATE, "the plan names"
            + " host " + hostName + ", which is not among the checked hosts"));
  }

  /**
   * What the agents need from this process: the bucket served over HTTP with the pipeline's
   * token (started on first use) and, so that {@code aether join} can find this batch, its join
   * ticket, unless the ticket for this very coordinator is already there (then this process is
   * itself a join, and the launcher owns the ticket).
   */
  synchronized AgentSession.Launch launch(NodeBootstrap bootstrap) {
    if (bucketServer == null) {
      bucketServer = BucketServer.start(storage(), Secret.of(bootstrap.token()),
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Path ticket = JoinTicket.file(dirs, name);
      if (!JoinTicket.holds(ticket, bootstrap.token())) {
        JoinTicket t = new JoinTicket(bootstrap.coordinator(), bootstrap.token(), name,
            settings.processorsPerJob(), settings.memoryPerJobGb(),
            ProcessHandle.current().pid());
        t.write(ticket);
        published = Optional.of(t);
      }
    }
    return new AgentSession.Launch(settings.agentJar().get(), bootstrap, bucketServer.port(),
        settings.lostAfter(), dirs.work(name).resolve("nodes"), COPY_TIMEOUT);
  }

  /** Nodes joined from other processes, counted only by the launcher (which owns the ticket). */
  synchronized List<String> joinedNodes() {
    return published.isPresent() ? JoinedNodes.alive(dirs, name) : List.of();
  }

  @Override
  public DownReport down(Duration wait) {
    machines.stopAll();
    return new DownReport(List.of("Project " + name + " buys nothing: its agents run on your hosts"
        + " only while the aether command that started them runs; stop that command (Ctrl-C)"
        + " and they end, with their jobs."), true);
  }

  @Override
  public synchronized void close() {
    machines.stopAll();
    if (bucketServer != null) {
      bucketServer.close();
      bucketServer = null;
    }
    published.ifPresent(t -> t.deleteIfCurrent(JoinTicket.file(dirs, name)));
    published = Optional.empty();
    if (hosts != null) {
      hosts.parallelStream().forEach(h -> h.connection().close());
      hosts = null;
    }
    if (controlDir != null) {
      try (Stream<Path> left = Files.walk(controlDir)) {
        for (Path p : left.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // A leftover empty folder in the temporary folder harms nothing.
      }
      controlDir = null;
    }
  }

  // Control sockets need a short path (about 100 bytes): a private temporary folder, not the
  // project's work folder, whose path the user chooses.
  private SshSettings sshSettings() {
    try {
      if (controlDir == null) {
        controlDir = Files.createTempDirectory("aether-ssh-");
      }
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR, "cannot make a private temporary folder"
          + " for the SSH connections: " + e.getMessage(), e);
    }
    Duration connect = settings.connectTimeout();
    Duration login = connect.multipliedBy(4).compareTo(Duration.ofSeconds(20)) > 0
        ? connect.multipliedBy(4) : Duration.ofSeconds(20);
    return new SshSettings("ssh", settings.sshConfig(), connect, login, controlDir,
        java.util.Map.of());
  }
}
