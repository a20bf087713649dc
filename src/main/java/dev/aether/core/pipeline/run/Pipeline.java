package dev.aether.core.pipeline.run;

import dev.aether.core.project.BucketLayout;
import dev.aether.core.pipeline.coordinator.Coordinator;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.spi.CapacityReplacer;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs one project's batch from start to end: opens the bucket, uploads the inputs, opens (or
 * resumes) the ledger, starts the coordinator and the machines, waits for every job to be DONE or
 * FAILED, stops the machines and writes a last checkpoint.
 *
 * <p>Running the same spec again resumes: DONE jobs never run again; everything else does (FAILED
 * jobs get fresh attempts, and jobs a killed run had leased go back to PENDING).
 *
 * <p>Faults, each loud and each leaving the ledger so that a rerun resumes (docs/pipeline.md,
 * "Faults"): a node that dies without handing its leases back is started again, at most
 * {@value #RESTARTS} times per node, with the reason in a note; once no node is alive and none
 * can be restarted, the run ends ({@link AetherException#UNEXPECTED_STATE}) naming why each
 * stopped; a ledger that cannot be written ends it too, naming the file and its disk's free space;
 * a {@link StopRequest} (SIGTERM, SIGINT) stops the nodes and ends it.
 */
public final class Pipeline {
  private static final long POLL_MILLIS = 250;
  /** How often a node that died is started again, at most, in one run. */
  public static final int RESTARTS = 3;
  /** How long a node may be missing from {@link Machines#list()} before it counts as gone. */
  private static final Duration MISSING_GRACE = Duration.ofSeconds(30);
  /** How long no node may be alive before the run is given up. */
  private static final Duration ALL_GONE_GRACE = Duration.ofSeconds(10);
  /** Lease numbers skipped for a ledger restored from the bucket's (older) checkpoint. */
  private static final int RESTORED_LEASE_GAP = 100;

  private Pipeline() {}

  public static PipelineResult run(PipelineSpec spec, Machines machines, Storage storage,
      PipelineListener listener) {
    return run(spec, machines, storage, listener, bootstrap -> CapacityReplacer.NONE);
  }

  /**
   * As above; {@code replacements} makes, from the nodes' bootstrap (known once the coordinator
   * listens), what replaces the capacity of interrupted nodes.
   */
  public static PipelineResult run(PipelineSpec spec, Machines machines, Storage storage,
      PipelineListener listener, Function<NodeBootstrap, CapacityReplacer> replacements) {
    return run(spec, machines, storage, listener, replacements, Optional.empty(),
        new StopRequest());
  }

  /**
   * As above; with a {@code joinDeadline}, a node that has not registered that long after it
   * appeared, or that ended without registering, is stopped, its console output kept in the
   * bucket and its slots replaced (see {@link JoinWatch}); {@code stop} ends the run early when
   * requested (see {@link StopRequest}).
   */
  public static PipelineResult run(PipelineSpec spec, Machines machines, Storage storage,
      PipelineListener listener, Function<NodeBootstrap, CapacityReplacer> replacements,
      Optional<Duration> joinDeadline, StopRequest stop) {
    long t0 = System.nanoTime();
    ArgsFile args = ArgsFile.read(spec.argsFile());
    checkInputs(spec);
    try {
      Files.createDirectories(spec.workDir());
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "cannot create " + spec.workDir() + ": " + e.getMessage(), e);
    }
    try (FileChannel lockFile = FileChannel.open(spec.workDir().resolve("lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        throw new AetherException(AetherException.UNEXPECTED_STATE, "project '" + spec.name()
            + "' is being run by another aether process (" + spec.workDir().resolve("lock")
            + " is locked); wait for it to end or stop it first");
      }
      boolean restored = restoreCheckpoint(spec, storage);
      try (JobLedger ledger = JobLedger.open(spec.ledgerFile())) {
        if (restored) {
          ledger.skipLeaseNumbers(RESTORED_LEASE_GAP);
        }
        ledger.load(args, spec.restart());
        ledger.recoverLeases();
        ledger.retryFailed();
        ledger.setMeta("bucket", storage.location());
        String scriptKey = upload(spec, storage);
        if (ledger.hasUnfinished()) {
          serve(spec, machines, storage, listener, ledger, scriptKey, replacements, joinDeadline,
              stop);
        } else {
          checkpoint(ledger, spec, storage);
        }
        return PipelineResult.from(ledger, storage.location(),
            Duration.ofNanos(System.nanoTime() - t0));
      }
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "cannot lock " + spec.workDir().resolve("lock") + ": " + e.getMessage(), e);
    }
  }

  private static void serve(PipelineSpec spec, Machines machines, Storage storage,
      PipelineListener listener, JobLedger ledger, String scriptKey,
      Function<NodeBootstrap, CapacityReplacer> replacements, Optional<Duration> joinDeadline,
      StopRequest stop) {
    Coordinator.Settings settings = new Coordinator.Settings(spec.leaseTimeout(),
        spec.maxAttempts(), spec.processorsPerJob(), spec.memoryPerJobGb(), spec.slotsPerNode(),
        spec.checkpointInterval(), scriptKey, spec.jobTimeout(), spec.spotAttempts());
    Secret token = Secret.random();
    LateReplacer replacer = new LateReplacer();
    try (Coordinator coordinator = Coordinator.start(ledger, settings, token,
        new InetSocketAddress(spec.bindHost(), spec.coordinatorPort()),
        () -> checkpoint(ledger, spec, storage), System::currentTimeMillis, replacer,
        Coordinator.Limits.DEFAULT,
        // spot or not, as the provider started it (for --spot-attempts)
        id -> machines.find(id).map(n -> n.instance().biddable()).orElse(false))) {
      var uri = coordinator.uri(spec.advertisedHost().orElse(spec.bindHost()));
      listener.started(coordinator.counts(), storage.location(), uri);
      NodeBootstrap bootstrap = new NodeBootstrap(uri, token.value(), spec.name());
      // Bound before the first node starts, so before any node can be interrupted.
      replacer.bind(replacements.apply(bootstrap));
      // Watching before the first start, so no node is ever billed unseen.
      JoinWatch watch = joinDeadline.map(d -> new JoinWatch(d, machines, coordinator::registered,
          replacer, storage, listener::note, spec.processorsPerJob(), spec.memoryPerJobGb(),
          Math.max(2, spec.instances().size()), System::currentTimeMillis,
          Duration.ofSeconds(2)).start()).orElse(null);
      Fleet fleet = new Fleet(machines, bootstrap, listener, coordinator, replacer, watch != null);
      try {
        if (stop.reason().isEmpty()) {
          List<Node> nodes = machines.start(spec.instances(), bootstrap);
          if (watch != null) {
            watch.track(nodes);
          }
          fleet.started(nodes);
        }
        waitForEnd(listener, coordinator, fleet, stop);
        if (watch != null) {
          watch.close(); // the batch is over: no node needs to join, none is to be replaced
        }
        // Agents leave on their own once told to stop; give them a moment to upload and go.
        awaitNodesGone(machines, Duration.ofSeconds(10));
      } finally {
        if (watch != null) {
          watch.close();
        }
        fleet.stopAll();
      }
    }
  }

  private static void waitForEnd(PipelineListener listener, Coordinator coordinator, Fleet fleet,
      StopRequest stop) {
    long lastNodeCheck = 0;
    while (true) {
      Optional<AetherException> fault = coordinator.ledgerFault();
      if (fault.isPresent()) {
        throw new AetherException(AetherException.UNEXPECTED_STATE, fault.get().getMessage()
            + ". The batch is stopped and nothing is lost: make room (or make the file"
            + " writable), then run the same command again to resume", fault.get());
      }
      if (stop.reason().isPresent()) {
        throw new AetherException(AetherException.ERROR, "stopped (" + stop.reason().get()
            + "); run the same command again to resume");
      }
      LedgerCounts counts = coordinator.counts();
      listener.progress(counts);
      if (counts.finished()) {
        return;
      }
      long now = System.nanoTime();
      if (now - lastNodeCheck > Duration.ofSeconds(2).toNanos()) {
        lastNodeCheck = now;
        fleet.check(counts);
      }
      sleep(POLL_MILLIS);
    }
  }

  /**
   * The nodes this run started, and the rule for those that die: a node gone (NodeState, or
   * missing from {@link Machines#list()} for {@link #MISSING_GRACE}) without having handed its
   * leases back is started again, at most {@link #RESTARTS} times per node of the plan; a node
   * that handed its leases back (interrupted, or unable to write) is the replacer's. With no node
   * alive, none to restart and no replacement being started, the run cannot go on.
   */
  private static final class Fleet {
    private final Machines machines;
    private final NodeBootstrap bootstrap;
    private final PipelineListener listener;
    private final Coordinator coordinator;
    private final LateReplacer replacer;
    /** Whether a {@link JoinWatch} ends and replaces the nodes that never registered. */
    private final boolean joinWatched;
    private final List<Node> nodes = new ArrayList<>();
    /** For each node, the node of the plan it replaces (itself for the plan's own). */
    private final Map<String, String> planNode = new HashMap<>();
    private final Map<String, Integer> restarts = new HashMap<>();
    private final Map<String, Long> missingSince = new HashMap<>();
    /** Since when (System.nanoTime) no node has been alive, none restarted, none replacing. */
    private Long allGoneSince;
    /** Nodes known gone, with why, in the order they went. */
    private final Map<String, String> gone = new LinkedHashMap<>();

    Fleet(Machines machines, NodeBootstrap bootstrap, PipelineListener listener,
        Coordinator coordinator, LateReplacer replacer, boolean joinWatched) {
      this.machines = machines;
      this.joinWatched = joinWatched;
      this.bootstrap = bootstrap;
      this.listener = listener;
      this.coordinator = coordinator;
      this.replacer = replacer;
    }

    void started(List<Node> started) {
      for (Node n : started) {
        nodes.add(n);
        planNode.putIfAbsent(n.id(), n.id());
      }
    }

    void check(LedgerCounts counts) {
      Set<String> alive = new HashSet<>();
      machines.list().forEach(n -> alive.add(n.id()));
      long now = System.nanoTime();
      for (Node n : List.copyOf(nodes)) {
        if (gone.containsKey(n.id())) {
          continue;
        }
        if (alive.contains(n.id())) {
          missingSince.remove(n.id());
          continue;
        }
        if (!knownGone(n, now)) {
          continue;
        }
        String why = machines.whyGone(n).orElse("it is no longer running");
        gone.put(n.id(), why);
        if (coordinator.leaving(n.id())) {
          continue; // it handed its leases back: replacing it is the replacer's business
        }
        if (joinWatched && !coordinator.registered(n.id())) {
          continue; // it never joined: the join watch has ended and replaced it
        }
        String root = planNode.get(n.id());
        int done = restarts.getOrDefault(root, 0);
        if (done >= RESTARTS) {
          listener.note("Node " + n.id() + " stopped: " + why + ". Not started again: its place"
              + " was restarted " + RESTARTS + " times already.");
          continue;
        }
        restarts.put(root, done + 1);
        listener.note("Node " + n.id() + " stopped: " + why + ". Starting another in its place"
            + " (restart " + (done + 1) + " of " + RESTARTS + ").");
        try {
          List<Node> again = machines.start(List.of(n.instance()), bootstrap);
          again.forEach(a -> planNode.put(a.id(), root));
          nodes.addAll(again);
          again.forEach(a -> alive.add(a.id()));
        } catch (AetherException e) {
          listener.note("Could not start a node in place of " + n.id() + ": " + e.getMessage());
        }
      }
      boolean noneLeft = alive.isEmpty() && !replacer.busy() && gone.size() == nodes.size();
      allGoneSince = noneLeft ? (allGoneSince == null ? now : allGoneSince) : null;
      // Held for a while before it is believed: a replacement just started may not be listed yet.
      if (noneLeft && now - allGoneSince > ALL_GONE_GRACE.toNanos()) {
        StringBuilder why = new StringBuilder();
        gone.forEach((id, reason) -> why.append(why.length() == 0 ? "" : "; ").append(id)
            .append(": ").append(reason));
        throw new AetherException(AetherException.UNEXPECTED_STATE, "every node has stopped"
            + " while " + (counts.pending() + counts.leased()) + " jobs remain (" + why
            + "); run the same command again to resume");
      }
    }

    /** Gone by its state, or missing from the provider's list for long enough. */
    private boolean knownGone(Node n, long now) {
      Optional<Node> found = machines.find(n.id());
      if (found.isPresent()) {
        if (!found.get().state().alive()) {
          return true;
        }
        missingSince.remove(n.id());
        return false;
      }
      long since = missingSince.computeIfAbsent(n.id(), k -> now);
      return now - since > MISSING_GRACE.toNanos();
    }

    void stopAll() {
      for (Node n : nodes) {
        try {
          machines.stop(n);
        } catch (RuntimeException e) {
          listener.note("Could not stop node " + n.id() + ": " + e.getMessage());
        }
      }
    }
  }

  private static void awaitNodesGone(Machines machines, Duration limit) {
    long end = System.nanoTime() + limit.toNanos();
    while (!machines.list().isEmpty() && System.nanoTime() < end) {
      sleep(100);
    }
  }

  /** A copy of the ledger in the bucket's {@code state/}, for resuming from another machine. */
  private static void checkpoint(JobLedger ledger, PipelineSpec spec, Storage storage) {
    Path copy = JobLedger.snapshotOf(spec.ledgerFile());
    ledger.copyTo(copy);
    storage.put(BucketLayout.LEDGER_CHECKPOINT, copy);
  }

  /**
   * With no ledger here (e.g. another launcher machine), start from the bucket's checkpoint.
   *
   * @return whether the ledger came from the checkpoint
   */
  private static boolean restoreCheckpoint(PipelineSpec spec, Storage storage) {
    if (!Files.exists(spec.ledgerFile()) && !spec.restart()) {
      return storage.get(BucketLayout.LEDGER_CHECKPOINT, spec.ledgerFile());
    }
    return false;
  }

  private static void checkInputs(PipelineSpec spec) {
    if (!Files.isRegularFile(spec.script())) {
      throw AetherException.invalidInput("the job script (-S) " + spec.script()
          + " is not a file");
    }
    spec.binDir().filter(d -> !Files.isDirectory(d)).ifPresent(d -> {
      throw AetherException.invalidInput("the bin folder (-B) " + d + " is not a folder");
    });
    spec.dataDir().filter(d -> !Files.isDirectory(d)).ifPresent(d -> {
      throw AetherException.invalidInput("the data folder (-D) " + d + " is not a folder");
    });
    spec.dataDir().ifPresent(DataFolder::check);
  }

  /** Uploads script, bin, data, args and prov.psv. @return the script's key */
  private static String upload(PipelineSpec spec, Storage storage) {
    String scriptKey = BucketLayout.script(spec.script().getFileName().toString());
    storage.put(scriptKey, spec.script());
    spec.binDir().ifPresent(d -> uploadFolder(d, BucketLayout.BIN_PREFIX, storage));
    spec.dataDir().ifPresent(d -> uploadFolder(d, BucketLayout.DATA_PREFIX, storage));
    storage.put(BucketLayout.ARGS, spec.argsFile());
    storage.put(BucketLayout.PLAN,
        ProvisioningFile.format(spec.instances()).getBytes(StandardCharsets.UTF_8));
    return scriptKey;
  }

  private static void uploadFolder(Path dir, String prefix, Storage storage) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.filter(Files::isRegularFile).forEach(f ->
          storage.put(prefix + dir.relativize(f).toString().replace('\\', '/'), f));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir, e);
    }
  }

  /**
   * The replacer the coordinator is started with: the real one needs the coordinator's address,
   * which exists only once the coordinator listens, so it is bound just after.
   */
  private static final class LateReplacer implements CapacityReplacer {
    private volatile CapacityReplacer delegate = CapacityReplacer.NONE;
    private final java.util.concurrent.atomic.AtomicInteger inFlight =
        new java.util.concurrent.atomic.AtomicInteger();

    void bind(CapacityReplacer replacer) {
      delegate = replacer;
    }

    /** A replacement is being started: nodes may come. */
    boolean busy() {
      return inFlight.get() > 0;
    }

    @Override
    public void replace(dev.aether.core.spi.LostCapacity lost) {
      inFlight.incrementAndGet();
      try {
        delegate.replace(lost);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "interrupted while waiting for the batch");
    }
  }
}
