package dev.aether.core.bidder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class BidderTest {
  private static final InstanceType C5_LARGE = new InstanceType("c5.large", 2, 4, 0, "x86_64");
  private static final InstanceType C5_XLARGE = new InstanceType("c5.xlarge", 4, 8, 0, "x86_64");
  private static final InstanceType C5D_LARGE = new InstanceType("c5d.large", 2, 4, 50, "x86_64");

  private final Bidder bidder = new Bidder();

  static Stream<Arguments> smallCases() {
    return LongStream.rangeClosed(1, 30)
        .boxed()
        .flatMap(seed -> Stream.of(Objective.SEED, Objective.COST)
            .map(objective -> Arguments.of(seed, objective)));
  }

  @ParameterizedTest(name = "seed {0}, {1}")
  @MethodSource("smallCases")
  void costEqualsBruteForceOnSmallRandomCatalogs(long seed, Objective objective) {
    SmallCase c = SmallCase.of(seed, objective);
    Optional<BruteForce.Optimum> expected =
        new BruteForce(c.requirements(), c.offers(), c.limits()).optimum();

    if (expected.isEmpty()) {
      assertThatThrownBy(() -> bidder.solve(c.requirements(), c.offers(), c.limits()))
          .as("%s", c)
          .isInstanceOf(InfeasibleException.class);
      return;
    }
    Plan plan = bidder.solve(c.requirements(), c.offers(), c.limits());
    assertThat(plan.hourlyCost()).as("%s", c).isEqualByComparingTo(expected.get().cost());
    assertThat(plan.slots()).isGreaterThanOrEqualTo(c.requirements().slots());
    c.requirements().maxCostPerHour().ifPresent(max ->
        assertThat(plan.worstCaseHourlyCost()).isLessThanOrEqualTo(max));
    if (objective == Objective.SEED) {
      assertThat(plan.riskBound()).as("%s", c).isEqualByComparingTo(expected.get().riskBound());
      assertThat(plan.worstCaseHourlyCost()).isLessThanOrEqualTo(plan.riskBound());
    } else {
      assertThat(plan.riskBound()).isEqualByComparingTo(plan.worstCaseHourlyCost());
    }
  }

  @Test
  void randomCasesAreMostlyFeasibleSoTheComparisonMeansSomething() {
    long feasible = smallCases()
        .map(a -> SmallCase.of((Long) a.get()[0], (Objective) a.get()[1]))
        .filter(c -> new BruteForce(c.requirements(), c.offers(), c.limits()).optimum()
            .isPresent())
        .count();
    assertThat(feasible).as("feasible of 60").isBetween(36L, 57L);
  }

  @ParameterizedTest
  @EnumSource(SolverKind.class)
  void everySolverFindsTheSameOptimum(SolverKind kind) {
    Bidder other = new Bidder(kind);
    for (long seed = 100; seed < 110; seed++) {
      for (Objective objective : Objective.values()) {
        SmallCase c = SmallCase.of(seed, objective);
        Optional<BruteForce.Optimum> expected =
            new BruteForce(c.requirements(), c.offers(), c.limits()).optimum();
        if (expected.isPresent()) {
          Plan plan = other.solve(c.requirements(), c.offers(), c.limits());
          if (objective == Objective.EXPECTED) {
            assertThat(expectedHourly(plan, c.requirements())).as("%s", c)
                .isEqualByComparingTo(expected.get().expectedHourly());
          } else {
            assertThat(plan.hourlyCost()).as("%s", c)
                .isEqualByComparingTo(expected.get().cost());
          }
        }
      }
    }
  }

  /** Spot: cheap now (0.10) but may cost 0.50; on-demand: 0.40 always. Two slots of one each. */
  static Stream<Arguments> riskSteps() {
    return Stream.of(
        // step, expected bound B, expected cost: B* = 0.80 (two on-demand)
        Arguments.of("0", "0.80", "0.80"),
        Arguments.of("0.25", "1.00", "0.20"),
        Arguments.of("0.5", "1.00", "0.20"),
        Arguments.of("0.3", "0.90", "0.50"),
        Arguments.of("1", "1.00", "0.20"));
  }

  @ParameterizedTest(name = "step {0} -> bound {1}, cost {2}")
  @MethodSource("riskSteps")
  void seedObjectiveRoundsLeastWorstCaseUpToTheRiskStep(String step, String bound, String cost) {
    List<Offer> offers = List.of(
        offer(C5_LARGE, "z1", Market.SPOT, "0.10", "0.50"),
        offer(C5_LARGE, "z1", Market.ON_DEMAND, "0.40", null));
    Requirements req = requirements(2, 4, 2, Objective.SEED, new BigDecimal(step), null);

    Plan plan = bidder.solve(req, offers, Limits.NONE);

    assertThat(plan.riskBound()).isEqualByComparingTo(bound);
    assertThat(plan.hourlyCost()).isEqualByComparingTo(cost);
  }

  @Test
  void maxCostCapsTheRoundedBound() {
    List<Offer> offers = List.of(
        offer(C5_LARGE, "z1", Market.SPOT, "0.10", "0.50"),
        offer(C5_LARGE, "z1", Market.ON_DEMAND, "0.40", null));
    Requirements req = requirements(2, 4, 2, Objective.SEED, BigDecimal.ONE, "0.85");

    Plan plan = bidder.solve(req, offers, Limits.NONE);

    assertThat(plan.riskBound()).isEqualByComparingTo("0.85");
    assertThat(plan.worstCaseHourlyCost()).isEqualByComparingTo("0.80");
  }

  @Test
  void costObjectiveIgnoresRiskUnlessCapped() {
    List<Offer> offers = List.of(
        offer(C5_LARGE, "z1", Market.SPOT, "0.10", "0.50"),
        offer(C5_LARGE, "z1", Market.ON_DEMAND, "0.40", null));

    Plan free = bidder.solve(requirements(2, 4, 2, Objective.COST, BigDecimal.ZERO, null),
        offers, Limits.NONE);
    Plan capped = bidder.solve(requirements(2, 4, 2, Objective.COST, BigDecimal.ZERO, "0.95"),
        offers, Limits.NONE);

    assertThat(free.hourlyCost()).isEqualByComparingTo("0.20");
    assertThat(free.riskBound()).isEqualByComparingTo("1.00");
    assertThat(capped.hourlyCost()).isEqualByComparingTo("0.50");
    assertThat(capped.riskBound()).isEqualByComparingTo("0.90");
  }

  @Test
  void spotBidIsTheRiskPriceAndNeverAboveOnDemand() {
    List<Offer> offers = List.of(
        offer(C5_LARGE, "z1", Market.SPOT, "0.03", "0.07"),
        offer(C5_LARGE, "z1", Market.ON_DEMAND, "0.085", null));

    Plan plan = bidder.solve(requirements(2, 4, 3, Objective.COST, BigDecimal.ZERO, null),
        offers, Limits.NONE);

    assertThat(plan.lines()).singleElement().satisfies(line -> {
      assertThat(line.offer().market()).isEqualTo(Market.SPOT);
      assertThat(line.offer().bid()).isEqualByComparingTo("0.07")
          .isLessThanOrEqualTo(new BigDecimal("0.085"));
      assertThat(line.count()).isEqualTo(3);
    });
  }

  @Test
  void samePlanWhateverTheOrderOfOffers() {
    // Equal prices everywhere: many optimal plans, so order would matter without tie-breaking.
    List<Offer> offers = new ArrayList<>();
    for (String zone : List.of("z1", "z2", "z3")) {
      offers.add(offer(C5_LARGE, zone, Market.SPOT, "0.05", "0.05"));
      offers.add(offer(C5_XLARGE, zone, Market.SPOT, "0.10", "0.10"));
      offers.add(offer(C5D_LARGE, zone, Market.ON_DEMAND, "0.05", null));
    }
    Requirements req = requirements(1, 1, 7, Objective.SEED, BigDecimal.ZERO, null);
    Limits limits = new Limits(Map.of("c5.xlarge", 1),
        Map.of(new QuotaKey("standard", Market.SPOT), 10));
    Plan first = bidder.solve(req, offers, limits);

    Random rnd = new Random(7);
    for (int i = 0; i < 8; i++) {
      List<Offer> shuffled = new ArrayList<>(offers);
      Collections.shuffle(shuffled, rnd);
      assertThat(bidder.solve(req, shuffled, limits)).isEqualTo(first);
    }
  }

  @Test
  void amongEquallyCheapPlansPrefersFewerInstancesThenEarlierOfferKeys() {
    List<Offer> offers = List.of(
        offer(C5_LARGE, "z2", Market.SPOT, "0.05", null),
        offer(C5_LARGE, "z1", Market.SPOT, "0.05", null),
        offer(C5_XLARGE, "z1", Market.SPOT, "0.10", null));

    Plan four = bidder.solve(requirements(1, 1, 4, Objective.COST, BigDecimal.ZERO, null),
        offers, Limits.NONE);
    Plan two = bidder.solve(requirements(1, 1, 2, Objective.COST, BigDecimal.ZERO, null),
        offers, new Limits(Map.of("c5.xlarge", 0), Map.of()));

    assertThat(four.lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().key()).isEqualTo("c5.xlarge/z1/spot"));
    assertThat(two.lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().key()).isEqualTo("c5.large/z1/spot"));
  }

  static Stream<Arguments> infeasibleCases() {
    List<Offer> two = List.of(
        offer(C5_LARGE, "z1", Market.SPOT, "0.03", "0.05"),
        offer(C5_XLARGE, "z1", Market.ON_DEMAND, "0.17", null));
    Requirements fourSlots = requirements(2, 2, 4, Objective.SEED, BigDecimal.ZERO, null);
    return Stream.of(
        Arguments.of("no offers", fourSlots, List.of(), Limits.NONE,
            List.of("no offers")),
        Arguments.of("job too big", requirements(8, 2, 1, Objective.SEED, BigDecimal.ZERO, null),
            two, Limits.NONE,
            List.of("8 cores and 2 GB", "largest offered is c5.xlarge (4 vCPUs, 8 GiB)")),
        Arguments.of("per-type limits", fourSlots, two,
            new Limits(Map.of("c5.large", 1, "c5.xlarge", 1), Map.of()),
            List.of("allow only 3 slots", "4 are needed", "short by 1")),
        Arguments.of("vCPU quota", fourSlots, two,
            new Limits(Map.of("c5.xlarge", 0),
                Map.of(new QuotaKey("standard", Market.SPOT), 4)),
            List.of("vCPU quotas allow only 2 slots", "short by 2")),
        Arguments.of("max cost", requirements(2, 2, 4, Objective.SEED, BigDecimal.ZERO, "0.15"),
            two, Limits.NONE,
            List.of("max cost $0.15/hour", "cheapest worst case $0.20/hour", "4 slots",
                "short by $0.05/hour")),
        Arguments.of("max cost, cost objective",
            requirements(2, 2, 4, Objective.COST, BigDecimal.ZERO, "0.15"), two, Limits.NONE,
            List.of("max cost $0.15/hour", "worst case $0.20/hour", "short by $0.05/hour")),
        Arguments.of("min cores",
            new Requirements(2, 2, 1, Optional.of(10), Optional.empty(), Optional.empty(),
                Optional.empty(), Objective.SEED, BigDecimal.ZERO),
            two, new Limits(Map.of("c5.large", 1, "c5.xlarge", 1), Map.of()),
            List.of("only 6 cores", "minimum is 10", "short by 4")),
        Arguments.of("min RAM",
            new Requirements(2, 2, 1, Optional.empty(), Optional.of(20.5), Optional.empty(),
                Optional.empty(), Objective.COST, BigDecimal.ZERO),
            two, new Limits(Map.of("c5.large", 2, "c5.xlarge", 1), Map.of()),
            List.of("only 16 GB of RAM", "minimum is 20.5 GB", "short by 4.5 GB")),
        Arguments.of("min storage",
            new Requirements(2, 2, 1, Optional.empty(), Optional.empty(), Optional.of(10),
                Optional.empty(), Objective.SEED, BigDecimal.ZERO),
            two, Limits.NONE,
            List.of("only 0 GB of instance storage", "minimum is 10 GB", "short by 10 GB")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("infeasibleCases")
  void infeasibleRequirementsNameTheConstraintAndTheShortfall(
      String name, Requirements req, List<Offer> offers, Limits limits, List<String> phrases) {
    assertThatThrownBy(() -> bidder.solve(req, offers, limits))
        .isInstanceOf(InfeasibleException.class)
        .satisfies(e -> {
          assertThat(((AetherException) e).exitStatus()).isEqualTo(AetherException.INVALID_INPUT);
          assertThat(e.getMessage()).doesNotContain("\n");
          for (String phrase : phrases) {
            assertThat(e.getMessage()).contains(phrase);
          }
        });
  }

  @Test
  void minimumsThatClashOnlyTogetherAreReportedAsSuch() {
    // Storage only on c5d.large, RAM mostly on r5.xlarge; both share an 8-vCPU quota.
    List<Offer> offers = List.of(
        offer(C5D_LARGE, "z1", Market.SPOT, "0.05", null),
        offer(new InstanceType("r5.xlarge", 4, 32, 0, "x86_64"), "z1", Market.SPOT, "0.10",
            null));
    Requirements req = new Requirements(1, 1, 1, Optional.empty(), Optional.of(64.0),
        Optional.of(100), Optional.empty(), Objective.SEED, BigDecimal.ZERO);
    Limits limits = new Limits(Map.of(), Map.of(new QuotaKey("standard", Market.SPOT), 8));

    assertThatThrownBy(() -> bidder.solve(req, offers, limits))
        .isInstanceOf(InfeasibleException.class)
        .hasMessageContaining("cannot all be met at once");
  }

  static Stream<Arguments> batchCases() {
    return LongStream.rangeClosed(1, 40)
        .boxed()
        .flatMap(seed -> Stream.of(Objective.values()).map(o -> Arguments.of(seed, o)));
  }

  @ParameterizedTest(name = "seed {0}, {1}")
  @MethodSource("batchCases")
  void batchPlansEqualBruteForceWithRatesPoolSharesAndBudgets(long seed, Objective objective) {
    SmallCase c = SmallCase.batch(seed, objective);
    Optional<BruteForce.Optimum> expected =
        new BruteForce(c.requirements(), c.offers(), c.limits()).optimum();

    if (expected.isEmpty()) {
      assertThatThrownBy(() -> bidder.solve(c.requirements(), c.offers(), c.limits()))
          .as("%s", c)
          .isInstanceOf(InfeasibleException.class);
      return;
    }
    Requirements req = c.requirements();
    Plan plan = bidder.solve(req, c.offers(), c.limits());
    if (objective == Objective.EXPECTED) {
      assertThat(expectedHourly(plan, req)).as("%s", c)
          .isEqualByComparingTo(expected.get().expectedHourly());
    } else {
      assertThat(plan.hourlyCost()).as("%s", c).isEqualByComparingTo(expected.get().cost());
    }
    assertThat(plan.slots()).isGreaterThanOrEqualTo(req.slots());
    req.poolSlotCap().ifPresent(cap -> assertThat(plan.lines())
        .filteredOn(l -> l.offer().market() == Market.SPOT)
        .allSatisfy(l -> assertThat(l.slots()).as("%s", c).isLessThanOrEqualTo(cap)));
    req.budget().ifPresent(budget -> assertThat(expectedHourly(plan, req)
        .multiply(BigDecimal.valueOf(req.waves()))
        .multiply(BigDecimal.valueOf(req.effectiveHours())))
        .as("%s", c).isLessThanOrEqualTo(budget));
  }

  @Test
  void batchCasesAreMostlyFeasibleAndOftenBoundSoTheComparisonMeansSomething() {
    List<SmallCase> cases = batchCases()
        .map(a -> SmallCase.batch((Long) a.get()[0], (Objective) a.get()[1])).toList();
    long feasible = cases.stream()
        .filter(c -> new BruteForce(c.requirements(), c.offers(), c.limits()).optimum()
            .isPresent())
        .count();
    long budgets = cases.stream().filter(c -> c.requirements().budget().isPresent()).count();
    long shares = cases.stream().filter(c -> c.requirements().poolSlotCap().isPresent()).count();
    assertThat(feasible).as("feasible of %d", cases.size()).isBetween(60L, 110L);
    assertThat(budgets).isGreaterThan(20);
    assertThat(shares).isGreaterThan(20);
  }

  @Test
  void theExpectedObjectiveAvoidsAPoolWhoseInterruptionsCostMoreThanItsDiscount() {
    // Spot at 0.20 interrupted 10% of hours: a 24-hour job is re-run so often that it costs
    // 0.20 x (e^(24 x 0.105) - 1) / (24 x 0.105) = 0.91 an hour; on-demand costs 0.40.
    InstanceType c5 = C5_LARGE;
    List<Offer> offers = List.of(
        new Offer(c5, "us-east-1", "z1", Market.SPOT, new BigDecimal("0.20"), null,
            java.util.OptionalDouble.of(0.10)),
        offer(c5, "z1", Market.ON_DEMAND, "0.40", null));
    Requirements cost = requirements(2, 4, 3, Objective.COST, BigDecimal.ZERO, null)
        .withBatch(9, Optional.of(24.0), Optional.empty());

    Plan now = bidder.solve(cost, offers, Limits.NONE);
    Plan expected = bidder.solve(cost.withObjective(Objective.EXPECTED), offers, Limits.NONE);
    Plan shortJobs = bidder.solve(cost.withObjective(Objective.EXPECTED)
        .withBatch(9, Optional.of(0.25), Optional.empty()), offers, Limits.NONE);

    assertThat(now.lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().market()).isEqualTo(Market.SPOT));
    assertThat(expected.lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().market()).isEqualTo(Market.ON_DEMAND));
    assertThat(shortJobs.lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().market()).isEqualTo(Market.SPOT));
  }

  @Test
  void theExpectedObjectivePrefersTheQuieterOfTwoPoolsAtNearlyTheSamePrice() {
    Offer busy = new Offer(C5_LARGE, "us-east-1", "z1", Market.SPOT, new BigDecimal("0.0350"),
        null, java.util.OptionalDouble.of(dev.aether.core.catalog.InterruptionBands.hourlyRate(4)));
    Offer quiet = new Offer(C5_LARGE, "us-east-1", "z2", Market.SPOT, new BigDecimal("0.03502"),
        null, java.util.OptionalDouble.of(dev.aether.core.catalog.InterruptionBands.hourlyRate(0)));
    Requirements req = requirements(2, 4, 4, Objective.EXPECTED, BigDecimal.ZERO, null)
        .withBatch(40, Optional.of(8.0), Optional.empty());

    Plan plan = bidder.solve(req, List.of(busy, quiet), Limits.NONE);
    Plan cheapest = bidder.solve(req.withObjective(Objective.COST), List.of(busy, quiet),
        Limits.NONE);

    assertThat(plan.lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().zone()).isEqualTo("z2"));
    assertThat(cheapest.lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().zone()).isEqualTo("z1"));
  }

  @Test
  void aBudgetKeepsTheCostObjectiveOffPoolsThatWouldOverrunIt() {
    List<Offer> offers = List.of(
        new Offer(C5_LARGE, "us-east-1", "z1", Market.SPOT, new BigDecimal("0.20"), null,
            java.util.OptionalDouble.of(0.10)),
        offer(C5_LARGE, "z1", Market.ON_DEMAND, "0.40", null));
    // 9 jobs of 24 h at 3 at once: 3 waves, 72 hours; on-demand costs 3 x 0.40 x 72 = 86.40.
    Requirements req = requirements(2, 4, 3, Objective.COST, BigDecimal.ZERO, null)
        .withBatch(9, Optional.of(24.0), Optional.of(new BigDecimal("100")));

    Plan plan = bidder.solve(req, offers, Limits.NONE);

    assertThat(plan.lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().market()).isEqualTo(Market.ON_DEMAND));
  }

  @Test
  void aBudgetBelowTheLeastExpectedTotalIsRefusedSayingByHowMuch() {
    List<Offer> offers = List.of(offer(C5_LARGE, "z1", Market.ON_DEMAND, "0.40", null));
    Requirements req = requirements(2, 4, 3, Objective.COST, BigDecimal.ZERO, null)
        .withBatch(9, Optional.of(24.0), Optional.of(new BigDecimal("80")));

    assertThatThrownBy(() -> bidder.solve(req, offers, Limits.NONE))
        .isInstanceOf(InfeasibleException.class)
        .hasMessageContaining("budget $80.00 is below the least expected total $86.40")
        .hasMessageContaining("9 jobs of 24 hours at 3 at once")
        .hasMessageContaining("short by $6.40")
        .hasMessageContaining("--budget");
  }

  @Test
  void aPoolShareSpreadsSpotSlotsOverPools() {
    List<Offer> offers = new ArrayList<>();
    for (String zone : List.of("z1", "z2", "z3", "z4")) {
      offers.add(offer(C5_LARGE, zone, Market.SPOT, zone.equals("z1") ? "0.030" : "0.031", null));
    }
    Requirements req = requirements(1, 1, 8, Objective.COST, BigDecimal.ZERO, null);

    Plan all = bidder.solve(req, offers, Limits.NONE);
    Plan spread = bidder.solve(req.withMaxPoolShare(new BigDecimal("0.25")), offers, Limits.NONE);

    assertThat(all.lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().zone()).isEqualTo("z1"));
    assertThat(spread.lines()).hasSize(4)
        .allSatisfy(l -> assertThat(l.slots()).isEqualTo(2));
  }

  @Test
  void classesWithoutAQuotaCountAsZeroOnceTheMarketHasQuotas() {
    InstanceType highMemory = new InstanceType("x2iedn.xlarge", 4, 128, 118, "x86_64")
        .withFacts(false, false, false, "x");
    List<Offer> offers = List.of(
        offer(highMemory, "z1", Market.SPOT, "0.01", null),
        offer(C5_LARGE, "z1", Market.SPOT, "0.035", null));
    Requirements req = requirements(2, 4, 2, Objective.COST, BigDecimal.ZERO, null);
    Limits standardOnly = new Limits(Map.of(), Map.of(new QuotaKey("standard", Market.SPOT), 64));
    Limits onDemandOnly = new Limits(Map.of(),
        Map.of(new QuotaKey("standard", Market.ON_DEMAND), 64));

    assertThat(bidder.solve(req, offers, Limits.NONE).lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().type().name()).isEqualTo("x2iedn.xlarge"));
    assertThat(bidder.solve(req, offers, standardOnly).lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().type().name()).isEqualTo("c5.large"));
    // Quotas for on-demand say nothing about spot.
    assertThat(bidder.solve(req, offers, onDemandOnly).lines()).singleElement()
        .satisfies(l -> assertThat(l.offer().type().name()).isEqualTo("x2iedn.xlarge"));
  }

  @Test
  void instanceStorageKeepsItsDecimalsInTheMinimum() {
    InstanceType half = new InstanceType("d.small", 2, 4, 37.5, "x86_64");
    List<Offer> offers = List.of(offer(half, "z1", Market.ON_DEMAND, "0.10", null));
    Requirements req = new Requirements(2, 4, 1, Optional.empty(), Optional.empty(),
        Optional.of(75), Optional.empty(), Objective.COST, BigDecimal.ZERO);

    assertThat(bidder.solve(req, offers, Limits.NONE).instances()).isEqualTo(2);
    assertThat(bidder.solve(req.withSlots(1), offers, Limits.NONE).instances()).isEqualTo(2);
    assertThat(bidder.solve(new Requirements(2, 4, 1, Optional.empty(), Optional.empty(),
        Optional.of(76), Optional.empty(), Objective.COST, BigDecimal.ZERO), offers,
        Limits.NONE).instances()).isEqualTo(3);
  }

  static BigDecimal expectedHourly(Plan plan, Requirements req) {
    return plan.lines().stream()
        .map(l -> ExpectedCost.hourly(l.offer(), req.effectiveHours())
            .multiply(BigDecimal.valueOf(l.count())))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  static Offer offer(InstanceType t, String zone, Market market, String price, String risk) {
    return new Offer(t, "us-east-1", zone, market, new BigDecimal(price),
        risk == null ? null : new BigDecimal(risk));
  }

  static Requirements requirements(int p, double m, int slots, Objective objective,
      BigDecimal step, String maxCost) {
    return new Requirements(p, m, slots, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.ofNullable(maxCost).map(BigDecimal::new), objective, step);
  }
}
