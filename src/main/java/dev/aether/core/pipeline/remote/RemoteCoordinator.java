package dev.aether.core.pipeline.remote;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Bidder;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.CatalogCsv;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.LimitsFile;
import dev.aether.core.pipeline.coordinator.BiddingCapacityReplacer;
import dev.aether.core.pipeline.coordinator.CapacityFallback;
import dev.aether.core.pipeline.coordinator.ExcludedPools;
import dev.aether.core.pipeline.coordinator.ReplacementPlanner;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.pipeline.run.StopRequest;
import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.CapacityReplacer;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.Storage;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The coordinator node's side of a remote batch ({@code aether coordinate}): reads what the
 * launcher put in the bucket, opens (or resumes from {@code state/}) the ledger, starts the plan's
 * workers, runs the batch, stops the workers, and writes how it ended to
 * {@code state/result.properties}, which the launcher waits for. The token is made here and
 * deleted from the bucket at the end.
 */
public final class RemoteCoordinator {
  /** How long an interrupted spot pool is not bid on again: clouds reclaim pools in waves. */
  public static final Duration EXCLUDE_INTERRUPTED_POOL = Duration.ofMinutes(30);
  /** Least time between two writes of the status object while only the counts change. */
  static final Duration STATUS_INTERVAL = Duration.ofSeconds(5);

  private RemoteCoordinator() {}

  /**
   * @param work this node's folder for the project (inputs, live ledger)
   * @param address the address workers reach this node at
   * @return 0 when every job is DONE, else 1
   */
  public static int run(Provider provider, ProviderProject project, Path work, String address,
      PipelineListener listener) {
    Storage storage = project.storage();
    RunManifest run = RunManifest.parse(storage.read(BucketLayout.RUN_MANIFEST)
        .orElseThrow(() -> missing(storage, BucketLayout.RUN_MANIFEST)));
    Properties result = new Properties();
    result.setProperty("run", run.run());
    // Written first: the launcher takes it as this node's sign that it has joined.
    RunStatus.Writer status = new RunStatus.Writer(listener, storage, run.run(),
        new LedgerCounts(0, 0, 0, 0), STATUS_INTERVAL.toMillis(), System::currentTimeMillis);
    status.flush();
    try {
      Catalog offers = offers(storage);
      ReplacementPlanner planner = replacementPlanner(run, storage, offers);
      // One pool without room does not stop the batch: its slots are bought elsewhere, at the
      // start and for every replacement.
      Machines machines = provider.can(Capability.BIDS)
          ? new CapacityFallback(project.machines(), planner, offers.offers(), run.processors(),
              run.memoryGb(), status::note)
          : project.machines();
      CapacityReplacerFactory replacements = provider.can(Capability.INTERRUPTIONS)
          ? bootstrap -> new BiddingCapacityReplacer(machines, bootstrap, planner)
          : bootstrap -> CapacityReplacer.NONE;
      PipelineResult r = Pipeline.run(spec(run, storage, work, address), machines, storage,
          status, replacements::make, Optional.of(run.joinDeadline()), new StopRequest());
      LedgerCounts c = r.counts();
      result.setProperty("done", Integer.toString(c.done()));
      result.setProperty("failed", Integer.toString(c.failed()));
      result.setProperty("total", Integer.toString(c.total()));
      return r.succeeded() ? 0 : 1;
    } catch (RuntimeException e) {
      result.setProperty("error", String.valueOf(e.getMessage()));
      throw e;
    } finally {
      status.flush();
      // the token is worth nothing once the batch is over; do not leave it lying around
      storage.delete(BucketLayout.TOKEN);
      storage.put(BucketLayout.RUN_RESULT, RunManifest.store(result));
    }
  }

  private interface CapacityReplacerFactory {
    CapacityReplacer make(dev.aether.core.spi.NodeBootstrap bootstrap);
  }

  private static PipelineSpec spec(RunManifest run, Storage storage, Path work, String address) {
    Path inputs = work.resolve("inputs");
    Path script = inputs.resolve(run.scriptKey());
    Path args = inputs.resolve(BucketLayout.ARGS);
    Path prov = inputs.resolve(BucketLayout.PLAN);
    fetch(storage, run.scriptKey(), script);
    fetch(storage, BucketLayout.ARGS, args);
    fetch(storage, BucketLayout.PLAN, prov);
    List<ProvisionedInstance> workers = ProvisioningFile.read(prov);
    // No bin/ or data/ here: they are in the bucket already and the agents fetch them from there.
    PipelineSpec.Builder spec = PipelineSpec.builder(run.name(), script, args);
    run.spotAttempts().ifPresent(spec::spotAttempts);
    return spec
        .processorsPerJob(run.processors())
        .memoryPerJobGb(run.memoryGb())
        .instances(workers)
        .maxAttempts(run.maxAttempts())
        .restart(run.restart())
        .bindHost("0.0.0.0")
        .coordinatorPort(run.port())
        .advertisedHost(address)
        .workDir(work)
        .jobTimeout(run.jobTimeout().orElse(null))
        .build();
  }

  /**
   * Bids for replacements of interrupted spot nodes as the launcher bid for the plan: the same
   * offers, limits, objective, risk step and max cost, with the interrupted pool left out for
   * {@link #EXCLUDE_INTERRUPTED_POOL}.
   */
  private static ReplacementPlanner replacementPlanner(RunManifest run, Storage storage,
      Catalog catalog) {
    Limits limits = LimitsFile.parse(new String(storage.read(BucketLayout.LIMITS)
        .orElseThrow(() -> missing(storage, BucketLayout.LIMITS)), StandardCharsets.UTF_8),
        Path.of(BucketLayout.LIMITS));
    return new ReplacementPlanner(new Bidder(), run.requirements(), catalog.offers(), limits,
        new ExcludedPools(EXCLUDE_INTERRUPTED_POOL, System::currentTimeMillis));
  }

  /** The offers the plan was bid from, as the launcher uploaded them. */
  private static Catalog offers(Storage storage) {
    String csv = new String(storage.read(BucketLayout.CATALOG).orElseThrow(() -> missing(
        storage, BucketLayout.CATALOG)), StandardCharsets.UTF_8);
    try {
      return CatalogCsv.read(new StringReader(csv), BucketLayout.CATALOG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static AetherException missing(Storage storage, String key) {
    return new AetherException(AetherException.UNEXPECTED_STATE, storage.location() + "/" + key
        + " is missing; start the batch with aether from your machine");
  }

  private static void fetch(Storage storage, String key, Path target) {
    if (!storage.get(key, target)) {
      throw missing(storage, key);
    }
  }
}
