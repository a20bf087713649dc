package dev.aether.core.pipeline.agent;

import dev.aether.core.project.BucketLayout;
import dev.aether.core.pipeline.coordinator.Lease;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.coordinator.Protocol.CompleteReply;
import dev.aether.core.pipeline.coordinator.Protocol.HeartbeatReply;
import dev.aether.core.pipeline.coordinator.Protocol.LeaseReply;
import dev.aether.core.pipeline.coordinator.Protocol.RegisterReply;
import dev.aether.core.pipeline.coordinator.Protocol.RunningJob;
import dev.aether.core.spi.InterruptionNotices;
import dev.aether.core.spi.Storage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on a node: registers with the coordinator, then runs up to {@code slots} leased jobs at once
 * (see {@link JobScript}), heartbeats while they run, uploads each job's log to
 * {@code logs/<number>.log} and reports its exit code. Stops when the coordinator says the batch is
 * over, or when the coordinator has been unreachable for {@link Config#lostAfter()}.
 *
 * <p>On an interruption notice ({@link InterruptionNotices}) it stops taking work, kills the runs
 * that have not ended, waits for them to exit, then hands their leases back ({@code release});
 * runs that had already ended are still uploaded and reported as usual. A lease that arrives
 * after the notice is handed back unrun. See docs/interruptions.md.
 */
public final class Agent {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /**
   * @param coordinator the coordinator's base URL
   * @param node this node's id, unique in the pipeline
   * @param cores this node's cores
   * @param memoryGb this node's memory
   * @param workDir a node-local folder for job directories and logs
   * @param address this node's address, given to jobs as {@code $6}
   * @param lostAfter give up (and end running jobs) after the coordinator is unreachable this long
   * @param attachStorage whether this node's provider can attach disks to it
   */
  public record Config(URI coordinator, String node, int cores, double memoryGb, Path workDir,
      String address, Duration lostAfter, boolean attachStorage) {}

  /** How long killed runs get to exit before their leases are handed back anyway. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final Config config;
  private final Storage storage;
  private final CoordinatorClient client;
  private final InterruptionNotices notices;
  /** Orders "interrupted?" against "start a leased job": one of the two sees the other. */
  private final Object handBack = new Object();
  private final CompletableFuture<Void> handedBack = new CompletableFuture<>();
  private volatile boolean interrupted;
  private final Map<Integer, JobRun> running = new ConcurrentHashMap<>();
  private final List<Integer> unsentLogs = new ArrayList<>();
  private volatile boolean stopping;
  private volatile boolean lost;
  private volatile long lastContact = System.nanoTime();

  /** An agent on a machine that is never interrupted. */
  public Agent(Config config, Secret token, Storage storage) {
    this(config, token, storage, InterruptionNotices.NONE);
  }

  /** An agent that watches {@code notices} (closed when {@link #run()} returns). */
  public Agent(Config config, Secret token, Storage storage, InterruptionNotices notices) {
    this.config = config;
    this.storage = storage;
    this.client = new CoordinatorClient(config.coordinator(), token, Duration.ofSeconds(30));
    this.notices = notices;
  }

  /**
   * Runs until the batch is over, or this node is interrupted and has handed its leases back.
   *
   * @return 0, or 1 when the coordinator was lost
   */
  public int run() throws IOException, InterruptedException {
    try {
      return serve();
    } finally {
      notices.close();
    }
  }

  private int serve() throws IOException, InterruptedException {
    RegisterReply reg = register();
    if (reg == null) {
      log.error("coordinator {} unreachable for {}; giving up", config.coordinator(),
          config.lostAfter());
      return 1;
    }
    log.info("node {} registered: {} slots", config.node(), reg.slots());
    // Watch only once registered: before that this node holds no lease to hand back.
    notices.watch(this::interrupted);
    JobScript script = nodeFiles(reg.slots(), reg.script());
    Optional<Path> sharedOutput = storage.localPath(BucketLayout.OUTPUT_PREFIX);

    ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
    heartbeats.scheduleWithFixedDelay(this::heartbeat, reg.heartbeatMillis(),
        reg.heartbeatMillis(), TimeUnit.MILLISECONDS);
    ExecutorService slots = Executors.newFixedThreadPool(reg.slots());
    for (int i = 0; i < reg.slots(); i++) {
      slots.execute(() -> slot(script, sharedOutput));
    }
    slots.shutdown();
    while (!slots.awaitTermination(1, TimeUnit.SECONDS)) {
      // Slots end when told to stop, or when the coordinator is lost.
    }
    if (interrupted) {
      // The process may exit after this returns: the hand-back must have been sent first.
      try {
        handedBack.get(config.lostAfter().toMillis() + KILL_WAIT.toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
        log.warn("leases not handed back ({}); they will expire on the coordinator",
            e.getMessage());
      }
    }
    heartbeats.shutdownNow();
    uploadUnsentLogs();
    log.info("node {} stopping{}", config.node(),
        lost ? ": coordinator lost" : interrupted ? ": interrupted" : "");
    return lost ? 1 : 0;
  }

  // ---- interruption

  /** The notice: stop taking work, kill what runs, hand the leases back. */
  private void interrupted(String notice) {
    List<JobRun> killed = new ArrayList<>();
    synchronized (handBack) {
      interrupted = true;
      stopping = true;
      for (JobRun r : running.values()) {
        if (r.cancelUnlessEnded()) {
          killed.add(r);
        }
      }
    }
    log.warn("node {} interrupted ({}): handing back {} job(s)", config.node(), notice,
        killed.size());
    try {
      // Killed first, handed back second: a job given back is no longer running here when
      // another node takes it (Coordinator rule 5).
      for (JobRun r : killed) {
        r.awaitExit(KILL_WAIT);
      }
      handBack(killed.stream().map(r -> r.lease).toList());
      handedBack.complete(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handedBack.completeExceptionally(e);
    } catch (RuntimeException e) {
      handedBack.completeExceptionally(e);
    }
  }

  /** Sends {@code release} until the coordinator has it, or is lost (then the leases expire). */
  private void handBack(List<Lease> leases) throws InterruptedException {
    List<RunningJob> jobs =
        leases.stream().map(l -> new RunningJob(l.number(), l.attempt())).toList();
    untilAnswered(() -> client.release(config.node(), jobs)).ifPresent(r -> log.info(
        "node {} handed back {} of {} lease(s)", config.node(), r.released(), jobs.size()));
  }

  private RegisterReply register() throws InterruptedException {
    return untilAnswered(() -> client.register(config.node(), config.cores(), config.memoryGb()))
        .orElse(null);
  }

  /** A call to the coordinator. */
  private interface Call<T> {
    T send() throws IOException;
  }

  /**
   * The one retry loop of the agent: sends {@code call} until the coordinator answers, or until
   * it has been unreachable for {@link Config#lostAfter()} (then empty, and this node stops).
   */
  private <T> Optional<T> untilAnswered(Call<T> call) throws InterruptedException {
    while (true) {
      try {
        T reply = call.send();
        contact();
        return Optional.of(reply);
      } catch (IOException e) {
        if (coordinatorLost()) {
          return Optional.empty();
        }
        Thread.sleep(200);
      }
    }
  }

  /** The script, bin and data on this node: links into a local bucket, else downloaded once. */
  private JobScript nodeFiles(int slots, String scriptKey) throws IOException {
    Path nodeDir = config.workDir().resolve("node");
    Path script = nodeDir.resolve(scriptKey);
    Files.createDirectories(script.getParent());
    if (!scriptKey.startsWith(BucketLayout.SCRIPT_PREFIX) || scriptKey.contains("..")
        || !storage.get(scriptKey, script)) {
      throw new IOException("the bucket " + storage.location() + " has no " + scriptKey);
    }
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Optional<Path> bin = folder(BucketLayout.BIN_PREFIX, nodeDir, true);
    Optional<Path> data = folder(BucketLayout.DATA_PREFIX, nodeDir, false);
    return new JobScript(script, bin, data, config.cores(), slots,
        config.coordinator().getHost(), config.address(), config.attachStorage());
  }

  private Optional<Path> folder(String prefix, Path nodeDir, boolean executable) throws IOException {
    Optional<Path> local = storage.localPath(prefix).filter(Files::isDirectory);
    if (local.isPresent()) {
      return local;
    }
    List<String> keys = storage.list(prefix);
    if (keys.isEmpty()) {
      return Optional.empty();
    }
    for (String key : keys) {
      Path target = nodeDir.resolve(key);
      Files.createDirectories(target.getParent());
      storage.get(key, target);
      if (executable) {
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
    return Optional.of(nodeDir.resolve(prefix));
  }

  // ---- one slot: lease, run, report, again

  private void slot(JobScript script, Optional<Path> sharedOutput) {
    try {
      while (!stopping) {
        Optional<LeaseReply> answer = untilAnswered(() -> client.lease(config.node()));
        if (answer.isEmpty()) {
          return;
        }
        LeaseReply reply = answer.get();
        if (reply.stop()) {
          stopping = true;
        } else if (reply.job() == null) {
          Thread.sleep(reply.waitMillis());
        } else {
          JobRun job = new JobRun(reply.job());
          boolean mine;
          synchronized (handBack) {
            // From here the heartbeat renews this lease, until the coordinator has the exit
            // code; or, once interrupted, the notice's hand-back was already sent without it.
            mine = !interrupted;
            if (mine) {
              running.put(reply.job().number(), job);
            }
          }
          if (mine) {
            run(script, job, sharedOutput);
          } else {
            handBack(List.of(reply.job()));
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("slot failed", e);
    }
  }

  private void run(JobScript script, JobRun job, Optional<Path> sharedOutput)
      throws InterruptedException {
    Lease lease = job.lease;
    Path dir = config.workDir().resolve("jobs").resolve(lease.number() + "-" + lease.attempt());
    Path logFile = config.workDir().resolve("logs").resolve(lease.number() + ".log");
    Path output = sharedOutput.orElse(dir.resolve("output"));
    try {
      int exit;
      try {
        job.started(script.start(lease, dir, output, logFile));
        exit = job.waitFor();
      } catch (IOException e) {
        // The script could not start (missing interpreter, no permission): a failed run.
        Files.createDirectories(logFile.getParent());
        Files.writeString(logFile, "aether: cannot start the job script: " + e.getMessage() + "\n");
        exit = 127;
      }
      if (!job.end()) {
        Files.deleteIfExists(logFile);
        return; // its lease is someone else's now, or handed back: no log, no report
      }
      // Log and outputs reach the bucket before the coordinator hears of the end (rule 3).
      if (!uploadLog(lease.number(), logFile)) {
        synchronized (unsentLogs) {
          unsentLogs.add(lease.number());
        }
      }
      if (sharedOutput.isEmpty()) {
        uploadOutputs(output);
      }
      report(lease, exit);
    } catch (IOException e) {
      log.error("job {} could not be prepared or its results uploaded", lease.number(), e);
      report(lease, 126);
    } finally {
      running.remove(lease.number());
      try {
        JobScript.deleteTree(dir);
      } catch (IOException e) {
        log.warn("cannot delete {}: {}", dir, e.getMessage());
      }
    }
  }

  private void report(Lease lease, int exit) throws InterruptedException {
    Optional<CompleteReply> answer = untilAnswered(() -> client.complete(config.node(), lease, exit));
    answer.filter(r -> !r.accepted()).ifPresent(r -> log.info(
        "job {} attempt {} was no longer ours; result ignored", lease.number(), lease.attempt()));
    if (answer.map(CompleteReply::stop).orElse(false)) {
      stopping = true;
    }
  }

  // ---- heartbeats

  private void heartbeat() {
    List<RunningJob> jobs = new ArrayList<>();
    for (JobRun r : running.values()) {
      jobs.add(new RunningJob(r.lease.number(), r.lease.attempt()));
    }
    try {
      HeartbeatReply reply = client.heartbeat(config.node(), jobs);
      contact();
      for (RunningJob lost : reply.cancel()) {
        JobRun r = running.get(lost.number());
        // Match the attempt: this slot may already run a newer lease of the same job.
        if (r != null && r.lease.attempt() == lost.attempt()) {
          log.info("job {} attempt {}: lease lost, ending it", lost.number(), lost.attempt());
          r.cancel();
        }
      }
      if (reply.stop()) {
        // The batch is over: whatever still runs here is a duplicate nobody waits for.
        stopping = true;
        running.values().forEach(JobRun::cancel);
      }
    } catch (IOException e) {
      if (coordinatorLost()) {
        running.values().forEach(JobRun::cancel);
      }
    } catch (RuntimeException e) {
      log.error("heartbeat failed", e);
    }
  }

  // ---- uploads

  private boolean uploadLog(int number, Path logFile) {
    try {
      storage.put(Job.logKey(number), logFile);
      Files.deleteIfExists(logFile);
      return true;
    } catch (RuntimeException | IOException e) {
      log.warn("cannot upload the log of job {}: {}", number, e.getMessage());
      return false;
    }
  }

  private void uploadUnsentLogs() {
    synchronized (unsentLogs) {
      unsentLogs.removeIf(n -> uploadLog(n, config.workDir().resolve("logs").resolve(n + ".log")));
    }
  }

  private void uploadOutputs(Path output) throws IOException {
    if (!Files.isDirectory(output)) {
      return;
    }
    try (Stream<Path> files = Files.walk(output)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        storage.put(BucketLayout.output(output.relativize(f).toString().replace('\\', '/')), f);
      }
    }
  }

  // ---- coordinator reachability

  private void contact() {
    lastContact = System.nanoTime();
  }

  private boolean coordinatorLost() {
    if (!lost && System.nanoTime() - lastContact > config.lostAfter().toNanos()) {
      lost = true;
      stopping = true;
    }
    return lost;
  }
}
