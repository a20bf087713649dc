package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.CatalogCsv;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.LimitsFile;
import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.sim.Batch;
import dev.aether.core.sim.Distribution;
import dev.aether.core.sim.MarketModel;
import dev.aether.core.sim.Simulator;
import dev.aether.core.sim.Strategies;
import dev.aether.core.sim.StrategySummary;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aether simulate}: the batch replayed on a simulated spot market many times per way of
 * buying its machines (docs/simulate.md), and the spread of what it costs and when it ends.
 * Nothing is started or bought.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Replays the batch on a simulated spot market (interruptions at each pool's"
        + " Spot Instance Advisor rate, replacements after a start-up delay, interrupted jobs"
        + " re-run) for each way of buying the machines, with the same seeds, and prints the"
        + " median, p10 and p90 of total cost, time to finish, interruptions, lost job-hours"
        + " and jobs re-run. Nothing is started. See docs/simulate.md."})
public final class SimulateCommand implements Callable<Integer> {
  @Option(names = {"-A", "--input-file"}, paramLabel = "ARGS",
      description = "Args file: one job per line (or --jobs).")
  Path argsFile;

  @Option(names = "--jobs", paramLabel = "N", description = "Number of jobs (instead of -A).")
  Integer jobs;

  @Option(names = {"-P", "--processors"}, paramLabel = "N", description = "Cores one job uses.")
  Integer processors;

  @Option(names = {"-M", "--memory"}, paramLabel = "GB", description = "GB one job uses.")
  Double memory;

  @Option(names = "--hours", paramLabel = "H", description = "Hours one job runs (required).")
  Double hours;

  @Option(names = "--concurrency", paramLabel = "N", description = "Jobs to run at once"
      + " (default: every job, within the limits' on-demand quota).")
  Integer concurrency;

  @Option(names = "--catalog", paramLabel = "CSV",
      description = "Price catalog CSV (default: the embedded snapshot).")
  Path catalogFile;

  @Mixin RegionOption region = new RegionOption();

  @Option(names = "--limits", paramLabel = "JSON", description = "Account limits file"
      + " (default: none).")
  Path limitsFile;

  @Option(names = "--objective", paramLabel = "seed|cost|expected", description = "The"
      + " objective your run uses; its rows are marked with * (default: seed).")
  String objective;

  @Option(names = "--max-pool-share", paramLabel = "F", description = "Pool share of the"
      + " spreading rows (default: " + BidRequest.DEFAULT_POOL_SHARE + ").")
  BigDecimal maxPoolShare;

  @Option(names = "--spot-attempts", paramLabel = "K", description = "After K interruptions a"
      + " job waits for on-demand, as in a run (default: 2).")
  int spotAttempts = 2;

  @Option(names = "--runs", paramLabel = "N", description = "Runs per strategy (default: 200).")
  int runs = 200;

  @Option(names = "--seed", paramLabel = "S", description = "First seed; run i uses S + i for"
      + " every strategy (default: 1).")
  long seed = 1;

  @Option(names = "--startup-minutes", paramLabel = "MIN", description = "Minutes from asking"
      + " for a replacement to its first job (default: 5).")
  double startupMinutes = MarketModel.DEFAULT_STARTUP.toMinutes();

  @Option(names = "--rate-scale", paramLabel = "X", description = "Multiplies every pool's"
      + " interruption rate (default: 1).")
  double rateScale = 1;

  @Option(names = "--reclaims-per-pool-month", paramLabel = "R", description = "Correlated"
      + " reclaims of a whole pool per 720 hours (default: 0, none).")
  double reclaims = 0;

