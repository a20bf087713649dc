package dev.aether.bench;

import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.CatalogCsv;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.pipeline.coordinator.ExcludedPools;
import dev.aether.core.pipeline.coordinator.ReplacementPlanner;
import dev.aether.core.pipeline.coordinator.SpotAttempts;
import dev.aether.core.pipeline.remote.RemoteCoordinator;
import dev.aether.core.sim.Batch;
import dev.aether.core.sim.MarketModel;
import dev.aether.core.sim.Simulator;
import dev.aether.core.sim.Strategies;
import dev.aether.core.sim.Strategy;
import dev.aether.core.sim.StrategySummary;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The paper's workload under interruptions (run by bench/simulate; not a test): the strategies
 * of {@link Strategies#standard} plus the 2017 algorithm, each replayed on the simulated market
 * (docs/simulate.md) with the same seeds. Prints Markdown to stdout and writes the first case's
 * chart (median cost against median time to finish, p10-p90 bars) as SVG.
 *
 * <p>Arguments: {@code CATALOG REGION CASES RUNS SEED SVG}. CASES is a comma-separated list of
 * {@code CORES:GB:HOURS@QUOTA} (QUOTA: standard-class vCPUs on each market).
 */
public final class SimulateTable {
  private SimulateTable() {}

  record Case(CostTable.Workload workload, int quota) {
    static Case parse(String s) {
      String[] p = s.trim().split("@");
      return new Case(CostTable.Workload.parse(p[0]), Integer.parseInt(p[1]));
    }

    String label() {
      return workload.label() + "; " + quota + " standard vCPUs on-demand and " + quota + " spot";
    }
  }

  public static void main(String[] args) throws IOException {
    // the replacer's line per replacement would be thousands of lines here
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.aether"))
        .setLevel(ch.qos.logback.classic.Level.ERROR);
    String source = args[0];
    String region = args[1];
    List<Case> cases = Arrays.stream(args[2].split(",")).map(Case::parse).toList();
    int runs = Integer.parseInt(args[3]);
    long seed = Long.parseLong(args[4]);
    Path svg = Path.of(args[5]);

    Catalog catalog = "embedded".equals(source) ? EmbeddedCatalog.load()
        : CatalogCsv.read(Path.of(source));
    List<Offer> offers = catalog.inRegion(region).withArch("x86_64").withoutBurstable().offers()
        .stream().filter(o -> o.type().quotaClass().equals("standard")).toList();
    List<Offer> onDemand = offers.stream().filter(o -> o.market() == Market.ON_DEMAND).toList();
    Bidder bidder = new Bidder();
    MarketModel market = MarketModel.DEFAULT;
    System.out.printf(Locale.ROOT, "%d runs per strategy, seeds %d to %d, the same for every"
        + " strategy. Market: the catalog's interruption rate per spot instance (Spot Instance"
        + " Advisor band; unrated pools the top band), replacements ready %d minutes after the"
        + " ask, no correlated reclaims, interrupted pools left out of replacements for %d"
        + " minutes, --spot-attempts 2. Catalog: %s, region %s, x86_64 standard-class types,"
        + " burstable left out.%n", runs, seed, seed + runs - 1,
        market.startupDelay().toMinutes(), RemoteCoordinator.EXCLUDE_INTERRUPTED_POOL.toMinutes(),
        catalog.source(), region);
    List<String> verdicts = new ArrayList<>();
    boolean first = true;
    for (Case c : cases) {
      long t0 = System.nanoTime();
      CostTable.Workload w = c.workload();
      Limits limits = CostTable.standardQuota(c.quota());
      int slots = Math.min(CostTable.SAMPLES,
          bidder.maxSlots(CostTable.req(w, 1, Objective.COST), onDemand, limits));
      Requirements req = CostTable.req(w, slots, Objective.SEED)
          .withBatch(CostTable.SAMPLES, Optional.of(w.hoursPerSample().doubleValue()),
              Optional.empty());
      Strategies.Built built = Strategies.standard(bidder, req, offers, limits,
          new BigDecimal("0.5"), 2);
      List<Strategy> strategies = new ArrayList<>(built.strategies());
      List<String> notes = new ArrayList<>(built.skipped());
      legacy(bidder, req, offers, limits).ifPresentOrElse(strategies::add,
          () -> notes.add("2017 algorithm: buys fewer slots than asked (every type it needed was"
              + " fractional), so it is not simulated"));
      Batch batch = new Batch(CostTable.SAMPLES, w.hoursPerSample().doubleValue(), w.cores(),
          w.memoryGb());
      List<StrategySummary> rows = new Simulator(batch, market, offers)
          .compare(strategies, runs, seed);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "%n#### %s: %d slots%n%n", c.label(), slots);
      System.out.println("| strategy | first plan | $/hour | total $ median (p10-p90) |"
          + " hours to finish median (p10-p90) | interruptions median (p90) |"
          + " lost job-hours median (p90) | jobs re-run median (p90) | saving at median |"
          + " saving at p90 |");
      System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
      StrategySummary base = rows.get(0);
      for (StrategySummary s : rows) {
        System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %,.0f (%,.0f-%,.0f) | %.1f (%.1f-%.1f)"
            + " | %.0f (%.0f) | %.1f (%.1f) | %.0f (%.0f) | %s | %s |%n", s.strategy(), s.plan(),
            s.planPerHour(), s.cost().median(), s.cost().p10(), s.cost().p90(),
            s.hours().median(), s.hours().p10(), s.hours().p90(), s.interruptions().median(),
            s.interruptions().p90(), s.lostHours().median(), s.lostHours().p90(),
            s.jobsRerun().median(), s.jobsRerun().p90(),
            saving(s.cost().median(), base.cost().median()),
            saving(s.cost().p90(), base.cost().p90()));
        if (s.unfinished() > 0) {
          notes.add(s.strategy() + ": " + s.unfinished() + " of " + s.runs()
              + " runs ran out of capacity");
        }
      }
      for (String n : notes) {
        System.out.println("\n- " + n);
      }
      System.out.printf(Locale.ROOT, "%nSimulated in %.1f s.%n", seconds);
      StrategySummary best = rows.stream().skip(1)
          .min(Comparator.comparingDouble(s -> s.cost().median())).orElse(base);
      verdicts.add(String.format(Locale.ROOT, "| %s | %s | %s | %s |", c.label(),
          best.strategy(), saving(best.cost().median(), base.cost().median()),
          saving(best.cost().p90(), base.cost().p90())));
      if (first) {
        Files.createDirectories(svg.toAbsolutePath().getParent());
        Files.writeString(svg, SimulateChart.svg(c.label(), rows));
        first = false;
      }
    }
    System.out.println("\n#### Cheapest strategy at the median, per case\n");
    System.out.println("| case | cheapest at the median | saving at median | saving at p90 |");
    System.out.println("|---|---|---:|---:|");
    verdicts.forEach(System.out::println);
  }

  static String saving(double total, double baseline) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * (1 - total / baseline));
  }

  /** The 2017 algorithm's plan as a strategy, when it buys every slot asked for. */
  static Optional<Strategy> legacy(Bidder bidder, Requirements req, List<Offer> offers,
      Limits limits) {
    LegacyBidder2017.Result r = new LegacyBidder2017().run(req, offers, limits);
    if (!r.meetsSlots()) {
      return Optional.empty();
    }
    List<PlanLine> lines = new ArrayList<>();
    for (Map.Entry<Offer, Long> e : r.counts().entrySet()) {
      Offer o = e.getKey();
      lines.add(new PlanLine(o, Math.toIntExact(e.getValue()),
          req.slotsOn(o.type().vcpus(), o.type().memoryGib())));
    }
    lines.sort(Comparator.comparing(l -> l.offer().key()));
    Plan plan = new Plan(lines, BigDecimal.ZERO);
    // The seed had no replacement of its own; here it is replaced as a run would be.
    return Optional.of(new Strategy("2017 algorithm (SEED)", plan,
        Optional.of(new ReplacementPlanner(bidder, req, offers, limits,
            new ExcludedPools(java.time.Duration.ZERO, () -> 0L))),
        RemoteCoordinator.EXCLUDE_INTERRUPTED_POOL, new SpotAttempts(OptionalInt.of(2))));
  }
}
