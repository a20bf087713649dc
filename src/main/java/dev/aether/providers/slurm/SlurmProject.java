package dev.aether.providers.slurm;

import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.AetherProgram;
import dev.aether.core.spi.FolderStorage;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.Storage;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One project on the cluster: its bucket is a folder on the shared file system, its nodes are
 * agent jobs, and the coordinator runs in the launcher on the login node.
 *
 * <p>Why the login node and not a small Slurm job of its own: the coordinator is a light HTTP
 * server (tens of MB, idle between requests) that must outlive every agent job, and a job of its
 * own would need a time limit as long as the whole batch, would wait in the queue before the
 * first agent could start, and would need the launcher to find it again to follow the batch.
 * docs/slurm.md says it for users.
 */
final class SlurmProject implements ProviderProject {
  private final String name;
  private final SlurmProvider.Settings settings;
  private final SlurmCommands slurm;
  private final Path bucket;
  private final SlurmMachines.JobFiles files;
  private final SlurmMachines machines;
  private final FolderStorage storage;
  /** Found once, with the checks, by {@link #fixedNodes()}. */
  private List<ProvisionedInstance> plan;
  private String coordinatorHost;

  SlurmProject(String name, SlurmProvider.Settings settings, ProjectDirs dirs,
      AetherProgram aether, SlurmCommands slurm, Duration lostAfter) {
    this.name = name;
    this.settings = settings;
    this.slurm = slurm;
    this.bucket = settings.bucket().orElseGet(() -> dirs.bucket(name)).toAbsolutePath()
        .normalize();
    this.storage = new FolderStorage(bucket);
    this.files = new SlurmMachines.JobFiles(dirs.work(name).resolve("slurm"));
    this.machines = new SlurmMachines(name, settings, aether, slurm, bucket, files, lostAfter);
  }

  @Override
  public Storage storage() {
    return storage;
  }

  @Override
  public Storage prepareBucket() {
    if (Files.exists(bucket) && !Files.isDirectory(bucket)) {
      throw AetherException.invalidInput("--bucket " + bucket + ": not a folder");
    }
    return storage();
  }

  @Override
  public Machines machines() {
    return machines;
  }

  /**
   * The agent jobs to submit, after the checks that make sure Slurm takes them: sbatch on PATH,
   * the partition (its largest node, its time limit) and, through {@code sbatch --test-only},
   * the account, the QOS and the user's sbatch options. Any refusal is one line, exit 2, and
   * nothing is queued.
   */
  @Override
  public synchronized Optional<List<ProvisionedInstance>> fixedNodes() {
    if (plan == null) {
      SlurmProvider.JobShape shape = settings.jobs().orElseThrow(() -> new IllegalStateException(
          "the slurm provider was built without the batch's job shape"));
      slurm.requireSbatch();
      PartitionLimits limits = PartitionLimits.read(slurm, settings.partition());
      AgentJobs jobs = AgentJobs.plan(limits, shape, settings.nodes(), settings.timeLimit());
      ProvisionedInstance one = new ProvisionedInstance("slurm:" + limits.partition(),
          jobs.cpus(), jobs.jobsMemoryGb(), false, false, Optional.empty(),
          Optional.of(limits.partition()), Optional.of(SlurmProvider.NAME));
      preflight(one);
      coordinatorHost();
      plan = Collections.nCopies(jobs.count(), one);
    }
    return Optional.of(plan);
  }

  /**
   * The sbatch options of each distinct agent job, as the user would type them, and what the
   * memory is made of.
   */
  @Override
  public List<String> describe(List<ProvisionedInstance> nodes) {
    List<String> lines = new ArrayList<>();
    for (ProvisionedInstance agent : new LinkedHashSet<>(nodes)) {
      long count = nodes.stream().filter(agent::equals).count();
      SbatchRequest r = machines.request(agent, "#!/bin/bash\n",
          files.script(agent.processors(), SlurmMachines.memoryMb(agent)), files.log());
      List<String> options = new ArrayList<>();
      options.add("--job-name=" + r.jobName());
      r.partition().ifPresent(p -> options.add("--partition=" + p));
      r.account().ifPresent(a -> options.add("--account=" + a));
      r.timeLimit().ifPresent(t -> options.add("--time=" + SlurmTime.format(t)));
      options.add("--cpus-per-task=" + r.cpusPerTask());
      r.memoryMb().ifPresent(m -> options.add("--mem=" + m + "M"));
      options.addAll(r.extraArgs());
      lines.add("Submits " + count + " agent job" + (count == 1 ? "" : "s") + ": sbatch "
          + String.join(" ", options));
      lines.add("  (--mem: " + (SlurmMachines.memoryMb(agent) - AgentJobs.AGENT_MB)
          + " MB for the jobs, " + AgentJobs.AGENT_MB + " MB for the agent's JVM; agent logs in "
          + files.log().getParent() + ")");
    }
    return lines;
  }

