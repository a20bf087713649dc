package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.CatalogCsv;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.LimitsFile;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.plan.RunCost;
import dev.aether.core.spi.Node;
import dev.aether.providers.aws.AwsClients;
import dev.aether.providers.aws.Ec2Machines;
import dev.aether.providers.aws.S3Storage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The launcher side of a batch on AWS: makes (or reopens) the project bucket, uploads the inputs
 * and the aether jar, starts the coordinator node (which starts and ends the workers), follows the
 * ledger checkpoint the coordinator writes to {@code state/ledger.db}, and at the end terminates
 * the coordinator node, brings {@code output/} and {@code logs/} home to
 * {@code $AETHER_HOME/projects/<name>/} and prints the summary and the cost so far.
 *
 * <p>Nodes cannot reach this machine, so the coordinator runs on a small on-demand node in the
 * VPC; this machine never holds the pipeline token.
 */
final class AwsRun {
  /** The coordinator node: the cheapest x86 standard on-demand type with this much. */
  static final int COORDINATOR_VCPUS = 2;
  static final double COORDINATOR_GIB = 4;
  static final int DEFAULT_PORT = 7070;
  private static final Duration POLL = Duration.ofSeconds(3);
  /** In the launcher's work folder: the region the project ran in, for {@code aether status}. */
  static final String REGION_FILE = "aws-region";

  private final BidRequest request;
  private final List<ProvisionedInstance> plan;
  private final RunOptions options;
  private final AwsClients clients;
  private final PrintStream out;

  AwsRun(BidRequest request, List<ProvisionedInstance> plan, RunOptions options,
      AwsClients clients, PrintStream out) {
    this.request = request;
    this.plan = plan;
    this.options = options;
    this.clients = clients;
    this.out = out;
  }

  int run() {
    String name = request.name().orElseThrow();
    Path jar = agentJar(options.agentJar());
    ProvisionedInstance coordinatorType = coordinatorType(request.regionCatalog());
    String runId = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    Path work = options.dirs().work(name);
    try (S3Storage bucket = S3Storage.open(clients, name);
        Ec2Machines machines = new Ec2Machines(clients, bucket,
            new Ec2Machines.Settings(name, options.instanceProfile(), options.coordinatorPort()))) {
      List<Node> running = machines.coordinators();
      if (!running.isEmpty()) {
        throw new AetherException(AetherException.UNEXPECTED_STATE, "project '" + name
            + "' is already running on AWS (coordinator node " + running.get(0).id() + "); follow"
            + " it with `aether status -N " + name + "`, or stop it with `aether down --name "
            + name + "`");
      }
      upload(bucket, jar, runId, name);
      writeRegion(work);
      Node coordinator = machines.startCoordinator(coordinatorType);
      out.println("Started the coordinator node " + coordinator.id() + " (" + coordinatorType.type()
          + ", on-demand); it starts " + plan.size() + " worker node(s) and ends them when the"
          + " batch is over.");
      out.println("The batch runs on AWS even if this command ends; stop everything with"
          + " `aether down --name " + name + " -R " + clients.region() + "`.");
      long t0 = System.nanoTime();
      Properties result = follow(bucket, machines, runId, work);
      // it shuts itself down when done; make sure it is not left costing money
      machines.stop(coordinator);
      Path home = options.dirs().bucket(name);
      int files = download(bucket, "output/", home) + download(bucket, "logs/", home);
      try (JobLedger ledger = JobLedger.openExisting(work.resolve("ledger.db"))) {
        PipelineResult r = PipelineResult.from(ledger, bucket.location(),
            Duration.ofNanos(System.nanoTime() - t0));
        out.print(PipelineConsole.summary(r));
        out.println("Brought home " + files + " file(s): " + home.resolve("output") + " and "
            + home.resolve("logs"));
        out.println(cost(machines, request.regionCatalog()));
        if (result.getProperty("error") != null) {
          throw new AetherException(AetherException.ERROR, "the coordinator node stopped with an"
              + " error: " + result.getProperty("error") + "; run the same command again to resume");
        }
        return r.succeeded() ? 0 : 1;
      }
    }
  }

