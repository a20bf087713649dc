package dev.aether.providers.slurm;

import dev.aether.core.AetherException;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.AetherProgram;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.NodeEnvironment;
import dev.aether.core.spi.NodeOptions;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The user's Slurm cluster: {@code aether} runs on a login node with the coordinator, the
 * project bucket is a folder on the cluster's shared file system, and the nodes are agent jobs
 * ({@code aether agent --provider slurm}) submitted with sbatch. See docs/slurm.md.
 */
public final class SlurmProvider implements Provider {
  public static final String NAME = "slurm";

  /**
   * The batch's jobs as the cluster must fit them: an agent job asks Slurm for whole multiples of
   * one job.
   *
   * @param processors -P, CPUs one job uses
   * @param memoryGb -M, GB one job uses (Slurm's GB: 1024 MB)
   * @param concurrency jobs to run at once at most: --concurrency, else the number of jobs
   */
  public record JobShape(int processors, double memoryGb, int concurrency) {
    public JobShape {
      if (processors < 1 || !(memoryGb > 0) || concurrency < 1) {
        throw new IllegalArgumentException("a job shape needs -P >= 1, -M > 0 and >= 1 job, got "
            + processors + ", " + memoryGb + ", " + concurrency);
      }
    }
  }

  /**
   * What the user chose for the cluster; each value is checked here (exit 2 naming the option).
   *
   * @param partition --partition; empty = the cluster's default partition
   * @param account --account; empty = the user's default account
   * @param time --time as the user wrote it (HH:MM:SS or any sbatch form); empty = the
   *     partition's default time limit
   * @param nodes --nodes: how many agent jobs to submit; empty = Aether decides (see
   *     {@link AgentJobs})
   * @param sbatchArgs --sbatch-arg, each one sbatch option such as {@code --qos=high}
   * @param bucket --bucket: the project folder on the shared file system; empty =
   *     {@code $AETHER_HOME/projects/NAME}
   * @param coordinatorHost --coordinator-host: the address agent jobs reach this login node at;
   *     empty = this machine's address on its way to slurmctld
   * @param jobs the batch's job shape; empty where no batch is started (down, status, an agent)
   */
  public record Settings(Optional<String> partition, Optional<String> account,
      Optional<String> time, Optional<Integer> nodes, List<String> sbatchArgs,
      Optional<Path> bucket, Optional<String> coordinatorHost, Optional<JobShape> jobs) {
    public Settings {
      Objects.requireNonNull(partition, "partition");
      Objects.requireNonNull(account, "account");
      time.ifPresent(Settings::parseTime);
      nodes.ifPresent(n -> {
        if (n < 1) {
          throw AetherException.invalidInput("--nodes must be at least 1, got " + n);
        }
      });
      sbatchArgs = List.copyOf(sbatchArgs);
      sbatchArgs.forEach(SbatchRequest::checkExtraArg);
      coordinatorHost.ifPresent(h -> {
        if (h.isBlank() || h.chars().anyMatch(Character::isWhitespace)) {
          throw AetherException.invalidInput("--coordinator-host '" + h
              + "': give one host name or address");
        }
      });
      Objects.requireNonNull(bucket, "bucket");
      Objects.requireNonNull(jobs, "jobs");
    }

    /** No choices: the cluster's defaults, and no batch (down, status, an agent). */
    public static Settings defaults() {
      return new Settings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          List.of(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** --time as a duration; empty for none (or UNLIMITED). */
    Optional<Duration> timeLimit() {
      return time.flatMap(Settings::parseTime);
    }

    private static Optional<Duration> parseTime(String text) {
      Optional<Duration> d;
      try {
        d = SlurmTime.parse(text);
      } catch (IllegalArgumentException e) {
        throw AetherException.invalidInput("--time " + text + ": not a Slurm time; write"
            + " HH:MM:SS, or D-HH:MM:SS for days");
      }
      if (d.isPresent() && d.get().isZero()) {
        throw AetherException.invalidInput("--time " + text + ": a time limit must be > 0");
      }
      return d;
    }
  }

  /** How long an agent job keeps trying a coordinator it cannot reach before it ends. */
  static final Duration LOST_AFTER = Duration.ofSeconds(300);

  private final Settings settings;
  private final ProjectDirs dirs;
  private final AetherProgram aether;
  private final SlurmCommands slurm;
  private final Duration lostAfter;

  /**
   * @param settings the user's choices
   * @param dirs where projects live on this machine ($AETHER_HOME, on the shared file system)
   * @param aether how compute nodes start {@code aether}: this Java and class path, which must be
   *     on the shared file system too
   */
  public SlurmProvider(Settings settings, ProjectDirs dirs, AetherProgram aether) {
    this(settings, dirs, aether, SlurmCommands.fromEnvironment(), LOST_AFTER);
  }

  SlurmProvider(Settings settings, ProjectDirs dirs, AetherProgram aether, SlurmCommands slurm,
      Duration lostAfter) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.dirs = Objects.requireNonNull(dirs, "dirs");
    this.aether = Objects.requireNonNull(aether, "aether");
    this.slurm = Objects.requireNonNull(slurm, "slurm");
    this.lostAfter = Objects.requireNonNull(lostAfter, "lostAfter");
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * OWN_MACHINES: the agent jobs are sized to the batch, not bought from a catalog (no BIDS). A
   * preempted or timed-out agent job is not replaced by the coordinator (no INTERRUPTIONS); its
   * agent still hands its leases back on Slurm's signal (see {@link SlurmSignals}).
   */
  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.OWN_MACHINES);
  }

  /** A login node: sbatch is on PATH (Slurm authenticates the user itself, through munge). */
  @Override
  public boolean credentialsFound() {
    return slurm.has("sbatch");
  }

  @Override
  public ProviderProject open(String name) {
    return new SlurmProject(name, settings, dirs, aether, slurm, lostAfter);
  }

  @Override
  public NodeEnvironment nodeEnvironment(NodeOptions options) {
    return SlurmNode.fromEnvironment(options, System.getenv());
  }
}
