package dev.aether.bench;

import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.InfeasibleException;
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
import dev.aether.core.limits.QuotaKey;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Cost table for the paper's workload (run by bench/cost; not a test): 1,572 metagenome samples,
 * one job each, priced with a catalog for five ways of buying the machines: all on-demand, the
 * bidder's plan under both objectives, the cheapest single spot type, and the 2017 algorithm.
 * Prints Markdown. See docs/cost.md for the assumptions.
 *
 * <p>Arguments: {@code [CATALOG] [REGION] [VCPU_QUOTAS] [WORKLOADS]}. CATALOG is a catalog CSV or
 * {@code embedded} (default); REGION defaults to us-east-1; VCPU_QUOTAS is a comma-separated list
 * of standard-class vCPU quotas, each applied to on-demand and to spot alike (default
 * {@code 256,1024}); WORKLOADS is a comma-separated list of {@code CORES:GB:HOURS} per sample
 * (default {@code 16:64:3,16:122:4,8:32:5}).
 */
public final class CostTable {
  /** Samples in the paper's workload. */
  public static final int SAMPLES = 1572;

  static final String DEFAULT_QUOTAS = "256,1024";
  static final String DEFAULT_WORKLOADS = "16:64:3,16:122:4,8:32:5";

  /** Cores and GB one sample's job uses, and its wall-clock hours on those cores. */
  record Workload(int cores, double memoryGb, BigDecimal hoursPerSample) {
    static Workload parse(String s) {
      String[] p = s.trim().split(":");
      if (p.length != 3) {
        throw new IllegalArgumentException("workload must be CORES:GB:HOURS, got " + s);
      }
      return new Workload(Integer.parseInt(p[0]), Double.parseDouble(p[1]), new BigDecimal(p[2]));
    }

    String label() {
      return String.format(Locale.ROOT, "%d cores, %s GB, %s h per sample", cores,
          BigDecimal.valueOf(memoryGb).stripTrailingZeros().toPlainString(),
          hoursPerSample.stripTrailingZeros().toPlainString());
    }
  }

  /** One way of buying the machines: what it buys and its hourly prices (null = nothing bought). */
  record Row(String name, String plan, int slots, BigDecimal perHour, BigDecimal worstPerHour,
      String note) {}

  private CostTable() {}

  // ---- arithmetic (CostTableTest) ----

  /** Rounds of jobs needed: every slot runs one sample at a time. */
  static long waves(int samples, int slots) {
    if (slots <= 0) {
      throw new IllegalArgumentException("slots must be > 0, got " + slots);
    }
    return (samples + (long) slots - 1) / slots;
  }

  /** Wall-clock hours for the batch: waves x hours per sample; empty when nothing is bought. */
  static Optional<BigDecimal> hoursToFinish(int samples, int slots, BigDecimal hoursPerSample) {
    if (slots <= 0) {
      return Optional.empty();
    }
    return Optional.of(hoursPerSample.multiply(BigDecimal.valueOf(waves(samples, slots))));
  }

  /** Dollars for the batch: the fleet is paid for from start to finish. */
  static BigDecimal total(BigDecimal perHour, BigDecimal hours) {
    return perHour.multiply(hours);
  }

  /** Saving against {@code baseline} in percent, one decimal (negative = dearer). */
  static BigDecimal savingPercent(BigDecimal total, BigDecimal baseline) {
    if (baseline.signum() <= 0) {
      throw new IllegalArgumentException("baseline must be > 0, got " + baseline);
    }
    return BigDecimal.ONE.subtract(total.divide(baseline, 12, RoundingMode.HALF_UP))
        .movePointRight(2).setScale(1, RoundingMode.HALF_UP);
  }

  /** Standard-class vCPU quota {@code q} on each market. */
  static Limits standardQuota(int q) {
    return new Limits(Map.of(), Map.of(
        new QuotaKey("standard", Market.ON_DEMAND), q, new QuotaKey("standard", Market.SPOT), q));
  }

  /**
   * The single spot offer whose {@code ceil(slots / k)} instances cost least per hour now, among
   * those whose instances fit the vCPU quota and per-type limit; ties by offer key.
   */
  static Optional<Row> cheapestSingleSpot(Requirements req, List<Offer> offers, Limits limits) {
    // one owner for the rule: the simulator's strategy of the same name
    return dev.aether.core.sim.Strategies.cheapestSingleSpot(req, offers, limits)
        .map(l -> new Row("cheapest single spot type", summary(List.of(l)), l.slots(),
            l.hourlyCost(), l.worstCaseHourlyCost(), ""));
  }


  // ---- the table ----

