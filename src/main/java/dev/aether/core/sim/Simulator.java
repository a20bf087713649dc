package dev.aether.core.sim;

import dev.aether.core.bidder.PlanLine;
import dev.aether.core.catalog.Offer;
import dev.aether.core.pipeline.ledger.ArgsFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Replays a batch on the simulated market {@code runs} times per strategy, run i of every
 * strategy with the same seed ({@code seed + i}), so the same seed gives the same result.
 */
public final class Simulator {
  private final Batch batch;
  private final MarketModel market;
  private final Map<String, Offer> offersByKey = new HashMap<>();
  private final ArgsFile jobs;

  /**
   * @param offers every offer a strategy may buy (the first plans' and the replacements')
   */
  public Simulator(Batch batch, MarketModel market, List<Offer> offers) {
    this.batch = batch;
    this.market = market;
    for (Offer o : offers) {
      offersByKey.putIfAbsent(SimulatedRun.key(o), o);
    }
    // The jobs' arguments do not matter to the market: job i is "i".
    this.jobs = ArgsFile.parse(IntStream.rangeClosed(1, batch.jobs()).mapToObj(Integer::toString)
        .collect(Collectors.joining("\n", "", "\n")));
  }

  /** One run of one strategy. */
  public RunResult run(Strategy strategy, long seed) {
    return run(strategy, seed, Map.of());
  }

  /** As {@link #run(Strategy, long)}, with interruptions at set hours by node id (tests). */
  RunResult run(Strategy strategy, long seed, Map<String, Double> scripted) {
    Map<String, Offer> known = new HashMap<>(offersByKey);
    for (PlanLine l : strategy.plan().lines()) {
      known.putIfAbsent(SimulatedRun.key(l.offer()), l.offer());
    }
    return new SimulatedRun(batch, strategy, market, seed, known, scripted).run(jobs);
  }

  /** {@code runs} runs of each strategy, seeds {@code seed}, {@code seed + 1}, ... */
  public List<StrategySummary> compare(List<Strategy> strategies, int runs, long seed) {
    if (runs <= 0) {
      throw new IllegalArgumentException("runs must be > 0, got " + runs);
    }
    List<StrategySummary> out = new ArrayList<>();
    for (Strategy s : strategies) {
      RunResult quiet = quiet(s);
      // Runs are independent (each has its own ledger, clock and exclusions): two at a time on
      // two cores, collected in seed order.
      List<RunResult> results = IntStream.range(0, runs).parallel()
          .mapToObj(i -> SimulatedRun.firstDisturbance(s, market, seed + i) > quiet.hours()
              ? quiet : run(s, seed + i))
          .toList();
      out.add(StrategySummary.of(s, describe(s), results));
    }
    return out;
  }

  /**
   * The strategy's run without interruptions. A run whose first interruption or reclaim would
   * come after this run's end is this run (nothing random happens before it), so it is not
   * replayed: at the catalog's rates most runs of a small fleet are such runs.
   */
  RunResult quiet(Strategy s) {
    MarketModel calm = new MarketModel(market.startupDelay(), 0, 0, market.reclaimShare());
    return new Simulator(batch, calm, List.copyOf(offersByKey.values())).run(s, 0);
  }

  /** A plan in words: {@code 4 x m5.16xlarge spot use1-az1 + ...}. */
  public static String describe(Strategy s) {
    return s.plan().lines().stream()
        .map(l -> String.format(Locale.ROOT, "%d x %s %s%s", l.count(), l.offer().type().name(),
            l.offer().market().label(), l.offer().zone().isEmpty() ? "" : " " + l.offer().zone()))
        .collect(Collectors.joining(" + "));
  }
}
