package dev.aether.providers.slurm;

import dev.aether.core.AetherException;
import dev.aether.core.spi.FolderStorage;
import dev.aether.core.spi.InterruptionNotices;
import dev.aether.core.spi.NodeEnvironment;
import dev.aether.core.spi.NodeOptions;
import dev.aether.core.spi.Storage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An agent job as its agent sees it: its id and size from Slurm's job environment (or what the
 * launcher put on the agent's command line), the bucket as a folder of the shared file system,
 * and Slurm's signals as interruption notices.
 *
 * @param nodeId {@code slurm-JOBID}, with {@code -rN} after the N-th requeue (the same job id
 *     then runs a fresh agent)
 */
record SlurmNode(String nodeId, String address, int cores, double memoryGb, Storage storage,
    InterruptionNotices interruptionNotices) implements NodeEnvironment {
  SlurmNode {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(interruptionNotices, "interruptionNotices");
  }

  static SlurmNode fromEnvironment(NodeOptions options, Map<String, String> env) {
    String id = options.node().orElseGet(() -> {
      String job = env.get("SLURM_JOB_ID");
      if (job == null || job.isBlank()) {
        throw AetherException.invalidInput("aether agent --provider slurm runs inside a Slurm job,"
            + " which sets SLURM_JOB_ID; it is not set here");
      }
      int restarts = number(env, "SLURM_RESTART_COUNT").orElse(0);
      return "slurm-" + job + (restarts > 0 ? "-r" + restarts : "");
    });
    int cores = options.cores().or(() -> number(env, "SLURM_CPUS_PER_TASK"))
        .or(() -> number(env, "SLURM_CPUS_ON_NODE"))
        .orElse(Runtime.getRuntime().availableProcessors());
    double memoryGb = options.memoryGb().orElseGet(() -> number(env, "SLURM_MEM_PER_NODE")
        .map(mb -> Math.max(mb - AgentJobs.AGENT_MB, 1) / 1024.0)
        .orElseThrow(() -> AetherException.invalidInput("aether agent --provider slurm: give"
            + " --memory-gb, or run it in a job with --mem")));
    String address = options.address().orElseGet(SlurmNode::thisHost);
    return new SlurmNode(id, address, cores, memoryGb,
        new FolderStorage(Path.of(options.bucket())), new SlurmSignals());
  }

  private static Optional<Integer> number(Map<String, String> env, String name) {
    // SLURM_CPUS_ON_NODE may read "4", SLURM_MEM_PER_NODE "2048"; anything else is ignored.
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> v.matches("\\d{1,9}"))
        .map(Integer::parseInt);
  }

  /** This compute node's address as other hosts know it, for jobs ($6). */
  private static String thisHost() {
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  @Override
  public void close() {
    interruptionNotices.close();
  }
}
