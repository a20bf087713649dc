package dev.aether.core.plan;

import dev.aether.core.bidder.ExpectedCost;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.InterruptionBands;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a plan means for the batch, ready to print: per line its pool's share of the slots and
 * interruption band, and for the whole the $/hour now, at worst and expected, and, when the hours
 * per job are known, the expected total and the time to finish next to all on-demand. Pure.
 *
 * <p>Batch figures follow the bidder's model ({@link ExpectedCost}): W = ceil(J / slots) waves;
 * every instance runs until the last wave ends; a wave on a pool takes H x g hours in
 * expectation (g the re-run inflation of its interruption rate), so the batch ends after W x H x
 * max g; the expected total is W x H x sum of count x price x g.
 *
 * @param lines the plan's lines with their shares and bands
 * @param slots the plan's slots
 * @param instances the plan's instances
 * @param hourly $/hour now
 * @param worstCaseHourly $/hour if every spot instance were charged its bid
 * @param expectedHourly $/hour with the expected re-runs of interrupted jobs
 * @param batch the batch's expected total and time, when the hours per job are known
 * @param onDemand the all-on-demand plan's figures for the same slots, when there is one
 * @param unlimitedTypes the plan's types that neither a per-type limit nor a vCPU quota bounds
 */
public record PlanReport(
    List<Line> lines, int slots, int instances, BigDecimal hourly, BigDecimal worstCaseHourly,
    BigDecimal expectedHourly, Optional<Batch> batch, Optional<OnDemand> onDemand,
    SortedSet<String> unlimitedTypes) {

  public PlanReport {
    lines = List.copyOf(lines);
    unlimitedTypes = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(unlimitedTypes));
  }

  /**
   * One line of the plan.
   *
   * @param line the plan line
   * @param poolShare spot: this pool's slots over the plan's slots (0 to 1); empty on-demand
   * @param band spot: the interruption band of the pool's rate, e.g. {@code 15-20%}, or {@code ?}
   *     when the catalog has no rate for it; empty on-demand
   * @param estimated the price is an estimate, not an observed price
   */
  public record Line(PlanLine line, Optional<BigDecimal> poolShare, Optional<String> band,
      boolean estimated) {}

  /**
   * The batch at this plan's concurrency.
   *
   * @param jobs J
   * @param hoursPerJob H
   * @param waves W = ceil(J / slots)
   * @param expectedTotal W x H x expected $/hour, to the cent
   * @param expectedHours W x H x the largest g of the plan's pools
   */
  public record Batch(int jobs, double hoursPerJob, long waves, BigDecimal expectedTotal,
      double expectedHours) {}

  /**
   * The all-on-demand plan for the same slots.
   *
   * @param plan the plan
   * @param total its total for the batch (W x H x $/hour; nothing is interrupted), when the
   *     hours are known
   * @param hours its time to finish (W x H), when the hours are known
   * @param saving 1 - this plan's $/hour / its $/hour (or of the totals, when known)
   */
  public record OnDemand(Plan plan, Optional<BigDecimal> total, OptionalDouble hours,
      BigDecimal saving) {}

  /** The report of {@code plan}, bid for {@code req} under {@code limits}. */
  public static PlanReport of(Plan plan, Requirements req, Optional<Plan> allOnDemand,
      Limits limits) {
    int slots = plan.slots();
    List<Line> lines = new ArrayList<>();
    double hours = req.effectiveHours();
    BigDecimal expected = BigDecimal.ZERO;
    double worstG = 1;
    SortedSet<String> unlimited = new TreeSet<>();
    for (PlanLine l : plan.lines()) {
      Offer o = l.offer();
      boolean spot = o.market() == Market.SPOT;
      Optional<BigDecimal> share = spot && slots > 0
          ? Optional.of(BigDecimal.valueOf(l.slots()).divide(BigDecimal.valueOf(slots), 4,
              RoundingMode.HALF_UP))
          : Optional.empty();
      Optional<String> band = spot ? Optional.of(o.interruptionRate().isPresent()
          ? InterruptionBands.labelOf(o.interruptionRate().getAsDouble()) : "?")
          : Optional.empty();
      lines.add(new Line(l, share, band, o.priceEstimated()));
      expected = expected.add(ExpectedCost.hourly(o, hours).multiply(BigDecimal.valueOf(l.count())));
      worstG = Math.max(worstG, ExpectedCost.inflation(o, hours));
      if (limits.limitFor(o.type()).isEmpty()
          && limits.effectiveVcpuQuota(o.type().quotaClass(), o.market()).isEmpty()) {
        unlimited.add(o.type().name());
      }
    }
    Optional<Batch> batch = Optional.empty();
    if (req.hoursPerJob().isPresent() && slots > 0) {
      long waves = req.wavesAt(slots);
      BigDecimal total = expected.multiply(BigDecimal.valueOf(waves))
          .multiply(BigDecimal.valueOf(hours)).setScale(2, RoundingMode.HALF_UP);
      batch = Optional.of(new Batch(req.jobs(), hours, waves, total, waves * hours * worstG));
    }
    Optional<Batch> ours = batch;
    BigDecimal hourly = plan.hourlyCost();
    Optional<OnDemand> onDemand = allOnDemand.map(od -> {
      Optional<BigDecimal> total = Optional.empty();
      OptionalDouble odHours = OptionalDouble.empty();
      BigDecimal saving = saving(hourly, od.hourlyCost());
      if (ours.isPresent() && od.slots() > 0) {
        long waves = req.wavesAt(od.slots());
        BigDecimal t = od.hourlyCost().multiply(BigDecimal.valueOf(waves))
            .multiply(BigDecimal.valueOf(hours)).setScale(2, RoundingMode.HALF_UP);
        total = Optional.of(t);
        odHours = OptionalDouble.of(waves * hours);
        saving = saving(ours.get().expectedTotal(), t);
      }
      return new OnDemand(od, total, odHours, saving);
    });
    return new PlanReport(lines, slots, plan.instances(), hourly, plan.worstCaseHourlyCost(),
        expected, batch, onDemand, unlimited);
  }

  /** 1 - ours / theirs, as a fraction to 4 decimals; 0 when theirs is 0. */
  private static BigDecimal saving(BigDecimal ours, BigDecimal theirs) {
    return theirs.signum() == 0 ? BigDecimal.ZERO
        : BigDecimal.ONE.subtract(ours.divide(theirs, 6, RoundingMode.HALF_UP))
            .setScale(4, RoundingMode.HALF_UP);
  }

  /** The largest share any one spot pool holds, 0 when the plan has no spot line. */
  public BigDecimal largestPoolShare() {
    return lines.stream().flatMap(l -> l.poolShare().stream()).max(BigDecimal::compareTo)
        .orElse(BigDecimal.ZERO);
  }

  /** True when a line's price is an estimate. */
  public boolean hasEstimates() {
    return lines.stream().anyMatch(Line::estimated);
  }
}
