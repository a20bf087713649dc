package dev.aether.core.pipeline.remote;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.CatalogCsv;
import dev.aether.core.limits.LimitsFile;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.pipeline.run.DataFolder;
import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.ProviderProject.CoordinatorNodes;
import dev.aether.core.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The launcher's side of a batch whose coordinator runs on a node of the provider's (AWS, where
 * nodes cannot reach the launcher): makes (or reopens) the project bucket, uploads the inputs, the
 * aether jar and the run's manifest, starts the coordinator node (which starts and ends the
 * workers, see {@link RemoteCoordinator}), follows the ledger checkpoint it writes, and at the end
 * stops the coordinator node and brings {@code output/} and {@code logs/} home. This machine never
 * holds the pipeline token.
 */
public final class RemoteLaunch {
  private static final Duration POLL = Duration.ofSeconds(3);
  /** How long the clean-up after a batch waits for the project's instances to end. */
  private static final Duration CLEAN_UP_WAIT = Duration.ofMinutes(5);

  /**
   * How a remote batch ended.
   *
   * @param result the ledger's counts and failed jobs
   * @param broughtHome how many files were brought home
   * @param error what the coordinator node said when it stopped with an error
   */
  public record Outcome(PipelineResult result, int broughtHome, Optional<String> error) {}

  private final RemoteBatch batch;
  private final ProviderProject project;
  private final CoordinatorNodes coordinators;
  private final PipelineListener listener;

  public RemoteLaunch(RemoteBatch batch, ProviderProject project, PipelineListener listener) {
    this.batch = batch;
    this.project = project;
    this.coordinators = project.coordinatorNodes().orElseThrow(() ->
        new IllegalArgumentException("this provider runs no coordinator node"));
    this.listener = listener;
  }

  public Outcome run() {
    PipelineSpec spec = batch.spec();
    String name = spec.name();
    String runId = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    Storage bucket = project.prepareBucket();
    List<Node> running = coordinators.running();
    if (!running.isEmpty()) {
      throw new AetherException(AetherException.UNEXPECTED_STATE, "project '" + name
          + "' is already running (coordinator node " + running.get(0).id() + "); follow it with"
          + " `aether status -N " + name + "`, or stop it with `aether down --name " + name + "`");
    }
    // The counts a resumed batch starts from: the last run's status, when there was one.
    Optional<RunStatus> before = spec.restart() ? Optional.empty() : RunStatus.read(bucket);
    upload(bucket, runId);
    Node coordinator = coordinators.start(batch.regionCatalog());
    listener.note("Started the coordinator node " + coordinator.id() + " ("
        + coordinator.instance().type() + ", on-demand); it starts " + spec.instances().size()
        + " worker node(s) and ends them when the batch is over.");
    listener.note("The batch goes on even if this command ends; stop everything with"
        + " `aether down --name " + name + "`.");
    long t0 = System.nanoTime();
    Properties result;
    try {
      result = follow(bucket, runId, coordinator, before.map(RunStatus::counts));
    } catch (CoordinatorLost e) {
      cleanUp(coordinator);
      throw new AetherException(AetherException.ERROR, e.getMessage() + "; nothing of project "
          + name + " is left running. Running the same command again resumes the batch.");
    }
    cleanUp(coordinator);
    Path ledger = spec.ledgerFile();
    bucket.get(BucketLayout.LEDGER_CHECKPOINT, ledger);
    int files = download(bucket, BucketLayout.OUTPUT_PREFIX) + download(bucket, BucketLayout.LOGS_PREFIX);
    try (JobLedger l = JobLedger.openExisting(ledger)) {
      PipelineResult r = PipelineResult.from(l, bucket.location(),
          Duration.ofNanos(System.nanoTime() - t0));
      return new Outcome(r, files, Optional.ofNullable(result.getProperty("error")));
    }
  }

  /**
   * After the batch (or its failure): the coordinator node is ended (it shuts itself down when
   * done; this makes sure), and then whatever of the project still costs money — a worker a
   * failure left behind, a leftover volume, the security group — through the provider's
   * {@code afterBatch}, so that nothing keeps billing.
   */
  private void cleanUp(Node coordinator) {
    project.machines().stop(coordinator);
    ProviderProject.DownReport report = project.afterBatch(CLEAN_UP_WAIT);
    report.lines().forEach(l -> listener.note("Clean-up: " + l));
  }

