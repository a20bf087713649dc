package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.CatalogCsv;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.LimitsFile;
import dev.aether.core.pipeline.coordinator.BiddingCapacityReplacer;
import dev.aether.core.pipeline.coordinator.ExcludedPools;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.pipeline.coordinator.ReplacementPlanner;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.providers.aws.AwsClients;
import dev.aether.providers.aws.Ec2Machines;
import dev.aether.providers.aws.NodeIdentity;
import dev.aether.providers.aws.S3Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aether coordinate}: run on the project's coordinator node by its user-data. Reads the
 * inputs the launcher put in the bucket, opens (or resumes from {@code state/}) the ledger, starts
 * the workers of prov.psv, runs the batch, terminates the workers, and writes how it ended to
 * {@code state/result.properties}, which the launcher waits for. The node shuts itself down (and
 * so terminates) when this command ends.
 */
@Command(name = "coordinate", hidden = true, mixinStandardHelpOptions = true,
    description = "Coordinates the project's batch from this EC2 node (started by the node's boot"
        + " script).")
final class CoordinateCommand implements Callable<Integer> {
  /** How long an interrupted spot pool is not bid on again: AWS reclaims pools in waves. */
  static final Duration EXCLUDE_INTERRUPTED_POOL = Duration.ofMinutes(30);

  @Option(names = "--bucket", required = true) String bucket;
  @Option(names = "--region", required = true) String region;
  @Spec CommandSpec command;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = command.commandLine().getOut();
    AwsClients clients = AwsClients.forRegion(region);
    try (S3Storage storage = S3Storage.existing(clients, bucket)) {
      AwsRunFile run = AwsRunFile.parse(storage.read(AwsRunFile.KEY).orElseThrow(() ->
          new AetherException(AetherException.UNEXPECTED_STATE, "s3://" + bucket + "/"
              + AwsRunFile.KEY + " is missing; start the batch with aether from your machine")));
      Properties result = new Properties();
      result.setProperty("run", run.run());
      try (Ec2Machines machines = new Ec2Machines(clients, storage,
          new Ec2Machines.Settings(run.name(), run.instanceProfile(), run.port()))) {
        ReplacementPlanner planner = replacementPlanner(run, storage);
        PipelineResult r = Pipeline.run(spec(run, storage), machines, storage, new Log(out),
            // by id in any state: an interrupted node may have shut itself down already
            bootstrap -> new BiddingCapacityReplacer(machines, bootstrap, planner,
                machines::find));
        LedgerCounts c = r.counts();
        result.setProperty("done", Integer.toString(c.done()));
        result.setProperty("failed", Integer.toString(c.failed()));
        result.setProperty("total", Integer.toString(c.total()));
        return r.succeeded() ? 0 : 1;
      } catch (RuntimeException e) {
        result.setProperty("error", String.valueOf(e.getMessage()));
        throw e;
      } finally {
        // the token is worth nothing once the batch is over; do not leave it lying around
        storage.delete(Ec2Machines.TOKEN_KEY);
        storage.put(AwsRunFile.RESULT_KEY, AwsRunFile.store(result));
      }
    }
  }

  private PipelineSpec spec(AwsRunFile run, S3Storage storage) {
    Path work = ProjectDirs.fromEnvironment().work(run.name());
    Path inputs = work.resolve("inputs");
    Path script = inputs.resolve(run.scriptKey());
    Path args = inputs.resolve("args.txt");
    Path prov = inputs.resolve("prov.psv");
    fetch(storage, run.scriptKey(), script);
    fetch(storage, "args.txt", args);
    fetch(storage, "prov.psv", prov);
    List<ProvisionedInstance> workers = ProvisioningFile.read(prov);
    NodeIdentity me = NodeIdentity.fromMetadata(System.getenv());
    // No bin/ or data/ here: they are in the bucket already and the agents fetch them from there.
    return PipelineSpec.builder(run.name(), script, args)
        .processorsPerJob(run.processors())
        .memoryPerJobGb(run.memoryGb())
        .instances(workers)
        .maxAttempts(run.maxAttempts())
        .restart(run.restart())
        .bindHost("0.0.0.0")
        .coordinatorPort(run.port())
        .advertisedHost(me.privateIp())
        .workDir(work)
        .build();
  }

  /**
   * Bids for replacements of interrupted spot nodes as the launcher bid for the plan: the same
   * offers, limits, objective, risk step and max cost, with the interrupted pool left out for
   * {@link #EXCLUDE_INTERRUPTED_POOL}.
   */
  private static ReplacementPlanner replacementPlanner(AwsRunFile run, S3Storage storage) {
    String csv = new String(storage.read(AwsRunFile.CATALOG_KEY).orElseThrow(() -> missing(
        storage, AwsRunFile.CATALOG_KEY)), StandardCharsets.UTF_8);
    Catalog catalog;
    try {
      catalog = CatalogCsv.read(new StringReader(csv), AwsRunFile.CATALOG_KEY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Limits limits = LimitsFile.parse(new String(storage.read(AwsRunFile.LIMITS_KEY)
        .orElseThrow(() -> missing(storage, AwsRunFile.LIMITS_KEY)), StandardCharsets.UTF_8),
        Path.of(AwsRunFile.LIMITS_KEY));
    Requirements batch = new Requirements(run.processors(), run.memoryGb(), 1, Optional.empty(),
        Optional.empty(), Optional.empty(), run.maxCost(), run.objective(), run.riskStep());
    return new ReplacementPlanner(new Bidder(), batch, catalog.offers(), limits,
        new ExcludedPools(EXCLUDE_INTERRUPTED_POOL, System::currentTimeMillis));
  }

  private static AetherException missing(S3Storage storage, String key) {
    return new AetherException(AetherException.UNEXPECTED_STATE, storage.location() + "/" + key
        + " is missing; start the batch with aether from your machine");
  }

  /** Progress to the journal, one line per change. */
  private static final class Log implements PipelineListener {
    private final PrintWriter out;
    private LedgerCounts last;

    Log(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void started(LedgerCounts counts, String bucket, URI coordinator) {
      out.println("coordinator at " + coordinator + ", bucket " + bucket + ": " + counts);
      out.flush();
    }

    @Override
    public void progress(LedgerCounts counts) {
      if (!counts.equals(last)) {
        last = counts;
        out.println(counts);
        out.flush();
      }
    }
  }

  private static void fetch(S3Storage storage, String key, Path target) {
    if (!storage.get(key, target)) {
      throw missing(storage, key);
    }
  }
}
