package dev.aether.providers.slurm;

import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.AetherProgram;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch's agent jobs: each plan instance is one sbatch job running {@code aether agent
 * --provider slurm} with the instance's CPUs and memory (plus the agent's own,
 * {@link AgentJobs#AGENT_MB}). A node's id is {@code slurm-JOBID}; its state is the job's, through
 * {@link SlurmStates}, so a job waiting in the queue is a PENDING node, alive.
 *
 * <p>The token reaches the agents in a file of mode 0600 in the launcher's work folder (on the
 * shared file system, like every user's home): the job script names the file and holds no secret,
 * and neither does sbatch's command line or environment. The file is deleted once every agent
 * job is stopped.
 *
 * <p>Nothing is left in the queue: {@link #stop} cancels a job whatever its state, the pipeline
 * stops every node it started when the batch ends or fails, and a shutdown hook cancels what is
 * still queued when the launcher is interrupted (Ctrl-C, SIGTERM). A launcher killed with
 * SIGKILL leaves its agents to give up on the lost coordinator ({@code --lost-after}), or to
 * {@code aether down}.
 */
final class SlurmMachines implements Machines {
  private static final Logger log = LoggerFactory.getLogger(SlurmMachines.class);
  private static final Duration QUERY_INTERVAL = Duration.ofSeconds(1);

  /** Where Slurm jobs' nodes learn what they need; shared by the agent jobs of one launcher. */
  record JobFiles(Path folder) {
    Path token() {
      return folder.resolve("token");
    }

    Path script(int cpus, long memoryMb) {
      return folder.resolve("agent-" + cpus + "cpu-" + memoryMb + "mb.sh");
    }

    /** sbatch writes {@code %j} as the job id. */
    Path log() {
      return folder.resolve("logs").resolve("agent-%j.log");
    }

    Path logOf(String jobId) {
      return folder.resolve("logs").resolve("agent-" + jobId + ".log");
    }
  }

  private final String project;
  private final SlurmProvider.Settings settings;
  private final AetherProgram aether;
  private final SlurmCommands slurm;
  private final Path bucket;
  private final JobFiles files;
  private final Duration lostAfter;
  /** Every agent job this launcher submitted, by node id, with its last known state. */
  private final Map<String, Node> submitted = new LinkedHashMap<>();
  private Thread cancelOnExit;
  private long lastQuery = System.nanoTime() - QUERY_INTERVAL.toNanos();

  SlurmMachines(String project, SlurmProvider.Settings settings, AetherProgram aether,
      SlurmCommands slurm, Path bucket, JobFiles files, Duration lostAfter) {
    this.project = project;
    this.settings = settings;
    this.aether = aether;
    this.slurm = slurm;
    this.bucket = bucket;
    this.files = files;
    this.lostAfter = lostAfter;
  }

  /** The job name of every agent job of a project: what squeue shows and down finds. */
  static String jobName(String project) {
    return "aether-" + project;
  }

  static String jobId(Node node) {
    return node.id().substring("slurm-".length());
  }

  @Override
  public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
    List<Node> started = new ArrayList<>();
    try {
      writeToken(bootstrap.token());
      synchronized (this) {
        if (cancelOnExit == null) {
          cancelOnExit = new Thread(this::cancelEverything, "slurm-cancel-on-exit");
          Runtime.getRuntime().addShutdownHook(cancelOnExit);
        }
      }
      for (ProvisionedInstance instance : instances) {
        String id = slurm.submit(request(instance, bootstrap));
        Node node = new Node("slurm-" + id, instance, Optional.empty(), NodeState.PENDING);
        synchronized (this) {
          submitted.put(node.id(), node);
        }
        started.add(node);
      }
      log.info("submitted {} agent job(s) of project {}: {}", started.size(), project,
          started.stream().map(SlurmMachines::jobId).toList());
      return started;
    } catch (RuntimeException e) {
      started.forEach(this::stop);
      deleteToken();
      throw e;
    }
  }

  /** One agent job for {@code instance}, running the real agent. */
  private SbatchRequest request(ProvisionedInstance instance, NodeBootstrap bootstrap) {
    String body = AgentScript.body(aether, new AgentScript.Agent(bootstrap.coordinator(),
        project, bucket, files.token(), instance.processors(), instance.ramGb(), lostAfter));
    return request(instance, body, files.script(instance.processors(), memoryMb(instance)),
        files.log());
  }

  /**
   * The sbatch request of an agent job for {@code instance}: its CPUs, its jobs' memory plus the
   * agent's, the user's options, and Aether's warning before the time limit.
   */
  SbatchRequest request(ProvisionedInstance instance, String body, Path script, Path output) {
    List<String> args = new ArrayList<>(settings.sbatchArgs());
    // After the user's options, so that it wins (sbatch keeps the last of a repeated option).
    args.add("--signal=B:" + SlurmSignals.TIME_SIGNAL + "@" + SlurmSignals.WARN_SECONDS);
    return new SbatchRequest(jobName(project), body, script, output, settings.partition(),
        settings.account(), settings.timeLimit(), instance.processors(),
        Optional.of(memoryMb(instance)), args, Map.of());
  }

  /** {@code --mem} of an agent job: its jobs' memory and the agent's own. */
  static long memoryMb(ProvisionedInstance instance) {
    return PartitionLimits.memoryMb(instance.ramGb()) + AgentJobs.AGENT_MB;
  }

  @Override
  public List<Node> list() {
    return current().stream().filter(n -> n.state().alive()).toList();
  }

  @Override
  public Optional<Node> find(String id) {
    return current().stream().filter(n -> n.id().equals(id)).findFirst();
  }

  /**
   * Every submitted agent job in its state now. When squeue cannot answer (slurmctld busy or
   * restarting), the last known states stand: the agents talk to the coordinator, not to
   * slurmctld, so a slow controller must not end the batch.
   */
  private List<Node> current() {
    List<Node> known;
    synchronized (this) {
      known = List.copyOf(submitted.values());
      // squeue at most once a second: the pipeline asks often, slurmctld serves the whole site.
      if (known.isEmpty() || System.nanoTime() - lastQuery < QUERY_INTERVAL.toNanos()) {
        return known;
      }
      lastQuery = System.nanoTime();
    }
    Map<String, SlurmCommands.JobStatus> now;
    try {
      now = slurm.queue(known.stream().map(SlurmMachines::jobId).toList());
    } catch (AetherException e) {
      log.warn("cannot read the agent jobs' states ({}); taking the last known", e.getMessage());
      return known;
    }
    List<Node> out = new ArrayList<>();
    synchronized (this) {
      for (Node n : known) {
        Node stored = submitted.get(n.id());
        // A job that was cancelled, or seen ending, stays gone even if squeue is a moment behind.
        Node updated = stored.state() == NodeState.GONE ? stored
            : stored.in(now.get(jobId(n)).state());
        submitted.put(n.id(), updated);
        out.add(updated);
      }
    }
    return out;
  }

  /**
   * Cancels the agent job, whatever its state; once none is left, deletes the token file. Never
   * throws: the pipeline stops every node in turn, and one failed scancel must not keep the
   * others queued (the shutdown hook tries it again).
   */
  @Override
  public void stop(Node node) {
    boolean queued;
    synchronized (this) {
      Node known = submitted.get(node.id());
      queued = known != null && known.state() != NodeState.GONE;
    }
    if (queued) {
      try {
        slurm.cancel(List.of(jobId(node)));
      } catch (RuntimeException e) {
        log.error("cannot cancel agent job {} of project {}: {}", jobId(node), project,
            e.getMessage());
        return;
      }
    }
    boolean allStopped;
    synchronized (this) {
      submitted.computeIfPresent(node.id(), (id, n) -> n.in(NodeState.GONE));
      allStopped = submitted.values().stream().allMatch(n -> n.state() == NodeState.GONE);
    }
    if (allStopped) {
      deleteToken();
      removeHook();
    }
  }

  /** The shutdown hook: the launcher is ending without having stopped its agent jobs. */
  private void cancelEverything() {
    List<String> ids;
    synchronized (this) {
      ids = submitted.values().stream().filter(n -> n.state() != NodeState.GONE)
          .map(SlurmMachines::jobId).toList();
    }
    try {
      if (!ids.isEmpty()) {
        slurm.cancel(ids);
        System.err.println("aether: cancelled " + ids.size() + " agent job(s) of project "
            + project + ": " + String.join(" ", ids));
      }
    } catch (RuntimeException e) {
      System.err.println("aether: could not cancel agent jobs " + String.join(" ", ids) + " ("
          + e.getMessage() + "); run: aether down --provider slurm -N " + project);
    } finally {
      deleteToken();
    }
  }

  private synchronized void removeHook() {
    if (cancelOnExit != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(cancelOnExit);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook runs, and finds nothing left to cancel.
      }
      cancelOnExit = null;
    }
  }

  /** Writes the token into a new file created with mode 0600, so it is never readable by others. */
  private void writeToken(String token) {
    Path file = files.token();
    try {
      Files.createDirectories(files.folder());
      Files.createDirectories(files.log().getParent());
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "cannot write the agents' token file " + file + ": " + e.getMessage(), e);
    }
  }

  private void deleteToken() {
    try {
      Files.deleteIfExists(files.token());
    } catch (IOException e) {
      log.warn("cannot delete the token file {}: {}", files.token(), e.getMessage());
    }
  }
}
