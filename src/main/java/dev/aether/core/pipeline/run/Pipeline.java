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
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs one project's batch from start to end: opens the bucket, uploads the inputs, opens (or
 * resumes) the ledger, starts the coordinator and the machines, waits for every job to be DONE or
 * FAILED, stops the machines and writes a last checkpoint.
 *
 * <p>Running the same spec again resumes: DONE jobs never run again; everything else does (FAILED
 * jobs get fresh attempts, and jobs a killed run had leased go back to PENDING).
 */
public final class Pipeline {
  private static final long POLL_MILLIS = 250;

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
    return run(spec, machines, storage, listener, replacements, Optional.empty());
  }

  /**
   * As above; with a {@code joinDeadline}, a node that has not registered that long after it
   * appeared, or that ended without registering, is stopped, its console output kept in the
   * bucket and its slots replaced (see {@link JoinWatch}).
   */
  public static PipelineResult run(PipelineSpec spec, Machines machines, Storage storage,
      PipelineListener listener, Function<NodeBootstrap, CapacityReplacer> replacements,
      Optional<Duration> joinDeadline) {
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
      restoreCheckpoint(spec, storage);
      try (JobLedger ledger = JobLedger.open(spec.ledgerFile())) {
        ledger.load(args, spec.restart());
        ledger.recoverLeases();
        ledger.retryFailed();
        ledger.setMeta("bucket", storage.location());
        String scriptKey = upload(spec, storage);
        if (ledger.hasUnfinished()) {
          serve(spec, machines, storage, listener, ledger, scriptKey, replacements, joinDeadline);
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
      Function<NodeBootstrap, CapacityReplacer> replacements, Optional<Duration> joinDeadline) {
    Coordinator.Settings settings = new Coordinator.Settings(spec.leaseTimeout(),
        spec.maxAttempts(), spec.processorsPerJob(), spec.memoryPerJobGb(), spec.slotsPerNode(),
        spec.checkpointInterval(), scriptKey, spec.spotAttempts());
    Secret token = Secret.random();
    LateReplacer replacer = new LateReplacer();
    try (Coordinator coordinator = Coordinator.start(ledger, settings, token,
        new InetSocketAddress(spec.bindHost(), spec.coordinatorPort()),
        () -> checkpoint(ledger, spec, storage), System::currentTimeMillis, replacer,
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
      try {
        List<Node> nodes = machines.start(spec.instances(), bootstrap);
        if (watch != null) {
          watch.track(nodes);
        }
        try {
          waitForEnd(spec, machines, listener, coordinator);
          if (watch != null) {
            watch.close(); // the batch is over: no node needs to join, none is to be replaced
          }
          // Agents leave on their own once told to stop; give them a moment to upload and go.
          awaitNodesGone(machines, Duration.ofSeconds(10));
        } finally {
          nodes.forEach(machines::stop);
        }
      } finally {
        if (watch != null) {
          watch.close();
        }
      }
    }
  }

  private static void waitForEnd(PipelineSpec spec, Machines machines, PipelineListener listener,
      Coordinator coordinator) {
    long graceNanos = Math.max(Duration.ofSeconds(30).toNanos(),
        spec.leaseTimeout().multipliedBy(2).toNanos());
    long lastNodeSeen = System.nanoTime();
    long lastNodeCheck = 0;
    while (true) {
      LedgerCounts counts = coordinator.counts();
      listener.progress(counts);
      if (counts.finished()) {
        return;
      }
      long now = System.nanoTime();
      if (now - lastNodeCheck > Duration.ofSeconds(2).toNanos()) {
        lastNodeCheck = now;
        if (!machines.list().isEmpty()) {
          lastNodeSeen = now;
        } else if (now - lastNodeSeen > graceNanos) {
          throw new AetherException(AetherException.UNEXPECTED_STATE, "every node has stopped"
              + " while " + (counts.pending() + counts.leased()) + " jobs remain; see the nodes'"
              + " agent logs, then run the same command again to resume");
        }
      }
      sleep(POLL_MILLIS);
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
    Path copy = spec.workDir().resolve("checkpoint.db");
    ledger.copyTo(copy);
    storage.put(BucketLayout.LEDGER_CHECKPOINT, copy);
  }

  /** With no ledger here (e.g. another launcher machine), start from the bucket's checkpoint. */
  private static void restoreCheckpoint(PipelineSpec spec, Storage storage) {
    if (!Files.exists(spec.ledgerFile()) && !spec.restart()) {
      storage.get(BucketLayout.LEDGER_CHECKPOINT, spec.ledgerFile());
    }
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

    void bind(CapacityReplacer replacer) {
      delegate = replacer;
    }

    @Override
    public void replace(dev.aether.core.spi.LostCapacity lost) {
      delegate.replace(lost);
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
