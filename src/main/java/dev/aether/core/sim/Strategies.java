package dev.aether.core.sim;

import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.InfeasibleException;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.pipeline.coordinator.ExcludedPools;
import dev.aether.core.pipeline.coordinator.ReplacementPlanner;
import dev.aether.core.pipeline.coordinator.SpotAttempts;
import dev.aether.core.pipeline.remote.RemoteCoordinator;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/** The strategies {@code aether simulate} compares, built from the batch's requirements. */
public final class Strategies {
  /** What could be built, and a line for each strategy that has no plan. */
  public record Built(List<Strategy> strategies, List<String> skipped) {
    public Built {
      strategies = List.copyOf(strategies);
      skipped = List.copyOf(skipped);
    }
  }

  private Strategies() {}

  /**
   * All on-demand; the cheapest single spot pool, without and with on-demand after K
   * interruptions of a job; the bidder's SEED, COST and EXPECTED objectives, each without and
   * with {@code poolShare} spreading, replaced as a run replaces (the coordinator's 30-minute
   * exclusion) and with the run's {@code --spot-attempts}.
   *
   * @param req the batch (P, M, slots, jobs, hours)
   * @param poolShare the {@code --max-pool-share} of the spreading rows (a run's default: 0.5)
   * @param spotAttempts a run's {@code --spot-attempts} K (default 2)
   */
  public static Built standard(Bidder bidder, Requirements req, List<Offer> offers, Limits limits,
      BigDecimal poolShare, int spotAttempts) {
    List<Strategy> out = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    SpotAttempts k = new SpotAttempts(OptionalInt.of(spotAttempts));
    Duration window = RemoteCoordinator.EXCLUDE_INTERRUPTED_POOL;
    List<Offer> onDemand = offers.stream().filter(o -> o.market() == Market.ON_DEMAND).toList();
    Requirements cost = req.withObjective(Objective.COST).withMaxPoolShare(BigDecimal.ONE);
    try {
      out.add(new Strategy("all on-demand", bidder.solve(cost, onDemand, limits),
          Optional.of(planner(bidder, cost, onDemand, limits)), window, k));
    } catch (InfeasibleException e) {
      skipped.add("all on-demand: " + e.getMessage());
    }
    Optional<PlanLine> single = cheapestSingleSpot(req, offers, limits);
    if (single.isPresent()) {
      Plan plan = new Plan(List.of(single.get()), single.get().worstCaseHourlyCost());
      List<Offer> pool = List.of(single.get().offer());
      // One pool only: an interrupted instance is bought again in that pool, at once.
      out.add(new Strategy("cheapest single spot pool", plan,
          Optional.of(planner(bidder, cost, pool, limits)), Duration.ZERO,
          new SpotAttempts(OptionalInt.empty())));
      out.add(new Strategy("single spot pool, on-demand after " + spotAttempts, plan,
          Optional.of(planner(bidder, cost,
              Stream.concat(pool.stream(), onDemand.stream()).toList(), limits)),
          Duration.ZERO, k));
    } else {
      skipped.add("cheapest single spot pool: no spot offer fits the limits");
    }
    for (Objective objective : Objective.values()) {
      List<BigDecimal> shares = poolShare.compareTo(BigDecimal.ONE) < 0
          ? List.of(BigDecimal.ONE, poolShare) : List.of(BigDecimal.ONE);
      for (BigDecimal share : shares) {
        Requirements r = req.withObjective(objective).withMaxPoolShare(share);
        String name = "Bidder " + objective + (share.compareTo(BigDecimal.ONE) < 0
            ? ", pool share " + share.toPlainString() : "");
        try {
          out.add(new Strategy(name, bidder.solve(r, offers, limits),
              Optional.of(planner(bidder, r, offers, limits)), window, k));
        } catch (InfeasibleException e) {
          skipped.add(name + ": " + e.getMessage());
        }
      }
    }
    return new Built(out, skipped);
  }

  /** A planner for a strategy; each run gives it its own exclusions and clock. */
  static ReplacementPlanner planner(Bidder bidder, Requirements req, List<Offer> offers,
      Limits limits) {
    return new ReplacementPlanner(bidder, req, offers, limits,
        new ExcludedPools(Duration.ZERO, () -> 0L));
  }

  /**
   * The single spot offer whose {@code ceil(slots / k)} instances cost least per hour now, among
   * those that fit the vCPU quota and per-type limit; ties by offer key (as bench/cost's row).
   */
  public static Optional<PlanLine> cheapestSingleSpot(Requirements req, List<Offer> offers,
      Limits limits) {
    PlanLine best = null;
    BigDecimal bestCost = null;
    for (Offer o : offers.stream().sorted(Comparator.comparing(Offer::key)).toList()) {
      if (o.market() != Market.SPOT) {
        continue;
      }
      int k = req.slotsOn(o.type().vcpus(), o.type().memoryGib());
      if (k == 0) {
        continue;
      }
      int n = (req.slots() + k - 1) / k;
      Optional<Integer> quota = limits.vcpuQuota(o.type().quotaClass(), Market.SPOT);
      Optional<Integer> perType = limits.limitFor(o.type());
      if (quota.isPresent() && (long) n * o.type().vcpus() > quota.get()
          || perType.isPresent() && n > perType.get()) {
        continue;
      }
      BigDecimal c = o.price().multiply(BigDecimal.valueOf(n));
      if (bestCost == null || c.compareTo(bestCost) < 0) {
        bestCost = c;
        best = new PlanLine(o, n, k);
      }
    }
    return Optional.ofNullable(best);
  }
}