  public static void main(String[] args) {
    String source = args.length > 0 ? args[0] : "embedded";
    String region = args.length > 1 ? args[1] : "us-east-1";
    List<Integer> quotas = Arrays.stream((args.length > 2 ? args[2] : DEFAULT_QUOTAS).split(","))
        .map(String::trim).map(Integer::parseInt).toList();
    List<Workload> workloads = Arrays.stream(
        (args.length > 3 ? args[3] : DEFAULT_WORKLOADS).split(",")).map(Workload::parse).toList();

    Catalog catalog = "embedded".equals(source) ? EmbeddedCatalog.load()
        : CatalogCsv.read(Path.of(source));
    List<Offer> offers = catalog.inRegion(region).withArch("x86_64").withoutBurstable().offers()
        .stream().filter(o -> o.type().quotaClass().equals("standard")).toList();
    List<Offer> onDemand = offers.stream().filter(o -> o.market() == Market.ON_DEMAND).toList();
    long spot = offers.size() - onDemand.size();
    long zonedSpot = offers.stream()
        .filter(o -> o.market() == Market.SPOT && !o.zone().isEmpty()).count();

    System.out.printf(Locale.ROOT, "Workload: %,d samples, one job each. Catalog: %s, region %s,"
        + " x86_64, standard-class types, burstable types left out: %d on-demand and %d spot"
        + " offers (%d of them zoned observed prices, %d Spot Instance Advisor estimates"
        + " without a zone).%n", SAMPLES, catalog.source(), region, onDemand.size(), spot,
        zonedSpot, spot - zonedSpot);
    System.out.println("Hours to finish = ceil(samples / slots) x hours per sample; total $ ="
        + " $/hour now x hours to finish (the fleet runs until the last wave ends). Worst case"
        + " $/hour = every spot price at its risk price (here its on-demand price: no history).");

    List<String> summary = new ArrayList<>();
    Bidder bidder = new Bidder();
    for (Workload w : workloads) {
      System.out.printf(Locale.ROOT, "%n### %s%n%n%s%n", w.label(),
          ceiling(req(w, 1, Objective.COST), offers));
      for (int q : quotas) {
        Limits limits = standardQuota(q);
        Requirements probe = req(w, 1, Objective.COST);
        int slots;
        try {
          slots = Math.min(SAMPLES, bidder.maxSlots(probe, onDemand, limits));
        } catch (InfeasibleException e) {
          System.out.printf(Locale.ROOT, "%n#### %s; quota %d vCPUs%n%nno plan: %s%n",
              w.label(), q, e.getMessage());
          continue;
        }
        System.out.printf(Locale.ROOT, "%n#### %s; %d standard vCPUs on-demand and %d spot: %d"
            + " slots%n%n", w.label(), q, q, slots);
        List<Row> rows = new ArrayList<>();
        rows.add(bidderRow("all on-demand (Bidder COST, on-demand offers only)", bidder,
            req(w, slots, Objective.COST), onDemand, limits));
        rows.add(bidderRow("Bidder SEED", bidder, req(w, slots, Objective.SEED), offers, limits));
        rows.add(bidderRow("Bidder COST", bidder, req(w, slots, Objective.COST), offers, limits));
        rows.add(cheapestSingleSpot(req(w, slots, Objective.COST), offers, limits)
            .orElse(new Row("cheapest single spot type", "none fits the quota", 0, null, null,
                "")));
        rows.add(legacyRow(req(w, slots, Objective.SEED), offers, limits));
        printTable(w, rows, summary, q);
      }
    }
    System.out.println("\n### Summary: saving against all on-demand\n");
    System.out.println("| workload | quota (vCPUs per market) | on-demand $ | Bidder SEED |"
        + " Bidder COST | single spot type | 2017 algorithm |");
    System.out.println("|---|---:|---:|---:|---:|---:|---|");
    summary.forEach(System.out::println);
  }

  /**
   * The most any plan can save, quotas aside: the cheapest spot price per slot-hour against the
   * cheapest on-demand price per slot-hour (whole instances, waves not rounded).
   */
  static String ceiling(Requirements oneSlot, List<Offer> offers) {
    Offer bestSpot = null;
    Offer bestOnDemand = null;
    BigDecimal spot = null;
    BigDecimal onDemand = null;
    for (Offer o : offers.stream().sorted(Comparator.comparing(Offer::key)).toList()) {
      int k = oneSlot.slotsOn(o.type().vcpus(), o.type().memoryGib());
      if (k == 0) {
        continue;
      }
      BigDecimal perSlot = o.price().divide(BigDecimal.valueOf(k), 12, RoundingMode.HALF_UP);
      if (o.market() == Market.SPOT && (spot == null || perSlot.compareTo(spot) < 0)) {
        spot = perSlot;
        bestSpot = o;
      } else if (o.market() == Market.ON_DEMAND
          && (onDemand == null || perSlot.compareTo(onDemand) < 0)) {
        onDemand = perSlot;
        bestOnDemand = o;
      }
    }
    if (spot == null || onDemand == null) {
      return "Ceiling: no spot or no on-demand offer fits one job.";
    }
    return String.format(Locale.ROOT, "Ceiling, quotas aside: the cheapest spot slot-hour is"
        + " $%s (%s) and the cheapest on-demand slot-hour $%s (%s), so no plan saves more than"
        + " %s%% on these prices.", money(spot, 4), summary(List.of(new PlanLine(bestSpot, 1, 1)))
        .substring(4), money(onDemand, 4), bestOnDemand.type().name(),
        savingPercent(spot, onDemand).toPlainString());
  }