  /** Script, bin/, data/, args, prov.psv, the aether jar, the bid's offers and limits, manifest. */
  private void upload(Storage bucket, String runId) {
    PipelineSpec spec = batch.spec();
    spec.dataDir().ifPresent(DataFolder::check); // before anything is uploaded
    List<Path> folders = Stream.of(spec.binDir(), spec.dataDir()).flatMap(Optional::stream)
        .toList();
    long total = size(batch.agentJar()) + folders.stream().mapToLong(RemoteLaunch::size).sum();
    try (PipelineListener.Upload sent = listener.uploading(total)) {
      spec.binDir().ifPresent(d -> bucket.putFolder(BucketLayout.BIN_PREFIX, d, sent));
      spec.dataDir().ifPresent(d -> bucket.putFolder(BucketLayout.DATA_PREFIX, d, sent));
      bucket.put(BucketLayout.AGENT_JAR, batch.agentJar());
      sent.accept(size(batch.agentJar()));
    }
    String scriptKey = BucketLayout.script(spec.script().getFileName().toString());
    bucket.put(scriptKey, spec.script());
    bucket.put(BucketLayout.ARGS, spec.argsFile());
    bucket.put(BucketLayout.PLAN, utf8(ProvisioningFile.format(spec.instances())));
    bucket.put(BucketLayout.CATALOG, utf8(CatalogCsv.write(batch.offers())));
    bucket.put(BucketLayout.LIMITS, utf8(LimitsFile.format(batch.limits())));
    var bid = batch.requirements();
    bucket.put(BucketLayout.RUN_MANIFEST, new RunManifest(runId, spec.name(), scriptKey,
        spec.processorsPerJob(), spec.memoryPerJobGb(), spec.maxAttempts(), spec.restart(),
        coordinators.port(), bid.objective(), bid.riskStep(), bid.maxCostPerHour(),
        batch.joinDeadline(), spec.spotAttempts(), spec.jobTimeout()).bytes());
  }

  /**
   * Polls the bucket's small status object until the coordinator writes this run's result,
   * telling the listener the counts and the coordinator's notes as they come.
   *
   * @throws CoordinatorLost when the coordinator node does not join within the deadline (it is
   *     then terminated, and its console output kept in the bucket) or ends without a result
   */
  private Properties follow(Storage bucket, String runId, Node coordinator,
      Optional<LedgerCounts> before) {
    long deadline = System.nanoTime() + batch.joinDeadline().toNanos();
    boolean joined = false;
    int notesSeen = 0;
    int polls = 0;
    // A fresh batch has every job pending until the coordinator says otherwise.
    listener.started(before.orElse(new LedgerCounts(batch.jobs(), 0, 0, 0)), bucket.location(),
        URI.create("remote://" + coordinator.id()));
    try {
      while (true) {
        Optional<Properties> result = result(bucket, runId);
        Optional<RunStatus> status = RunStatus.read(bucket)
            .filter(st -> st.run().equals(runId));
        if (status.isPresent()) {
          joined = true;
          List<String> notes = status.get().notes();
          for (int i = notesSeen; i < notes.size(); i++) {
            listener.note(notes.get(i));
          }
          notesSeen = Math.max(notesSeen, notes.size());
          if (status.get().counts().total() > 0) {
            listener.progress(status.get().counts());
          }
        }
        if (result.isPresent()) {
          return result.get();
        }
        if (!joined && System.nanoTime() > deadline) {
          String where = keepConsole(bucket, coordinator);
          throw new CoordinatorLost("the coordinator node " + coordinator.id() + " did not start"
              + " the batch within " + batch.joinDeadline().toSeconds() + " s of its launch, so"
              + " it was terminated; " + where);
        }
        if (++polls % 5 == 0 && coordinators.running().isEmpty()) {
          // gone: look once more for a result written just before it ended
          result = result(bucket, runId);
          if (result.isPresent()) {
            return result.get();
          }
          String where = keepConsole(bucket, coordinator);
          throw new CoordinatorLost("the coordinator node " + coordinator.id() + " ended "
              + (joined ? "before the batch did" : "before it started the batch (its boot"
              + " failed)") + "; " + where);
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "interrupted; the batch goes on without"
          + " this command (`aether down --name " + batch.spec().name() + "` stops it)");
    }
  }

  /** Keeps the node's console output in the bucket when the provider has it; says where. */
  private String keepConsole(Storage bucket, Node node) {
    String bootLog = bucket.location() + "/" + BucketLayout.nodeBootLog(node.id());
    try {
      Optional<String> console = project.machines().console(node);
      if (console.isPresent() && !console.get().isBlank()) {
        bucket.put(BucketLayout.nodeConsole(node.id()),
            console.get().getBytes(StandardCharsets.UTF_8));
        return "its console output is in " + bucket.location() + "/"
            + BucketLayout.nodeConsole(node.id()) + " and its boot log, if it got that far, in "
            + bootLog;
      }
    } catch (RuntimeException e) {
      // the message below still says where the boot log would be
    }
    return "its boot log, if it got that far, is in " + bootLog;
  }

  /** The coordinator node did not join, or ended without a result. */
  private static final class CoordinatorLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CoordinatorLost(String message) {
      super(message);
    }
  }

  private static Optional<Properties> result(Storage bucket, String runId) {
    return bucket.read(BucketLayout.RUN_RESULT).map(RunManifest::load)
        .filter(p -> runId.equals(p.getProperty("run")));
  }

  private int download(Storage bucket, String prefix) {
    Path home = batch.resultsHome();
    List<String> keys = bucket.list(prefix);
    for (String key : keys) {
      Path target = home.resolve(key).normalize();
      if (!target.startsWith(home)) {
        continue; // a key such as output/../../x would land outside the results folder
      }
      bucket.get(key, target);
    }
    return keys.size();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static long size(Path p) {
    try (Stream<Path> files = Files.walk(p)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
