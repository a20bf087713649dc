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
    upload(bucket, runId);
    Node coordinator = coordinators.start(batch.regionCatalog());
    listener.note("Started the coordinator node " + coordinator.id() + " ("
        + coordinator.instance().type() + ", on-demand); it starts " + spec.instances().size()
        + " worker node(s) and ends them when the batch is over.");
    listener.note("The batch goes on even if this command ends; stop everything with"
        + " `aether down --name " + name + "`.");
    long t0 = System.nanoTime();
    Path ledger = spec.ledgerFile();
    Properties result = follow(bucket, runId, ledger);
    // it shuts itself down when done; make sure it is not left costing money
    project.machines().stop(coordinator);
    int files = download(bucket, BucketLayout.OUTPUT_PREFIX) + download(bucket, BucketLayout.LOGS_PREFIX);
    try (JobLedger l = JobLedger.openExisting(ledger)) {
      PipelineResult r = PipelineResult.from(l, bucket.location(),
          Duration.ofNanos(System.nanoTime() - t0));
      return new Outcome(r, files, Optional.ofNullable(result.getProperty("error")));
    }
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
        spec.jobTimeout()).bytes());
  }

  /**
   * Polls the bucket until the coordinator writes this run's result, telling the listener the
   * ledger checkpoint's counts; fails when the coordinator node is gone without a result.
   */
  private Properties follow(Storage bucket, String runId, Path ledger) {
    boolean started = false;
    int polls = 0;
    try {
      while (true) {
        Optional<Properties> result = result(bucket, runId);
        boolean checkpointed = bucket.get(BucketLayout.LEDGER_CHECKPOINT, ledger);
        if (!started) {
          // Before the coordinator's first checkpoint a fresh batch has every job pending; the
          // first checkpoint seen later may already count jobs this run has done.
          LedgerCounts before = checkpointed && !batch.spec().restart() ? counts(ledger)
              : new LedgerCounts(batch.jobs(), 0, 0, 0);
          listener.started(before, bucket.location(), URI.create("remote://coordinator"));
          started = true;
        }
        if (checkpointed) {
          listener.progress(counts(ledger));
        }
        if (result.isPresent()) {
          return result.get();
        }
        if (++polls % 5 == 0 && coordinators.running().isEmpty()) {
          // gone: look once more for a result written just before it ended
          result = result(bucket, runId);
          if (result.isPresent()) {
            return result.get();
          }
          throw new AetherException(AetherException.ERROR, "the coordinator node ended before the"
              + " batch did; its log is in the provider's console, and running the same command"
              + " again resumes the batch");
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "interrupted; the batch goes on without"
          + " this command (`aether down --name " + batch.spec().name() + "` stops it)");
    }
  }

  private static Optional<Properties> result(Storage bucket, String runId) {
    return bucket.read(BucketLayout.RUN_RESULT).map(RunManifest::load)
        .filter(p -> runId.equals(p.getProperty("run")));
  }

  private static LedgerCounts counts(Path ledger) {
    try (JobLedger l = JobLedger.openExisting(ledger)) {
      return l.counts();
    }
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