  @Option(names = "--reclaim-share", paramLabel = "F", description = "Chance each instance of a"
      + " reclaimed pool is interrupted (default: 0.5).")
  double reclaimShare = 0.5;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (processors == null || processors <= 0) {
      throw AetherException.invalidInput("-P/--processors is required and must be > 0: the"
          + " cores one job uses");
    }
    if (memory == null || !(memory > 0) || memory.isInfinite()) {
      throw AetherException.invalidInput("-M/--memory is required and must be > 0: the GB one"
          + " job uses");
    }
    if (hours == null || !(hours > 0) || hours.isInfinite()) {
      throw AetherException.invalidInput("--hours is required and must be > 0: the hours one"
          + " job runs");
    }
    if ((argsFile == null) == (jobs == null)) {
      throw AetherException.invalidInput("give the jobs as -A/--input-file ARGS or --jobs N,"
          + " one of the two");
    }
    int n = argsFile != null ? ArgsFile.read(argsFile).size() : jobs;
    if (n <= 0) {
      throw AetherException.invalidInput("--jobs must be > 0, got " + n);
    }
    if (concurrency != null && concurrency <= 0) {
      throw AetherException.invalidInput("--concurrency must be > 0, got " + concurrency);
    }
    if (runs <= 0) {
      throw AetherException.invalidInput("--runs must be > 0, got " + runs);
    }
    if (spotAttempts < 1) {
      throw AetherException.invalidInput("--spot-attempts must be at least 1, got "
          + spotAttempts);
    }
    BigDecimal share = maxPoolShare == null ? new BigDecimal(BidRequest.DEFAULT_POOL_SHARE)
        : maxPoolShare;
    if (share.signum() <= 0 || share.compareTo(BigDecimal.ONE) > 0) {
      throw AetherException.invalidInput("--max-pool-share must be above 0 and at most 1, got "
          + maxPoolShare);
    }
    Objective mine = AetherCommand.parseObjective(objective);
    MarketModel market = market();
    String where = region.region == null ? BidRequest.DEFAULT_REGION : region.region;
    Catalog all = catalogFile == null ? EmbeddedCatalog.load() : readCatalog(catalogFile);
    List<Offer> offers = all.inRegion(where).withArch("x86_64").withoutBurstable()
        .withoutAccelerators().withoutPreviousGeneration().offers();
    if (offers.isEmpty()) {
      throw AetherException.invalidInput("-R/--region: no prices for '" + where + "' in the "
          + all.source() + " (it has: " + String.join(", ", all.regions()) + ")");
    }
    Limits limits = Limits.NONE;
    if (limitsFile != null) {
      if (!Files.isRegularFile(limitsFile)) {
        throw AetherException.invalidInput("--limits " + limitsFile + ": no such file");
      }
      limits = LimitsFile.read(limitsFile);
      LimitsFile.checkQuotaClasses(limits, all.quotaClasses(), limitsFile);
    }
    Bidder bidder = new Bidder();
    Requirements one = new Requirements(processors, memory, 1, Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Objective.COST, BigDecimal.ONE);
    List<Offer> onDemand = offers.stream().filter(o -> o.market() == Market.ON_DEMAND).toList();
    int slots = concurrency != null ? Math.min(concurrency, n)
        : Math.min(n, bidder.maxSlots(one, onDemand, limits));
    Requirements req = one.withSlots(slots).withBatch(n, Optional.of(hours), Optional.empty());
    Strategies.Built built = Strategies.standard(bidder, req, offers, limits, share,
        spotAttempts);
    quietReplacementLogs();
    List<StrategySummary> rows = new Simulator(new Batch(n, hours, processors, memory), market,
        offers).compare(built.strategies(), runs, seed);
    PrintWriter out = spec.commandLine().getOut();
    out.print(report(rows, built.skipped(), mine, n, slots, runs, seed, market));
    out.flush();
    return 0;
  }

  private MarketModel market() {
    if (!(startupMinutes >= 0) || Double.isInfinite(startupMinutes)) {
      throw AetherException.invalidInput("--startup-minutes must be >= 0, got " + startupMinutes);
    }
    if (!(rateScale >= 0) || Double.isInfinite(rateScale)) {
      throw AetherException.invalidInput("--rate-scale must be >= 0, got " + rateScale);
    }
    if (!(reclaims >= 0) || Double.isInfinite(reclaims)) {
      throw AetherException.invalidInput("--reclaims-per-pool-month must be >= 0, got "
          + reclaims);
    }
    if (!(reclaimShare >= 0) || reclaimShare > 1) {
      throw AetherException.invalidInput("--reclaim-share must be between 0 and 1, got "
          + reclaimShare);
    }
    return new MarketModel(Duration.ofMillis(Math.round(startupMinutes * 60_000)), rateScale,
        reclaims, reclaimShare);
  }

  /** The replacer logs a line per replacement; thousands of simulated ones say nothing here. */
  private static void quietReplacementLogs() {
    if (org.slf4j.LoggerFactory.getLogger("dev.aether.core.pipeline.coordinator")
        instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.ERROR);
    }
  }

  static String report(List<StrategySummary> rows, List<String> skipped, Objective mine,
      int jobs, int slots, int runs, long seed, MarketModel market) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%,d jobs, %,d at once; %d runs per strategy (seeds %d"
        + " to %d); replacements after %d min; interruption rates x %s%s.%n%n", jobs, slots,
        runs, seed, seed + runs - 1, market.startupDelay().toMinutes(),
        BigDecimal.valueOf(market.rateScale()).stripTrailingZeros().toPlainString(),
        market.reclaimsPerPoolMonth() > 0 ? String.format(Locale.ROOT, "; %s reclaims per pool"
            + "-month taking %.0f%% of it", market.reclaimsPerPoolMonth(),
            100 * market.reclaimShare()) : ""));
    List<String[]> table = new java.util.ArrayList<>();
    table.add(new String[] {"  strategy", "total $ median (p10-p90)", "hours median (p10-p90)",
        "interrupted", "lost job-h", "jobs re-run"});
    for (StrategySummary s : rows) {
      table.add(new String[] {
          (s.strategy().startsWith("Bidder " + mine) ? "* " : "  ") + s.strategy(),
          range(s.cost(), "%,.2f"), range(s.hours(), "%,.1f"), mid(s.interruptions(), "%.0f"),
          mid(s.lostHours(), "%.1f"), mid(s.jobsRerun(), "%.0f")});
    }
    TextTable.lines(table, i -> i > 0).forEach(l -> b.append(l).append('\n'));
    b.append("\nFirst plans:\n");
    for (StrategySummary s : rows) {
      b.append(String.format(Locale.ROOT, "  %s: %s ($%.4f/hour)%s%n", s.strategy(), s.plan(),
          s.planPerHour(), s.unfinished() > 0 ? "; " + s.unfinished() + " of " + s.runs()
              + " runs ran out of capacity" : ""));
    }
    for (String line : skipped) {
      b.append("  not simulated: ").append(line).append('\n');
    }
    b.append("Interrupted, lost job-h and jobs re-run: median (p90).\n");
    return b.toString();
  }

  private static String range(Distribution d, String f) {
    return String.format(Locale.ROOT, f + " (" + f + "-" + f + ")", d.median(), d.p10(), d.p90());
  }

  private static String mid(Distribution d, String f) {
    return String.format(Locale.ROOT, f + " (" + f + ")", d.median(), d.p90());
  }

  private static Catalog readCatalog(Path file) {
    if (!Files.isRegularFile(file)) {
      throw AetherException.invalidInput("--catalog " + file + ": no such file");
    }
    return CatalogCsv.read(file);
  }
}