  /** {@code sbatch --test-only} of one agent job as it will be submitted; queues nothing. */
  private void preflight(ProvisionedInstance agent) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("aether-slurm-preflight-");
      slurm.test(machines.request(agent,
          "#!/bin/bash\n# aether's check with sbatch --test-only; never runs\nexit 0\n",
          dir.resolve("preflight.sh"), dir.resolve("preflight.log")));
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "cannot write a temporary file for sbatch --test-only: " + e.getMessage(), e);
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * {@code --coordinator-host}, else the address of this machine on its route to slurmctld: the
   * compute nodes reach slurmctld, and the login node's address on that network is what they
   * reach it by. When slurmctld is this machine (a one-machine cluster), loopback. Found once,
   * with the other checks, before anything starts.
   *
   * @throws AetherException exit 2 naming --coordinator-host when it is not an address of this
   *     machine, or when none can be found
   */
  @Override
  public synchronized Optional<String> coordinatorHost() {
    if (coordinatorHost == null) {
      coordinatorHost = settings.coordinatorHost().map(SlurmProject::ownAddress)
          .orElseGet(this::towardsController);
    }
    return Optional.of(coordinatorHost);
  }

  private static String ownAddress(String host) {
    try {
      InetAddress address = InetAddress.getByName(host);
      if (address.isLoopbackAddress() || NetworkInterface.getByInetAddress(address) != null) {
        return address.getHostAddress();
      }
      throw AetherException.invalidInput("--coordinator-host " + host + ": " + address
          .getHostAddress() + " is not an address of this machine, so the coordinator cannot"
          + " listen on it");
    } catch (IOException e) {
      throw AetherException.invalidInput("--coordinator-host " + host + ": no such host ("
          + e.getMessage() + ")");
    }
  }

  private String towardsController() {
    SlurmCommands.Controller ctl = slurm.controller();
    try (DatagramSocket s = new DatagramSocket()) {
      // A UDP connect sends nothing: it only asks the kernel which local address routes there.
      s.connect(InetAddress.getByName(ctl.host()), ctl.port());
      InetAddress local = s.getLocalAddress();
      return local.isAnyLocalAddress() ? InetAddress.getLocalHost().getHostAddress()
          : local.getHostAddress();
    } catch (IOException e) {
      throw AetherException.invalidInput("--coordinator-host: cannot tell which address of this"
          + " machine the compute nodes reach (slurmctld at " + ctl.host() + ": "
          + e.getMessage() + "); give it with --coordinator-host");
    }
  }

  /** Cancels every agent job of the project that is still in the queue (any launcher's). */
  @Override
  public DownReport down(Duration wait) {
    String job = SlurmMachines.jobName(name);
    List<String> ids = slurm.named(job).stream().map(SlurmCommands.JobStatus::jobId).toList();
    List<String> lines = new ArrayList<>();
    if (ids.isEmpty()) {
      lines.add("No Slurm job of project " + name + " (job name " + job + ") is queued or"
          + " running.");
    } else {
      slurm.cancel(ids);
      lines.add("Cancelled " + ids.size() + " agent job(s) of project " + name + ": "
          + String.join(" ", ids));
    }
    long end = System.nanoTime() + wait.toNanos();
    List<SlurmCommands.JobStatus> left = slurm.named(job);
    while (!left.isEmpty() && System.nanoTime() < end) {
      sleep();
      left = slurm.named(job);
    }
    try {
      Files.deleteIfExists(files.token());
    } catch (IOException e) {
      lines.add("Could not delete the token file " + files.token() + ": " + e.getMessage());
    }
    if (!left.isEmpty()) {
      lines.add("Still ending after " + wait.toSeconds() + " s: " + String.join(" ",
          left.stream().map(s -> s.jobId() + " (" + s.slurmState().orElse("?") + ")").toList()));
    }
    lines.add("The bucket " + bucket + " and its results stay.");
    return new DownReport(lines, left.isEmpty());
  }

  @Override
  public void close() {}

  private static void sleep() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "interrupted while waiting for scancel");
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A leftover temporary folder of a few bytes is harmless.
    }
  }
}
