package dev.aether.core.pipeline.agent;

import dev.aether.core.project.BucketLayout;
import dev.aether.core.pipeline.coordinator.Lease;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.pipeline.ledger.DiskSpace;
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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
 * (see {@link JobScript}), heartbeats while they run, stores each job's log at
 * {@code logs/<number>.log} (and, when it exits 0, its outputs under {@code output/}) and reports
 * its exit code. Stops when the coordinator says the batch is over, or when the coordinator has
 * been unreachable for {@link Config#lostAfter()} of this process's running time (time spent
 * stopped, e.g. by SIGSTOP, does not count: see {@link Reachability}).
 *
 * <p>On an interruption notice ({@link InterruptionNotices}) it stops taking work, kills the runs
 * that have not ended, waits for them to exit, then hands their leases back ({@code release});
 * runs that had already ended are still stored and reported as usual. A lease that arrives after
 * the notice is handed back unrun. See docs/interruptions.md. A node that cannot write its job
 * folders or store results (a full disk, a read-only bucket) leaves the same way, giving the job
 * back too: the fault is the node's, not the job's, so no attempt is counted.
 *
 * <p>Each attempt writes its outputs to a folder of its own; only those of a run that exited 0
 * reach the bucket's {@code output/}. A run longer than the coordinator's job timeout is killed
 * with its process group and reported as exit {@value #TIMED_OUT}. On SIGTERM or SIGINT the agent
 * kills its runs before its process exits.
 */
public final class Agent {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /** The exit status reported for a run killed by the job timeout (as GNU timeout(1) uses). */
  public static final int TIMED_OUT = 124;

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
  /** Tries to store a job's results before the node counts as faulty. */
  private static final int STORE_TRIES = 3;

  private final Config config;
  private final Storage storage;
  private final CoordinatorClient client;
  /** For the last words of a process that is exiting: no time for the usual patience. */
  private final CoordinatorClient hurried;
  private final InterruptionNotices notices;
  private final Reachability reachability;
  /** Orders "leaving?" against "start a leased job": one of the two sees the other. */
  private final Object handBack = new Object();
  private final CompletableFuture<Void> handedBack = new CompletableFuture<>();
  private volatile boolean leaving;
  private volatile String stopReason = "";
  private volatile boolean faulty;
  private final Map<Integer, JobRun> running = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  /** Stopped from outside (a signal, the launcher gone): nothing more is sent or awaited. */
  private volatile boolean abandoned;
  private volatile Optional<Duration> jobTimeout = Optional.empty();

  /** An agent on a machine that is never interrupted. */
  public Agent(Config config, Secret token, Storage storage) {
    this(config, token, storage, InterruptionNotices.NONE);
  }

  /** An agent that watches {@code notices} (closed when {@link #run()} returns). */
  public Agent(Config config, Secret token, Storage storage, InterruptionNotices notices) {
    this.config = config;
    this.storage = storage;
    this.client = new CoordinatorClient(config.coordinator(), token, Duration.ofSeconds(30));
    this.hurried = new CoordinatorClient(config.coordinator(), token, Duration.ofSeconds(2));
    this.notices = notices;
    this.reachability = new Reachability(config.lostAfter(), System::nanoTime);
  }

  /**
   * Runs until the batch is over, or this node is interrupted and has handed its leases back.
   * SIGTERM and SIGINT (the JVM's shutdown) end the runs first.
   *
   * @return 0, or 1 when the coordinator was lost, this node could not write, or it was stopped
   */
  public int run() throws IOException, InterruptedException {
    Thread hook = new Thread(() -> stopNow("this process is shutting down (a signal)"),
        "aether-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return serve();
    } finally {
      notices.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook is running
      }
    }
  }

  /**
   * Ends this agent now, from outside (a signal; the launcher that started it is gone): kills its
   * runs with their process groups, tries once, briefly, to hand their leases back, and makes
   * {@link #run()} return. Their results are not reported: the leases expire, or come back.
   */
  public void stopNow(String why) {
    if (abandoned) {
      return;
    }
    List<JobRun> killed = new ArrayList<>();
    synchronized (handBack) {
      stopReason = why;
      abandoned = true;
      stopping = true;
      for (JobRun r : running.values()) {
        if (r.cancelUnlessEnded()) {
          killed.add(r);
        }
      }
    }
    log.warn("node {} stopping at once: {}; killed {} job(s)", config.node(), why, killed.size());
    try {
      for (JobRun r : killed) {
        r.awaitExit(Duration.ofSeconds(2));
      }
      if (!killed.isEmpty()) {
        hurried.release(config.node(), killed.stream()
            .map(r -> new RunningJob(r.lease.number(), r.lease.attempt())).toList());
      }
    } catch (IOException e) {
      // The coordinator is gone too; the leases will expire or be given back by the next one.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Kills every process left by the jobs of {@code node}, wherever they went (they carry
   * {@code AETHER_NODE}): for an agent that died without ending its runs.
   *
   * @return how many processes were killed
   */
  public static int killJobsOf(String node) {
    List<Long> pids = ProcessGroup.withEnvironment("AETHER_NODE=" + node);
    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    return pids.size();
  }

  private int serve() throws IOException, InterruptedException {
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(
        r -> daemon(r, "aether-agent-clock"));
    clock.scheduleAtFixedRate(reachability::tick, Reachability.TICK.toMillis(),
        Reachability.TICK.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return registered();
    } finally {
      clock.shutdownNow();
    }
  }

  private int registered() throws IOException, InterruptedException {
    RegisterReply reg = register();
    if (reg == null) {
      log.error("node {} stopping: coordinator {} unreachable for {}", config.node(),
          config.coordinator(), config.lostAfter());
      return 1;
    }
    log.info("node {} registered: {} slots", config.node(), reg.slots());
    if (reg.jobTimeoutMillis() > 0) {
      jobTimeout = Optional.of(Duration.ofMillis(reg.jobTimeoutMillis()));
    }
    // Watch only once registered: before that this node holds no lease to hand back.
    notices.watch(notice -> leave("interrupted (" + notice + ")", Optional.empty(), false));
    JobScript script;
    try {
      script = nodeFiles(reg.slots(), reg.script());
    } catch (IOException e) {
      log.error("node {} stopping: cannot fetch the job script and bin/ to {}: {}; {}",
          config.node(), config.workDir(), e.getMessage(), DiskSpace.describe(config.workDir()));
      return 1;
    }

    ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
        r -> daemon(r, "aether-agent-heartbeat"));
    heartbeats.scheduleWithFixedDelay(this::heartbeat, reg.heartbeatMillis(),
        reg.heartbeatMillis(), TimeUnit.MILLISECONDS);
    ExecutorService slots = Executors.newFixedThreadPool(reg.slots());
    for (int i = 0; i < reg.slots(); i++) {
      slots.execute(() -> slot(script));
    }
    slots.shutdown();
    while (!slots.awaitTermination(1, TimeUnit.SECONDS)) {
      // Slots end when told to stop, when this node leaves, or when the coordinator is lost.
    }
    if (leaving && !abandoned) {
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
    boolean lost = reachability.lost();
    String why = lost ? ": coordinator lost" : stopReason.isEmpty() ? "" : ": " + stopReason;
    if (lost || faulty || abandoned) {
      log.error("node {} stopping{}", config.node(), why);
      return 1;
    }
    log.info("node {} stopping{}", config.node(), why);
    return 0;
  }

  // ---- leaving: an interruption notice, or a node that cannot write

  /**
   * Stop taking work, kill what runs, hand the leases back (with {@code alsoGiveBack}, a lease
   * whose run has ended but whose results this node could not store).
   */
  private void leave(String why, Optional<Lease> alsoGiveBack, boolean fault) {
    List<JobRun> killed = new ArrayList<>();
    synchronized (handBack) {
      if (leaving) {
        alsoGiveBack.ifPresent(l -> handBackQuietly(List.of(l)));
        return;
      }
      leaving = true;
      stopping = true;
      faulty = fault;
      stopReason = why;
      for (JobRun r : running.values()) {
        if (r.cancelUnlessEnded()) {
          killed.add(r);
        }
      }
    }
    log.warn("node {} {}: handing back {} job(s)", config.node(), why,
        killed.size() + (alsoGiveBack.isPresent() ? 1 : 0));
    try {
      // Killed first, handed back second: a job given back is no longer running here when
      // another node takes it (Coordinator rule 5).
      for (JobRun r : killed) {
        r.awaitExit(KILL_WAIT);
      }
      java.util.Set<Lease> leases = new java.util.LinkedHashSet<>();
      killed.forEach(r -> leases.add(r.lease));
      alsoGiveBack.ifPresent(leases::add);
      handBack(List.copyOf(leases));
      handedBack.complete(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handedBack.completeExceptionally(e);
    } catch (RuntimeException e) {
      handedBack.completeExceptionally(e);
    }
  }

  private void handBackQuietly(List<Lease> leases) {
    try {
      handBack(leases);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
   * it is lost ({@link Reachability}; then empty, and this node stops), or this agent was stopped
   * from outside.
   */
  private <T> Optional<T> untilAnswered(Call<T> call) throws InterruptedException {
    while (!abandoned) {
      try {
        T reply = call.send();
        reachability.answered();
        return Optional.of(reply);
      } catch (IOException e) {
        if (coordinatorLost()) {
          return Optional.empty();
        }
        Thread.sleep(200);
      }
    }
    return Optional.empty();
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
        config.coordinator().getHost(), config.address(), config.attachStorage(), config.node());
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

  private void slot(JobScript script) {
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
            // code; or, once leaving, the hand-back was already sent without it.
            mine = !leaving && !abandoned;
            if (mine) {
              running.put(reply.job().number(), job);
            }
          }
          if (mine) {
            run(script, job);
          } else if (!abandoned) {
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

  private void run(JobScript script, JobRun job) throws InterruptedException {
    Lease lease = job.lease;
    String name = lease.number() + "-" + lease.attempt();
    Path dir = config.workDir().resolve("jobs").resolve(name);
    Path logFile = config.workDir().resolve("logs").resolve(name + ".log");
    // This attempt's own folder: only a run that exits 0 has its outputs stored in output/.
    Path output = config.workDir().resolve("outputs").resolve(name);
    try {
      try {
        script.prepare(dir);
        Files.createDirectories(output);
        Files.createDirectories(logFile.getParent());
      } catch (IOException e) {
        nodeFault(lease, "cannot make the job folder " + dir, e);
        return;
      }
      int exit;
      try {
        job.started(script.launch(lease, dir, output, logFile));
        exit = waitFor(job, lease, logFile);
      } catch (JobScript.CannotStart e) {
        // The script could not start (missing interpreter, no permission): a failed run.
        Files.writeString(logFile, "aether: cannot start the job script: " + e.getMessage() + "\n");
        exit = 127;
      }
      job.sweep(); // what the script left running must not write to its outputs once stored
      if (!job.end()) {
        return; // its lease is someone else's now, or handed back: no log, no report
      }
      // Log and outputs reach the bucket before the coordinator hears of the end (rule 3).
      try {
        store(lease, exit, logFile, output);
      } catch (IOException | RuntimeException e) {
        nodeFault(lease, "cannot store the results of job " + lease.number() + " in "
            + storage.location(), e);
        return;
      }
      report(lease, exit);
    } catch (IOException e) {
      nodeFault(lease, "cannot write the log " + logFile, e);
    } finally {
      running.remove(lease.number());
      for (Path p : List.of(dir, output)) {
        try {
          JobScript.deleteTree(p);
        } catch (IOException e) {
          log.warn("cannot delete {}: {}", p, e.getMessage());
        }
      }
      try {
        Files.deleteIfExists(logFile);
      } catch (IOException e) {
        log.warn("cannot delete {}: {}", logFile, e.getMessage());
      }
    }
  }

  /** The run's exit status; {@link #TIMED_OUT} once killed for running over the job timeout. */
  private int waitFor(JobRun job, Lease lease, Path logFile)
      throws InterruptedException, IOException {
    Optional<Duration> limit = jobTimeout;
    if (limit.isEmpty()) {
      return job.waitFor();
    }
    java.util.OptionalInt exit = job.waitFor(limit.get());
    if (exit.isPresent()) {
      return exit.getAsInt();
    }
    log.info("job {} attempt {} ran over the job timeout ({}) and was killed", lease.number(),
        lease.attempt(), limit.get());
    Files.writeString(logFile, "\naether: killed after running " + human(limit.get())
        + " (--job-timeout), with every process it started; this counts as a failed attempt"
        + " (exit " + TIMED_OUT + ")\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return TIMED_OUT;
  }

  /** This node cannot write: give the job back (its attempt not counted) and leave. */
  private void nodeFault(Lease lease, String what, Exception e) {
    String why = what + ": " + e.getMessage() + " (" + DiskSpace.describe(config.workDir()) + ")";
    log.error("node {} {}", config.node(), why);
    leave(why, Optional.of(lease), true);
  }

  /** The log, then (exit 0 only) the outputs, each tried a few times. */
  private void store(Lease lease, int exit, Path logFile, Path output) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        if (exit == 0) {
          storeOutputs(output);
        }
        storage.put(Job.logKey(lease.number()), logFile);
        return;
      } catch (IOException | RuntimeException e) {
        if (attempt >= STORE_TRIES) {
          throw e;
        }
        log.warn("storing the results of job {} failed (try {} of {}): {}", lease.number(),
            attempt, STORE_TRIES, e.getMessage());
        try {
          Thread.sleep(1000L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", ie);
        }
      }
    }
  }

  /**
   * A DONE run's outputs into the bucket's {@code output/}: moved, where the bucket is a folder
   * on this machine (a rename on the same disk), else uploaded.
   */
  private void storeOutputs(Path output) throws IOException {
    if (!Files.isDirectory(output)) {
      return;
    }
    Optional<Path> shared = storage.localPath(BucketLayout.OUTPUT_PREFIX);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(output)) {
      files = walk.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList();
    }
    for (Path f : files) {
      String relative = output.relativize(f).toString().replace('\\', '/');
      if (shared.isPresent()) {
        Path target = shared.get().resolve(relative).normalize();
        if (!target.startsWith(shared.get())) {
          continue; // cannot happen for a walked file; never write outside output/
        }
        Files.createDirectories(target.getParent());
        Files.move(f, target, StandardCopyOption.REPLACE_EXISTING);
      } else {
        storage.put(BucketLayout.output(relative), f);
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
    if (abandoned) {
      return;
    }
    List<RunningJob> jobs = new ArrayList<>();
    for (JobRun r : running.values()) {
      jobs.add(new RunningJob(r.lease.number(), r.lease.attempt()));
    }
    try {
      HeartbeatReply reply = client.heartbeat(config.node(), jobs);
      reachability.answered();
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

  // ---- coordinator reachability

  private boolean coordinatorLost() {
    if (reachability.failed()) {
      stopping = true;
      return true;
    }
    return false;
  }

  private static String human(Duration d) {
    long s = d.toSeconds();
    return s < 120 ? d.toMillis() / 1000.0 + " s" : s / 60 + " min " + s % 60 + " s";
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
