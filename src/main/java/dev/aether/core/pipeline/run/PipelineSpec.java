package dev.aether.core.pipeline.run;

import dev.aether.core.project.ProjectName;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything {@link Pipeline#run} needs to run one project's batch. Build it with
 * {@link #builder(String, Path, Path)}; values are checked here, files when the run starts.
 *
 * @param name the project (-N); names the bucket
 * @param script the job script (-S)
 * @param binDir the folder of helper programs (-B), when given
 * @param dataDir the folder of input data (-D), when given
 * @param argsFile one job per line (-A)
 * @param processorsPerJob P (-P), cores one job needs
 * @param memoryPerJobGb M (-M), memory one job needs, GB
 * @param instances the machines to start (the plan, or the local machine)
 * @param slotsPerNode when present, every node runs this many jobs at once instead of
 *     {@code min(cores / P, memGB / M)}
 * @param maxAttempts runs a job gets before it is FAILED (default 3)
 * @param restart forget the ledger and run every job again (needed after the args file changed)
 * @param leaseTimeout a job returns to PENDING when its node is silent this long (default 60 s)
 * @param checkpointInterval least time between two ledger copies to {@code state/} (default 5 s)
 * @param bindHost the address the coordinator listens on (default 127.0.0.1)
 * @param coordinatorPort the coordinator's port; 0 picks a free one (default)
 * @param advertisedHost the host nodes use to reach the coordinator, when not {@code bindHost}
 * @param workDir the launcher's private folder for this project (holds the live ledger)
 * @param spotAttempts when present (K), after K spot interruptions of a job its next attempt
 *     runs on on-demand capacity (see {@code Coordinator.Settings#spotAttempts})
 * @param jobTimeout when present, a run longer than this is killed with every process it started
 *     and counts as a failed attempt ({@code --job-timeout})
 */
public record PipelineSpec(
    String name,
    Path script,
    Optional<Path> binDir,
    Optional<Path> dataDir,
    Path argsFile,
    int processorsPerJob,
    double memoryPerJobGb,
    List<ProvisionedInstance> instances,
    OptionalInt slotsPerNode,
    int maxAttempts,
    boolean restart,
    Duration leaseTimeout,
    Duration checkpointInterval,
    String bindHost,
    int coordinatorPort,
    Optional<String> advertisedHost,
    Path workDir,
    OptionalInt spotAttempts, Optional<Duration> jobTimeout) {

  public PipelineSpec {
    ProjectName.check(name);
    Objects.requireNonNull(script, "script (-S)");
    Objects.requireNonNull(argsFile, "args file (-A)");
    instances = List.copyOf(instances);
    if (processorsPerJob < 1) {
      throw AetherException.invalidInput(
          "processors per job (-P) must be at least 1, got " + processorsPerJob);
    }
    if (!(memoryPerJobGb > 0)) {
      throw AetherException.invalidInput(
          "memory per job (-M) must be more than 0 GB, got " + memoryPerJobGb);
    }
    if (instances.isEmpty()) {
      throw AetherException.invalidInput("no machines to run on: the plan has no instances");
    }
    if (slotsPerNode.isPresent() && slotsPerNode.getAsInt() < 1) {
      throw AetherException.invalidInput(
          "slots per node must be at least 1, got " + slotsPerNode.getAsInt());
    }
    if (maxAttempts < 1) {
      throw AetherException.invalidInput("max attempts must be at least 1, got " + maxAttempts);
    }
    if (leaseTimeout.toMillis() < 100) {
      throw AetherException.invalidInput("lease timeout must be at least 100 ms, got "
          + leaseTimeout.toMillis() + " ms");
    }
    if (jobTimeout.isPresent() && jobTimeout.get().toMillis() < 1) {
      throw AetherException.invalidInput("the job timeout (--job-timeout) must be more than 0,"
          + " got " + jobTimeout.get());
    }
    if (coordinatorPort < 0 || coordinatorPort > 65535) {
      throw AetherException.invalidInput(
          "coordinator port must be 0 to 65535, got " + coordinatorPort);
    }
    if (spotAttempts.isPresent() && spotAttempts.getAsInt() < 1) {
      throw AetherException.invalidInput("--spot-attempts must be at least 1, got "
          + spotAttempts.getAsInt());
    }
  }

  /** The live ledger's file. */
  public Path ledgerFile() {
    return workDir.resolve("ledger.db");
  }

  /** A builder with the defaults above; instances must be set. */
  public static Builder builder(String name, Path script, Path argsFile) {
    return new Builder(name, script, argsFile);
  }

  /** Fluent construction with the defaults documented on {@link PipelineSpec}. */
  public static final class Builder {
    private final String name;
    private final Path script;
    private final Path argsFile;
    private Optional<Path> binDir = Optional.empty();
    private Optional<Path> dataDir = Optional.empty();
    private int processorsPerJob = 1;
    private double memoryPerJobGb = 1;
    private List<ProvisionedInstance> instances = List.of();
    private OptionalInt slotsPerNode = OptionalInt.empty();
    private int maxAttempts = 3;
    private boolean restart;
    private Duration leaseTimeout = Duration.ofSeconds(60);
    private Duration checkpointInterval = Duration.ofSeconds(5);
    private String bindHost = "127.0.0.1";
    private int coordinatorPort;
    private Optional<String> advertisedHost = Optional.empty();
    private Path workDir;
    private OptionalInt spotAttempts = OptionalInt.empty();
    private Optional<Duration> jobTimeout = Optional.empty();

    private Builder(String name, Path script, Path argsFile) {
      this.name = name;
      this.script = script;
      this.argsFile = argsFile;
    }

    public Builder binDir(Path v) {
      binDir = Optional.ofNullable(v);
      return this;
    }

    public Builder dataDir(Path v) {
      dataDir = Optional.ofNullable(v);
      return this;
    }

    public Builder processorsPerJob(int v) {
      processorsPerJob = v;
      return this;
    }

    public Builder memoryPerJobGb(double v) {
      memoryPerJobGb = v;
      return this;
    }

    public Builder instances(List<ProvisionedInstance> v) {
      instances = v;
      return this;
    }

    public Builder slotsPerNode(int v) {
      slotsPerNode = OptionalInt.of(v);
      return this;
    }

    public Builder maxAttempts(int v) {
      maxAttempts = v;
      return this;
    }

    public Builder restart(boolean v) {
      restart = v;
      return this;
    }

    public Builder leaseTimeout(Duration v) {
      leaseTimeout = v;
      return this;
    }

    public Builder checkpointInterval(Duration v) {
      checkpointInterval = v;
      return this;
    }

    public Builder bindHost(String v) {
      bindHost = v;
      return this;
    }

    public Builder coordinatorPort(int v) {
      coordinatorPort = v;
      return this;
    }

    public Builder advertisedHost(String v) {
      advertisedHost = Optional.ofNullable(v);
      return this;
    }

    public Builder spotAttempts(int v) {
      spotAttempts = OptionalInt.of(v);
      return this;
    }

    /** No limit by default. */
    public Builder jobTimeout(Duration v) {
      jobTimeout = Optional.ofNullable(v);
      return this;
    }

    /** Defaults to {@code $AETHER_HOME/work/<name>} (see {@link ProjectDirs}). */
    public Builder workDir(Path v) {
      workDir = v;
      return this;
    }

    public PipelineSpec build() {
      Path work = workDir != null ? workDir : ProjectDirs.fromEnvironment().work(name);
      return new PipelineSpec(name, script, binDir, dataDir, argsFile, processorsPerJob,
          memoryPerJobGb, instances, slotsPerNode, maxAttempts, restart, leaseTimeout,
          checkpointInterval, bindHost, coordinatorPort, advertisedHost, work, spotAttempts,
          jobTimeout);
    }
  }
}