  static Requirements req(Workload w, int slots, Objective objective) {
    return new Requirements(w.cores(), w.memoryGb(), slots, Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), objective, BigDecimal.ONE);
  }

  private static Row bidderRow(String name, Bidder bidder, Requirements req, List<Offer> offers,
      Limits limits) {
    try {
      Plan p = bidder.solve(req, offers, limits);
      String note = req.objective() == Objective.SEED
          ? "worst case bound B = $" + p.riskBound().toPlainString() + "/h" : "";
      return new Row(name, summary(p.lines()), p.slots(), p.hourlyCost(),
          p.worstCaseHourlyCost(), note);
    } catch (InfeasibleException e) {
      return new Row(name, "no plan: " + e.getMessage(), 0, null, null, "");
    }
  }

  private static Row legacyRow(Requirements req, List<Offer> offers, Limits limits) {
    LegacyBidder2017.Result r = new LegacyBidder2017().run(req, offers, limits);
    List<PlanLine> lines = new ArrayList<>();
    BigDecimal worst = BigDecimal.ZERO;
    for (Map.Entry<Offer, Long> e : r.counts().entrySet()) {
      Offer o = e.getKey();
      lines.add(new PlanLine(o, Math.toIntExact(e.getValue()),
          req.slotsOn(o.type().vcpus(), o.type().memoryGib())));
      worst = worst.add(o.riskPrice().multiply(BigDecimal.valueOf(e.getValue())));
    }
    lines.sort(Comparator.comparing(l -> l.offer().key()));
    String note = !r.feasibleLp() ? "LP relaxation infeasible: buys nothing"
        : r.slots() == 0 ? "every type it needed was fractional: buys nothing"
        : !r.meetsSlots() ? "buys " + r.slots() + " of " + req.slots() + " slots"
        : !r.meetsAllConstraints() ? "breaks a limit or the risk bound" : "meets every row";
    return new Row("2017 algorithm (LegacyBidder2017, SEED)", lines.isEmpty() ? "nothing"
        : summary(lines), Math.toIntExact(r.slots()),
        lines.isEmpty() ? null : r.hourlyCost(), lines.isEmpty() ? null : worst, note);
  }

  /** e.g. {@code 16 x m6a.4xlarge spot use1-az4 + 2 x m5.4xlarge on-demand}. */
  static String summary(List<PlanLine> lines) {
    return lines.stream().map(l -> {
      Offer o = l.offer();
      String where = o.market() == Market.ON_DEMAND ? "" : o.zone().isEmpty()
          ? " (no zone, Advisor estimate)" : " " + o.zone();
      return l.count() + " x " + o.type().name() + " " + o.market().label() + where;
    }).collect(Collectors.joining(" + "));
  }

  private static void printTable(Workload w, List<Row> rows, List<String> summary, int quota) {
    System.out.println("| row | plan | slots | $/hour now | worst-case $/hour | hours to finish |"
        + " total $ | $ per sample | saving vs on-demand | note |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
    BigDecimal baseline = null;
    List<String> savings = new ArrayList<>();
    for (Row r : rows) {
      Optional<BigDecimal> hours = r.perHour() == null ? Optional.empty()
          : hoursToFinish(SAMPLES, r.slots(), w.hoursPerSample());
      BigDecimal total = hours.map(h -> total(r.perHour(), h)).orElse(null);
      if (baseline == null) {
        baseline = total;
      }
      String saving = total == null || baseline == null ? "-"
          : savingPercent(total, baseline).toPlainString() + "%";
      savings.add(saving);
      System.out.printf(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |%n",
          r.name(), r.plan(), r.slots(), money(r.perHour(), 4), money(r.worstPerHour(), 4),
          hours.map(h -> h.stripTrailingZeros().toPlainString()).orElse("never"),
          money(total, 2),
          total == null ? "-" : money(total.divide(BigDecimal.valueOf(SAMPLES), 2,
              RoundingMode.HALF_UP), 2),
          saving, r.note());
    }
    summary.add(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s |", w.label(),
        quota, money(baseline, 2), savings.get(1), savings.get(2), savings.get(3),
        rows.get(4).slots() == 0 ? "buys nothing" : savings.get(4)));
  }

  private static String money(BigDecimal v, int scale) {
    return v == null ? "-" : String.format(Locale.ROOT, "%,." + scale + "f",
        v.setScale(scale, RoundingMode.HALF_UP));
  }
}
