package dev.aether.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.pipeline.coordinator.SpotAttempts;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SimulatorTest {
  private static final InstanceType SMALL = new InstanceType("s.large", 2, 4, 0, "x86_64");
  private static final InstanceType OTHER = new InstanceType("o.large", 2, 4, 0, "x86_64");
  private static final Offer ON_DEMAND = offer(SMALL, Market.ON_DEMAND, "0.10", null);
  private static final Offer SPOT = offer(SMALL, Market.SPOT, "0.05", 0.0);
  private static final MarketModel NO_INTERRUPTIONS =
      new MarketModel(Duration.ofMinutes(30), 0, 0, 0.5);

  private static Offer offer(InstanceType t, Market m, String price, Double rate) {
    return new Offer(t, "r1", m == Market.SPOT ? "r1a" : "", m, new BigDecimal(price),
        new BigDecimal("0.10"), rate == null ? OptionalDouble.empty() : OptionalDouble.of(rate));
  }

  private static Requirements req(int slots, int jobs, double hours) {
    return Requirements.of(1, 1, slots).withBatch(jobs, Optional.of(hours), Optional.empty());
  }

  /** n instances of one offer, replaced in that pool at once, without --spot-attempts. */
  private static Strategy onePool(Offer o, int n, Requirements req) {
    return new Strategy("one pool", new Plan(List.of(new PlanLine(o, n, 2)), BigDecimal.ZERO),
        Optional.of(Strategies.planner(new Bidder(), req.withObjective(Objective.COST),
            List.of(o), Limits.NONE)), Duration.ZERO, new SpotAttempts(OptionalInt.empty()));
  }

  @Test
  void withoutInterruptionsABatchCostsThePlanTimesItsWaves() {
    // 2 instances x 2 slots = 4 slots; 10 jobs of 2 h = 3 waves = 6 h; 2 x $0.10 x 6 h = $1.20
    Requirements req = req(4, 10, 2);
    Simulator sim = new Simulator(new Batch(10, 2, 1, 1), NO_INTERRUPTIONS, List.of(ON_DEMAND));
    RunResult r = sim.run(onePool(ON_DEMAND, 2, req), 1);
    assertTrue(r.finished());
    assertEquals(6.0, r.hours(), 1e-9);
    assertEquals(1.20, r.cost(), 1e-9);
    assertEquals(0, r.interruptions());
    assertEquals(0, r.lostHours(), 1e-9);
    assertEquals(0, r.jobsRerun());
  }

  @Test
  void anInterruptionReDoesTheLostHoursAfterTheStartUpDelay() {
    // One spot node (2 slots), 4 jobs of 2 h. Interrupted at 1.5 h: its two runs lose 1.5 h
    // each; the replacement is asked for at 1.5 h, takes jobs at 2.0 h (30 min start-up), runs
    // jobs 1-2 from 2 to 4 h and 3-4 from 4 to 6 h. Paid: 1.5 h + 4.5 h at $0.05.
    Requirements req = req(2, 4, 2);
    Simulator sim = new Simulator(new Batch(4, 2, 1, 1), NO_INTERRUPTIONS, List.of(SPOT));
    RunResult r = sim.run(onePool(SPOT, 1, req), 1, Map.of("sim-1", 1.5));
    assertTrue(r.finished());
    assertEquals(1, r.interruptions());
    assertEquals(3.0, r.lostHours(), 1e-9);
    assertEquals(2, r.jobsRerun());
    assertEquals(6.0, r.hours(), 1e-9);
    assertEquals(0.05 * 1.5 + 0.05 * 4.5, r.cost(), 1e-9);
  }

  @Test
  void anInterruptionInTheLastWaveIsTakenByTheIdleSlots() {
    // Two nodes, 3 jobs of 2 h: node 2 runs job 3 and has a free slot. Node 1 is interrupted
    // at 1 h: nothing more waits than the 2 jobs it had, node 2 takes one at once (1 to 3 h),
    // and the replacement (ready at 1.5 h) the other (1.5 to 3.5 h).
    Requirements req = req(4, 3, 2);
    Simulator sim = new Simulator(new Batch(3, 2, 1, 1), NO_INTERRUPTIONS, List.of(SPOT));
    RunResult r = sim.run(onePool(SPOT, 2, req), 1, Map.of("sim-1", 1.0));
    assertEquals(3.5, r.hours(), 1e-9);
    assertEquals(2.0, r.lostHours(), 1e-9);
    // node 1: 1 h; node 2: 3.5 h; the replacement: from the ask at 1 h to the end, 2.5 h
    assertEquals(0.05 * (1 + 3.5 + 2.5), r.cost(), 1e-9);
  }

  @Test
  void withSpotAttemptsOneTheInterruptedJobsAreBoughtOnDemand() {
    // One spot node, 2 jobs of 2 h, interrupted at 1 h; K = 1 and no on-demand node alive: the
    // coordinator's rule buys the 2 slots on-demand ($0.10), ready at 1.5 h, done at 3.5 h.
    Requirements req = req(2, 2, 2);
    Strategy k1 = new Strategy("spot, on-demand after 1",
        new Plan(List.of(new PlanLine(SPOT, 1, 2)), BigDecimal.ZERO),
        Optional.of(Strategies.planner(new Bidder(), req.withObjective(Objective.COST),
            List.of(SPOT, ON_DEMAND), Limits.NONE)), Duration.ZERO,
        new SpotAttempts(OptionalInt.of(1)));
    Simulator sim = new Simulator(new Batch(2, 2, 1, 1), NO_INTERRUPTIONS,
        List.of(SPOT, ON_DEMAND));
    RunResult r = sim.run(k1, 1, Map.of("sim-1", 1.0));
    assertEquals(3.5, r.hours(), 1e-9);
    assertEquals(0.05 * 1 + 0.10 * 2.5, r.cost(), 1e-9);
  }

  @Test
  void aRunStartedFromTheQuietRunsSnapshotIsTheRunReplayedFromTheStart() {
    // many waves, interruptions and reclaims, replacements in other pools, --spot-attempts 2
    Offer a = offer(SMALL, Market.SPOT, "0.03", 0.08);
    Offer b = offer(OTHER, Market.SPOT, "0.04", 0.05);
    Offer od = offer(OTHER, Market.ON_DEMAND, "0.10", null);
    List<Offer> offers = List.of(a, b, od);
    Requirements req = req(6, 90, 1.5);
    Strategies.Built built = Strategies.standard(new Bidder(), req, offers, Limits.NONE,
        new BigDecimal("0.5"), 2);
    Simulator sim = new Simulator(new Batch(90, 1.5, 1, 1),
        new MarketModel(Duration.ofMinutes(10), 1, 20, 0.5), offers);
    List<StrategySummary> fast = sim.compare(built.strategies(), 30, 5);
    List<StrategySummary> full = sim.withoutFastForward().compare(built.strategies(), 30, 5);
    assertEquals(full, fast);
    assertTrue(fast.stream().anyMatch(r -> r.interruptions().median() > 0));
  }

  @Test
  void theSameSeedGivesTheSameRunsAndOtherSeedsOthers() {
    Offer risky = offer(SMALL, Market.SPOT, "0.05", 0.05);
    Requirements req = req(4, 40, 3);
    MarketModel market = new MarketModel(Duration.ofMinutes(5), 1, 10, 0.5);
    Simulator sim = new Simulator(new Batch(40, 3, 1, 1), market, List.of(risky));
    List<Strategy> strategies = List.of(onePool(risky, 2, req));
    List<StrategySummary> a = sim.compare(strategies, 30, 42);
    List<StrategySummary> b = sim.compare(strategies, 30, 42);
    assertEquals(a, b);
    assertEquals(sim.run(strategies.get(0), 7), sim.run(strategies.get(0), 7));
    // the market is random: the runs differ from one seed to another
    assertNotEquals(a.get(0).cost().p10(), a.get(0).cost().p90());
  }

  @Test
  void onATinyMarketTheExpectedObjectiveAvoidsTheCheapPoolThatIsAlwaysInterrupted() {
    // s.large spot is cheapest ($0.03) but interrupted half of all hours; o.large spot costs
    // $0.05 and is never interrupted; on-demand $0.10. A job takes 2 h. The expected cost
    // prices s.large at 0.03 x 2.16 = $0.065 an hour, so EXPECTED buys o.large and pays exactly
    // its quiet cost; COST and the cheapest single pool buy s.large and pay for lost runs.
    Offer cheapRisky = offer(SMALL, Market.SPOT, "0.03", 0.5);
    Offer safe = offer(OTHER, Market.SPOT, "0.05", 0.0);
    Offer od = offer(OTHER, Market.ON_DEMAND, "0.10", null);
    List<Offer> offers = List.of(cheapRisky, safe, od);
    Requirements req = req(4, 20, 2);
    Strategies.Built built = Strategies.standard(new Bidder(), req, offers, Limits.NONE,
        BigDecimal.ONE, 2);
    Simulator sim = new Simulator(new Batch(20, 2, 1, 1),
        new MarketModel(Duration.ofMinutes(5), 1, 0, 0.5), offers);
    List<StrategySummary> rows = sim.compare(built.strategies(), 40, 1);
    StrategySummary onDemand = row(rows, "all on-demand");
    StrategySummary single = row(rows, "cheapest single spot pool");
    StrategySummary expected = row(rows, "Bidder EXPECTED");
    StrategySummary cost = row(rows, "Bidder COST");
    assertTrue(single.plan().contains("s.large"), single.plan());
    assertTrue(cost.plan().contains("s.large"), cost.plan());
    assertTrue(expected.plan().contains("o.large"), expected.plan());
    // 2 x o.large, 4 slots, 5 waves of 2 h: $0.10 x 10 h, never interrupted
    assertEquals(1.0, expected.cost().median(), 1e-9);
    assertEquals(1.0, expected.cost().p90(), 1e-9);
    assertEquals(0, expected.interruptions().p90());
    assertEquals(2.0, onDemand.cost().median(), 1e-9);
    assertTrue(single.cost().median() > expected.cost().median(), single.cost().toString());
    assertTrue(single.hours().median() > expected.hours().median());
    assertTrue(single.interruptions().median() > 0);
    assertEquals(0, single.unfinished());
  }

  private static StrategySummary row(List<StrategySummary> rows, String name) {
    return rows.stream().filter(r -> r.strategy().equals(name)).findFirst().orElseThrow();
  }
}
