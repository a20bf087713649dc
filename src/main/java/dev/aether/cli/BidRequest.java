package dev.aether.cli;

import dev.aether.core.project.ProjectName;
import dev.aether.core.AetherException;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.CatalogCsv;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.LimitsFile;
import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.spi.Provider;
import dev.aether.providers.aws.AwsProvider;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Every input of one {@code aether} invocation, checked before anything is launched or written:
 * a bad value stops here with one line naming the option, exit status 2.
 */
record BidRequest(
    Optional<Path> argsFile,
    int jobs,
    int processors,
    double memoryGb,
    Optional<String> name,
    String region,
    Optional<Path> script,
    Optional<Path> binDir,
    Optional<Path> dataDir,
    Catalog catalog,
    Catalog regionCatalog,
    Limits limits,
    Optional<Path> limitsSource,
    Optional<Integer> concurrency,
    Requirements baseRequirements,
    String arch,
    int weeks,
    Optional<Path> exportModel,
    Optional<Double> hours,
    Optional<Integer> concurrencyAsked) {

  static final String DEFAULT_REGION = AwsProvider.DEFAULT_REGION;
  /** The default --max-pool-share, chosen by measurement: see docs/bidder.md. */
  static final String DEFAULT_POOL_SHARE = "0.5";
  static final Path DEFAULT_LIMITS = Path.of("instances.json");

  static BidRequest from(AetherCommand c) {
    boolean run = !c.dryRun;
    if (c.processors == null) {
      throw AetherException.invalidInput("-P/--processors is required: the cores one job uses");
    }
    if (c.processors <= 0) {
      throw AetherException.invalidInput("-P/--processors must be > 0, got " + c.processors);
    }
    if (c.memory == null) {
      throw AetherException.invalidInput("-M/--memory is required: the GB of memory one job uses");
    }
    if (!(c.memory > 0) || c.memory.isInfinite()) {
      throw AetherException.invalidInput("-M/--memory must be > 0 GB, got " + c.memory);
    }
    Optional<String> name = Optional.ofNullable(c.project.name);
    if (name.isEmpty() && run) {
      throw AetherException.invalidInput("-N/--name is required: it names the project's bucket");
    }
    name.ifPresent(ProjectName::check);
    if (c.argsFile == null && (run || c.concurrency == null)) {
      throw AetherException.invalidInput("-A/--input-file is required: the args file, one job per line");
    }
    int jobs = 0;
    if (c.argsFile != null) {
      jobs = ArgsFile.read(c.argsFile).size(); // refuses a missing or empty file
    }
    if (c.concurrency != null && c.concurrency <= 0) {
      throw AetherException.invalidInput("--concurrency must be > 0, got " + c.concurrency);
    }
    Optional<Path> script = Optional.ofNullable(c.script);
    if (run && script.isEmpty()) {
      throw AetherException.invalidInput("-S/--script is required: the job script to run per line");
    }
    script.ifPresent(s -> requireFile("-S/--script", s));
    Optional<Path> bin = Optional.ofNullable(c.binDir);
    bin.ifPresent(d -> requireFolder("-B/--bin-dir", d));
    Optional<Path> data = Optional.ofNullable(c.dataDir);
    data.ifPresent(d -> requireFolder("-D/--data", d));
    int weeks = c.weeks == null ? 4 : c.weeks;
    if (weeks <= 0) {
      throw AetherException.invalidInput("--weeks must be > 0, got " + weeks);
    }
    positive("--min-cores", c.minCores);
    positive("--min-ram", c.minRam);
    positive("--min-storage", c.minStorage);
    if (c.maxCost != null && c.maxCost.signum() <= 0) {
      throw AetherException.invalidInput("--max-cost must be > 0 dollars per hour, got " + c.maxCost);
    }
    if (c.riskStep != null && c.riskStep.signum() < 0) {
      throw AetherException.invalidInput("--risk-step must be >= 0, got " + c.riskStep);
    }
    Objective objective = AetherCommand.parseObjective(c.objective);
    if (c.hours != null && (!(c.hours > 0) || c.hours.isInfinite())) {
      throw AetherException.invalidInput("--hours must be > 0, got " + c.hours);
    }
    if (objective == Objective.EXPECTED && c.hours == null) {
      throw AetherException.invalidInput("--objective expected needs --hours: the expected cost"
          + " of a job depends on how long it runs");
    }
    if (c.budget != null && c.budget.signum() <= 0) {
      throw AetherException.invalidInput("--budget must be > 0 dollars, got " + c.budget);
    }
    if (c.budget != null && c.hours == null) {
      throw AetherException.invalidInput("--budget needs --hours: the batch's expected total"
          + " depends on how long its jobs run");
    }
    BigDecimal poolShare = c.maxPoolShare == null ? new BigDecimal(DEFAULT_POOL_SHARE)
        : c.maxPoolShare;
    if (poolShare.signum() <= 0 || poolShare.compareTo(BigDecimal.ONE) > 0) {
      throw AetherException.invalidInput("--max-pool-share must be above 0 and at most 1, got "
          + c.maxPoolShare);
    }
    String arch = c.arch == null ? "x86_64" : c.arch.toLowerCase(java.util.Locale.ROOT);
    if (!arch.equals("x86_64") && !arch.equals("arm64") && !arch.equals("any")) {
      throw AetherException.invalidInput("--arch: '" + c.arch + "' is not one of: x86_64, arm64, any");
    }
    if (c.exportModel != null) {
      String f = c.exportModel.getFileName().toString();
      if (!f.endsWith(".lp") && !f.endsWith(".mps")) {
        throw AetherException.invalidInput(
            "--export-model " + c.exportModel + ": the file name must end in .lp or .mps");
      }
      Path folder = c.exportModel.toAbsolutePath().getParent();
      if (folder == null || !Files.isDirectory(folder) || !Files.isWritable(folder)) {
        throw AetherException.invalidInput("--export-model " + c.exportModel + ": no folder "
            + folder + " to write it in");
      }
    }

    String region = c.region();
    Catalog all = c.catalogFile != null ? readCatalog(c.catalogFile)
        : c.livePrices.isPresent()
            ? c.livePrices.get().prices().orElseThrow().load(weeks)
        : c.offlineCatalog();
    Catalog inRegion = c.chosenProvider().map(p -> p.startable(all.inRegion(region)))
        .orElse(all.inRegion(region));
    if (inRegion.offers().isEmpty()) {
      throw AetherException.invalidInput("-R/--region: no prices for '" + region + "' in the "
          + all.source() + " (it has: " + String.join(", ", all.regions())
          + "); use --catalog FILE for other regions");
    }
    Catalog catalog = inRegion.withArch(arch);
    if (!c.burstable) {
      catalog = catalog.withoutBurstable();
    }
    if (!c.accelerators) {
      catalog = catalog.withoutAccelerators();
    }
    if (!c.previousGeneration) {
      catalog = catalog.withoutPreviousGeneration();
    }
    if (catalog.offers().isEmpty()) {
      throw AetherException.invalidInput("--arch: no " + arch + " instance types in " + region
          + " in the " + all.source());
    }
    Optional<Path> limitsSource = Optional.ofNullable(c.limitsFile)
        .or(() -> Files.exists(DEFAULT_LIMITS) ? Optional.of(DEFAULT_LIMITS) : Optional.empty());
    if (c.limitsFile != null && !Files.isRegularFile(c.limitsFile)) {
      throw AetherException.invalidInput("--limits " + c.limitsFile + ": no such file");
    }
    Limits fromFile = limitsSource.map(LimitsFile::read).orElse(Limits.NONE);
    // A class the catalog does not know (a typo such as "Standard") would bound nothing.
    limitsSource.ifPresent(f -> LimitsFile.checkQuotaClasses(fromFile, all.quotaClasses(), f));
    // the account's vCPU quotas, with the limits file's entries taking precedence
    Limits limits = c.livePrices.flatMap(Provider::quotas)
        .map(q -> q.read().overriddenBy(fromFile)).orElse(fromFile);

    // More jobs at once than there are jobs buys machines that only wait.
    Optional<Integer> concurrency = Optional.ofNullable(c.concurrency);
    Optional<Integer> asked = Optional.empty();
    if (concurrency.isPresent() && jobs > 0 && concurrency.get() > jobs) {
      asked = concurrency;
      concurrency = Optional.of(jobs);
    }
    int slots = concurrency.orElse(Math.max(jobs, 1));
    Requirements requirements = new Requirements(c.processors, c.memory, slots,
        Optional.ofNullable(c.minCores), Optional.ofNullable(c.minRam),
        Optional.ofNullable(c.minStorage), Optional.ofNullable(c.maxCost), objective,
        c.riskStep == null ? BigDecimal.ONE : c.riskStep, jobs > 0 ? jobs : slots,
        Optional.ofNullable(c.hours), Optional.ofNullable(c.budget), poolShare);
    return new BidRequest(Optional.ofNullable(c.argsFile), jobs, c.processors, c.memory, name,
        region, script, bin, data, catalog, inRegion, limits, limitsSource,
        concurrency, requirements, arch, weeks,
        Optional.ofNullable(c.exportModel), Optional.ofNullable(c.hours), asked);
  }


  private static Catalog readCatalog(Path file) {
    if (!Files.isRegularFile(file)) {
      throw AetherException.invalidInput("--catalog " + file + ": no such file");
    }
    return CatalogCsv.read(file);
  }

  private static void requireFile(String option, Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw AetherException.invalidInput(option + " " + file + ": no such readable file");
    }
  }

  private static void requireFolder(String option, Path folder) {
    if (!Files.isDirectory(folder)) {
      throw AetherException.invalidInput(option + " " + folder + ": no such folder");
    }
  }

  private static void positive(String option, Number value) {
    if (value != null && !(value.doubleValue() > 0)) {
      throw AetherException.invalidInput(option + " must be > 0, got " + value);
    }
  }
}