  private void writeRegion(Path work) {
    try {
      Files.createDirectories(work);
      Files.writeString(work.resolve(REGION_FILE), clients.region() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Script, bin/, data/, args, prov.psv, the aether jar and the run's settings. */
  private void upload(S3Storage bucket, Path jar, String runId, String name) {
    Path script = request.script().orElseThrow();
    String scriptKey = "script/" + script.getFileName();
    List<Path> folders = Stream.of(request.binDir(), request.dataDir())
        .flatMap(Optional::stream).toList();
    long total = size(jar) + folders.stream().mapToLong(AwsRun::size).sum();
    try (ProgressBar bar = bar("upload", total)) {
      AtomicLong sent = new AtomicLong();
      request.binDir().ifPresent(d -> bucket.putDirectory("bin", d, n -> bar.stepTo(sent.addAndGet(n))));
      request.dataDir().ifPresent(d -> bucket.putDirectory("data", d, n -> bar.stepTo(sent.addAndGet(n))));
      bucket.put(Ec2Machines.AGENT_JAR_KEY, jar);
      bar.stepTo(sent.addAndGet(size(jar)));
    }
    bucket.put(scriptKey, script);
    bucket.put("args.txt", request.argsFile().orElseThrow());
    bucket.put("prov.psv", ProvisioningFile.format(plan).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    bucket.put(AwsRunFile.CATALOG_KEY, CatalogCsv.write(request.catalog())
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    bucket.put(AwsRunFile.LIMITS_KEY, LimitsFile.format(request.limits())
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Requirements bid = request.baseRequirements();
    bucket.put(AwsRunFile.KEY, new AwsRunFile(runId, name, scriptKey, request.processors(),
        request.memoryGb(), options.maxAttempts(), options.restart(), options.coordinatorPort(),
        options.instanceProfile(), bid.objective(), bid.riskStep(), bid.maxCostPerHour())
        .bytes());
  }

  private static LedgerCounts counts(Path ledger) {
    try (JobLedger l = JobLedger.openExisting(ledger)) {
      return l.counts();
    }
  }

  /**
   * Polls the bucket until the coordinator writes this run's result, showing the ledger
   * checkpoint's counts; fails when the coordinator node is gone without a result.
   */
  private Properties follow(S3Storage bucket, Ec2Machines machines, String runId, Path work) {
    Path ledger = work.resolve("ledger.db");
    PipelineConsole.Bar bar = new PipelineConsole.Bar(out);
    boolean started = false;
    int polls = 0;
    try {
      while (true) {
        Optional<Properties> result = bucket.read(AwsRunFile.RESULT_KEY).map(AwsRunFile::load)
            .filter(p -> runId.equals(p.getProperty("run")));
        boolean checkpointed = bucket.get("state/ledger.db", ledger);
        if (!started) {
          // Before the coordinator's first checkpoint a fresh batch has every job pending; the
          // first checkpoint seen later may already count jobs this run has done.
          LedgerCounts before = checkpointed && !options.restart() ? counts(ledger)
              : new LedgerCounts(request.jobs(), 0, 0, 0);
          bar.started(before, bucket.location(), java.net.URI.create("aws://coordinator"));
          started = true;
        }
        if (checkpointed) {
          bar.progress(counts(ledger));
        }
        if (result.isPresent()) {
          return result.get();
        }
        if (++polls % 5 == 0 && machines.coordinators().isEmpty()) {
          // gone: look once more for a result written just before it ended
          result = bucket.read(AwsRunFile.RESULT_KEY).map(AwsRunFile::load)
              .filter(p -> runId.equals(p.getProperty("run")));
          if (result.isPresent()) {
            return result.get();
          }
          throw new AetherException(AetherException.ERROR, "the coordinator node ended before the"
              + " batch did; its log is in the EC2 console (Get system log), and running the same"
              + " command again resumes the batch");
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "interrupted; the batch goes on on AWS");
    } finally {
      bar.close();
    }
  }

  private static int download(S3Storage bucket, String prefix, Path home) {
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

  /** The cost so far of project {@code name}, for {@code aether status}; a note when unknown. */
  static String costOf(String name, dev.aether.core.project.ProjectDirs dirs) {
    Path regionFile = dirs.work(name).resolve(REGION_FILE);
    try {
      String region = Files.exists(regionFile) ? Files.readString(regionFile).strip()
          : BidRequest.DEFAULT_REGION;
      AwsClients clients = AwsClients.forRegion(region);
      try (S3Storage bucket = S3Storage.existing(clients, name);
          Ec2Machines machines = new Ec2Machines(clients, bucket,
              new Ec2Machines.Settings(name, "aether-node", DEFAULT_PORT))) {
        return cost(machines, dev.aether.core.catalog.EmbeddedCatalog.load().inRegion(region));
      }
    } catch (IOException | AetherException e) {
      return "Cost so far: unknown (" + e.getMessage() + ")";
    }
  }

  static String cost(Ec2Machines machines, Catalog catalog) {
    Instant now = Instant.now();
    RunCost.Estimate e = RunCost.estimate(machines.usage(now), catalog, now);
    return "Cost so far: $" + e.dollars().toPlainString() + " for " + e.instances()
        + " instance(s) at the catalog's prices, billed per second"
        + (e.unpriced() > 0 ? " (" + e.unpriced() + " instance(s) without a known price left out)"
            : "")
        + "; EC2 keeps terminated instances listed for about an hour.";
  }

  /**
   * The coordinator node's type: the cheapest on-demand x86 standard-class type with at least
   * {@value #COORDINATOR_VCPUS} vCPUs and {@value #COORDINATOR_GIB} GiB.
   */
  static ProvisionedInstance coordinatorType(Catalog catalog) {
    return catalog.offers().stream()
        .filter(o -> o.market() == Market.ON_DEMAND)
        .filter(o -> o.type().arch().equals("x86_64") && o.type().quotaClass().equals("standard"))
        .filter(o -> o.type().vcpus() >= COORDINATOR_VCPUS
            && o.type().memoryGib() >= COORDINATOR_GIB)
        .min(Comparator.comparing(Offer::price).thenComparing(Offer::key))
        .map(o -> new ProvisionedInstance(o.type().name(), o.type().vcpus(), o.type().memoryGib(),
            o.type().hasStorage(), false, Optional.empty(), Optional.empty(), Optional.of("aws")))
        .orElseThrow(() -> new AetherException(AetherException.UNEXPECTED_STATE, "the "
            + catalog.source() + " has no on-demand x86 type with " + COORDINATOR_VCPUS
            + " vCPUs and " + COORDINATOR_GIB + " GiB for the coordinator node"));
  }

  /** The jar nodes run: --agent-jar, else the jar this program runs from. */
  static Path agentJar(Optional<Path> given) {
    if (given.isPresent()) {
      if (!Files.isRegularFile(given.get())) {
        throw AetherException.invalidInput("--agent-jar " + given.get() + ": no such file");
      }
      return given.get();
    }
    try {
      Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(self) && self.toString().endsWith(".jar")) {
        return self;
      }
    } catch (java.net.URISyntaxException | SecurityException e) {
      // fall through to the message below
    }
    throw AetherException.invalidInput("--agent-jar: aether is not running from its jar, and"
        + " AWS nodes need one; run ./aether (or java -jar target/aether.jar), or pass --agent-jar");
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

  private ProgressBar bar(String task, long bytes) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(1, bytes))
        .setUnit(" MB", 1_000_000)
        .setConsumer(new ConsoleProgressBarConsumer(out, 100))
        .setStyle(System.console() != null ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK
            : ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .build();
  }
}
