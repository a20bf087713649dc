package dev.aether.providers.local;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.AetherProgram;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.InterruptionNotices;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.NodeEnvironment;
import dev.aether.core.spi.NodeOptions;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.Storage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * This machine: the bucket is a folder under {@code $AETHER_HOME/projects/}, the node is this
 * machine's cores and memory running one agent process, the coordinator runs in the launcher.
 * Needs no account, so it is what a new user runs first.
 */
public final class LocalProvider implements Provider {
  public static final String NAME = "local";

  private final ProjectDirs dirs;
  private final AetherProgram aether;
  private final Duration lostAfter;

  /**
   * @param dirs where projects live on this machine
   * @param aether how to start {@code aether agent} as a process
   * @param lostAfter how long an agent waits for a lost coordinator before it ends its jobs
   */
  public LocalProvider(ProjectDirs dirs, AetherProgram aether, Duration lostAfter) {
    this.dirs = dirs;
    this.aether = aether;
    this.lostAfter = lostAfter;
  }

  public LocalProvider(ProjectDirs dirs, AetherProgram aether) {
    this(dirs, aether, Duration.ofSeconds(60));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.noneOf(Capability.class);
  }

  /** This machine needs none. */
  @Override
  public boolean credentialsFound() {
    return true;
  }

  @Override
  public ProviderProject open(String name) {
    LocalStorage bucket = new LocalStorage(dirs.bucket(name));
    LocalMachines machines = new LocalMachines(aether, name, bucket,
        dirs.work(name).resolve("nodes"), lostAfter);
    return new ProviderProject() {
      @Override
      public Storage storage() {
        return bucket;
      }

      @Override
      public Storage prepareBucket() {
        return bucket;
      }

      @Override
      public Machines machines() {
        return machines;
      }

      @Override
      public Optional<List<ProvisionedInstance>> fixedNodes() {
        return Optional.of(List.of(LocalMachines.thisMachine()));
      }

      @Override
      public DownReport down(Duration wait) {
        machines.started().forEach(machines::stop);
        return new DownReport(List.of("Nothing of project " + name + " runs on a cloud: a local"
            + " batch ends when its aether command ends."), true);
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public NodeEnvironment nodeEnvironment(NodeOptions options) {
    LocalStorage bucket = new LocalStorage(Path.of(options.bucket()));
    return NodeEnvironment.of(options.node().orElse("local-" + ProcessHandle.current().pid()),
        options.address().orElse("127.0.0.1"), options, bucket, InterruptionNotices.NONE,
        () -> { });
  }
}
