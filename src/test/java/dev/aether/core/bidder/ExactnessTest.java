package dev.aether.core.bidder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Catalogs built to fool a solver that stops at a small relative gap: prices nearly proportional
 * to slots, so that thousands of plans lie within a hundredth of a percent of the optimum, and
 * thousands of slots, so that a hundredth of a percent is dollars. The optimum is found
 * independently by dynamic programming over the slots (the only row, so the program is a
 * covering knapsack).
 */
class ExactnessTest {
  private final Bidder bidder = new Bidder();

  /** A near-proportional catalog: seeded, {@code types} types in {@code zones} zones, spot. */
  record Case(long seed, int slots, List<Offer> offers) {
    @Override
    public String toString() {
      return "seed " + seed + ", " + slots + " slots, " + offers.size() + " offers";
    }
  }

  static Case nearProportional(long seed, int types, int zones, int slots) {
    Random rnd = new Random(seed);
    List<Offer> offers = new ArrayList<>();
    for (int t = 0; t < types; t++) {
      int k = 1 + rnd.nextInt(96); // slots per instance, one core and 2 GB each
      InstanceType type = new InstanceType("n" + t + ".s" + k, k, 2.0 * k, 0, "x86_64");
      for (int z = 0; z < zones; z++) {
        // $0.04 a slot-hour, within +-0.005% of proportional, to the micro-dollar
        double jitter = 1 + (rnd.nextDouble() - 0.5) * 1e-4;
        BigDecimal price = BigDecimal.valueOf(0.04 * k * jitter).setScale(6, RoundingMode.HALF_UP);
        offers.add(new Offer(type, "r1", "az" + z, Market.SPOT, price, null));
      }
    }
    return new Case(seed, slots, offers);
  }

  static Stream<Case> cases() {
    return IntStream.rangeClosed(1, 24).mapToObj(
        s -> nearProportional(s, 10 + s % 7 * 5, 1 + s % 4, 1000 + 347 * s));
  }

  static Stream<Arguments> caseArguments() {
    return cases().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseArguments")
  void findsTheProvenOptimumOfNearProportionalCatalogs(Case c) {
    long optimum = leastCost(c, false);

    Plan plan = bidder.solve(costOnly(c.slots()), c.offers(), Limits.NONE);

    assertThat(BidModel.micros(plan.hourlyCost(), RoundingMode.UNNECESSARY)).as("%s", c)
        .isEqualTo(optimum);
  }

  @Test
  void aRelativeGapOfOneInTenThousandMissesTheOptimumOnSomeOfThem() {
    // What OR-Tools' default gap did: a feasible plan a few cents above the optimum.
    MilpBackend defaultGap = new MpSolverBackend("CBC", 1e-4);
    long worse = cases().filter(c -> {
      BidModel model = BidModel.of(costOnly(c.slots()), c.offers(), Limits.NONE);
      long[] x = defaultGap.minimise(model.program(), model.priceObjective()).orElseThrow();
      return Bidder.dot(model.priceObjective(), x) > leastCost(c, false);
    }).count();
    assertThat(worse).as("cases the default gap gets wrong, of 24").isGreaterThan(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseArguments")
  void aMaxCostOneMicroDollarAboveTheLeastWorstCaseIsMet(Case c) {
    // Risk prices near-proportional too: the seed objective's first stage must be exact.
    List<Offer> risky = new ArrayList<>();
    Random rnd = new Random(c.seed() + 1000);
    for (Offer o : c.offers()) {
      BigDecimal risk = o.price().multiply(BigDecimal.valueOf(1 + rnd.nextDouble() * 1e-4))
          .setScale(6, RoundingMode.HALF_UP);
      risky.add(new Offer(o.type(), o.region(), o.zone(), o.market(), o.price(), risk));
    }
    Case withRisk = new Case(c.seed(), c.slots(), risky);
    long leastRisk = leastCost(withRisk, true);
    Requirements seed = new Requirements(1, 2, c.slots(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.of(BidModel.dollars(leastRisk + 1)), Objective.SEED,
        BigDecimal.ZERO);

    Plan plan = bidder.solve(seed, risky, Limits.NONE);

    assertThat(BidModel.micros(plan.riskBound(), RoundingMode.UNNECESSARY)).isEqualTo(leastRisk);
    assertThat(plan.worstCaseHourlyCost()).isLessThanOrEqualTo(BidModel.dollars(leastRisk + 1));
  }

  private static Requirements costOnly(int slots) {
    return new Requirements(1, 2, slots, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Objective.COST, BigDecimal.ZERO);
  }

  /** Least micro-dollars for at least S slots: dp over slot counts, any number of each offer. */
  private static long leastCost(Case c, boolean risk) {
    int kMax = c.offers().stream().mapToInt(o -> o.type().vcpus()).max().orElseThrow();
    int top = c.slots() + kMax;
    long[] dp = new long[top + 1];
    Arrays.fill(dp, Long.MAX_VALUE);
    dp[0] = 0;
    for (int s = 1; s <= top; s++) {
      for (Offer o : c.offers()) {
        int k = o.type().vcpus();
        if (k <= s && dp[s - k] != Long.MAX_VALUE) {
          long p = BidModel.micros(risk ? o.riskPrice() : o.price(), RoundingMode.UNNECESSARY);
          dp[s] = Math.min(dp[s], dp[s - k] + p);
        }
      }
    }
    long best = Long.MAX_VALUE;
    for (int s = c.slots(); s <= top; s++) {
      best = Math.min(best, dp[s]);
    }
    return best;
  }
}
