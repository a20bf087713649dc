package dev.aether.bench;

import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.InfeasibleException;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import dev.aether.core.plan.PlanReport;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The paper's workload (1,572 samples of 16 cores, 64 GB and 3 hours) planned under each
 * objective and several bounds on the share of one spot pool, at three account sizes: what each
 * plan costs now, at worst and in expectation for the whole batch, how long it takes, and how
 * concentrated it is (run by bench/bidder.sh; not a test). The catalog is the embedded snapshot
 * with the CLI's default filters (x86_64; no burstable, accelerated or previous-generation
 * types).
 *
 * <p>Arguments: {@code [CORES:GB:HOURS] [SHARES]}, e.g. {@code 16:64:3 1,0.5,0.25,0.1}.
 */
public final class BatchBench {
  static final int SAMPLES = 1_572;

  public static void main(String[] args) {
    String[] w = (args.length > 0 ? args[0] : "16:64:3").split(":");
    int cores = Integer.parseInt(w[0]);
    double gb = Double.parseDouble(w[1]);
    double hours = Double.parseDouble(w[2]);
    List<BigDecimal> shares = java.util.Arrays.stream(
        (args.length > 1 ? args[1] : "1,0.5,0.25,0.1").split(",")).map(BigDecimal::new).toList();
    Catalog catalog = EmbeddedCatalog.load().inRegion("us-east-1").withArch("x86_64")
        .withoutBurstable().withoutAccelerators().withoutPreviousGeneration();
    List<Offer> offers = catalog.offers();
    List<Offer> onDemandOffers =
        offers.stream().filter(o -> o.market() == Market.ON_DEMAND).toList();
    Bidder bidder = new Bidder();

    System.out.printf(Locale.ROOT, "Workload: %,d jobs of %d cores, %s GB, %s h. Catalog: %s,"
        + " us-east-1, x86_64, no burstable, accelerated or previous-generation types.%n",
        SAMPLES, cores, plain(gb), plain(hours), catalog.source());
    for (Integer quota : new Integer[] {256, 1024, null}) {
      Limits limits = quota == null ? Limits.NONE : new Limits(Map.of(), Map.of(
          new QuotaKey("standard", Market.ON_DEMAND), quota,
          new QuotaKey("standard", Market.SPOT), quota));
      Requirements probe = requirements(cores, gb, 1, hours, Objective.COST, BigDecimal.ONE);
      int slots = Math.min(SAMPLES, bidder.maxSlots(probe, onDemandOffers, limits));
      System.out.printf(Locale.ROOT, "%n### %s: %d jobs at once%n%n", quota == null
          ? "No quotas" : quota + " standard vCPUs on-demand and " + quota + " spot", slots);
      Plan onDemand = bidder.solve(requirements(cores, gb, slots, hours, Objective.COST,
          BigDecimal.ONE), onDemandOffers, limits);
      System.out.println("| objective | max pool share | plan | $/h now | worst $/h |"
          + " expected total | hours | spot pools | largest pool share (band) | saving vs"
          + " on-demand |");
      System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---|---:|");
      for (Objective objective : Objective.values()) {
        for (BigDecimal share : shares) {
          Requirements req = requirements(cores, gb, slots, hours, objective, share);
          try {
            Plan plan = bidder.solve(req, offers, limits);
            PlanReport report = PlanReport.of(plan, req, Optional.of(onDemand), limits);
            PlanReport.Batch batch = report.batch().orElseThrow();
            long pools = report.lines().stream().filter(l -> l.poolShare().isPresent()).count();
            Optional<PlanReport.Line> largest = report.lines().stream()
                .filter(l -> l.poolShare().isPresent())
                .max(Comparator.comparing(l -> l.poolShare().get()));
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.0f | %d | %s | %s |%n",
                objective.name().toLowerCase(Locale.ROOT), share.toPlainString(),
                summary(plan), money(report.hourly()), money(report.worstCaseHourly()),
                batch.expectedTotal().toPlainString(), batch.expectedHours(), pools,
                largest.map(l -> percent(l.poolShare().get()) + " (" + l.band().get() + ")")
                    .orElse("-"),
                percent(report.onDemand().orElseThrow().saving()));
          } catch (InfeasibleException e) {
            System.out.printf(Locale.ROOT, "| %s | %s | no plan: %s | | | | | | | |%n",
                objective.name().toLowerCase(Locale.ROOT), share.toPlainString(),
                e.getMessage());
          }
        }
      }
      PlanReport od = PlanReport.of(onDemand, requirements(cores, gb, slots, hours,
          Objective.COST, BigDecimal.ONE), Optional.empty(), limits);
      System.out.printf(Locale.ROOT, "| all on-demand | - | %s | %s | %s | %s | %.0f | 0 | - | 0%% |%n",
          summary(onDemand), money(od.hourly()), money(od.worstCaseHourly()),
          od.batch().orElseThrow().expectedTotal().toPlainString(),
          od.batch().orElseThrow().expectedHours());
    }
  }

  static Requirements requirements(int cores, double gb, int slots, double hours,
      Objective objective, BigDecimal share) {
    return new Requirements(cores, gb, slots, Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), objective, BigDecimal.ONE, SAMPLES,
        Optional.of(hours), Optional.empty(), share);
  }

  private static String summary(Plan plan) {
    List<String> parts = new ArrayList<>();
    Map<String, Integer> byType = plan.lines().stream().collect(Collectors.groupingBy(
        l -> l.offer().type().name() + " " + l.offer().market().label(),
        java.util.TreeMap::new, Collectors.summingInt(PlanLine::count)));
    byType.forEach((k, n) -> parts.add(n + " x " + k));
    return String.join(" + ", parts);
  }

  private static String money(BigDecimal d) {
    return d.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }

  private static String percent(BigDecimal fraction) {
    return fraction.movePointRight(2).setScale(1, RoundingMode.HALF_UP).toPlainString() + "%";
  }

  private static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
