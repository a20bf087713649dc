package dev.aether.core.sim;

import dev.aether.core.bidder.PlanLine;
import dev.aether.core.catalog.Offer;
import dev.aether.core.pipeline.ledger.ArgsFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.NavigableMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private boolean fastForward = true;

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
    return newRun(strategy, seed, scripted).run(jobs);
  }

  private SimulatedRun newRun(Strategy strategy, long seed, Map<String, Double> scripted) {
    return new SimulatedRun(batch, strategy, market, seed, known(strategy), scripted);
  }

  private Map<String, Offer> known(Strategy strategy) {
    Map<String, Offer> known = new HashMap<>(offersByKey);
    for (PlanLine l : strategy.plan().lines()) {
      known.putIfAbsent(SimulatedRun.key(l.offer()), l.offer());
    }
    return known;
  }

  /** Off: every disturbed run replays from 0 (tests check both give the same runs). */
  Simulator withoutFastForward() {
    Simulator s = new Simulator(batch, market, List.copyOf(offersByKey.values()));
    s.fastForward = false;
    return s;
  }

  /** {@code runs} runs of each strategy, seeds {@code seed}, {@code seed + 1}, ... */
  public List<StrategySummary> compare(List<Strategy> strategies, int runs, long seed) {
    if (runs <= 0) {
      throw new IllegalArgumentException("runs must be > 0, got " + runs);
    }
    List<StrategySummary> out = new ArrayList<>();
    for (Strategy s : strategies) {
      Path folder = tempFolder();
      try {
        SimulatedRun quietRun = quiet(s, folder);
        RunResult quiet = quietRun.run(jobs);
        NavigableMap<Double, Path> snapshots = quietRun.snapshots();
        // Runs are independent (each has its own ledger, clock and exclusions): two at a time
        // on two cores, collected in seed order.
        List<RunResult> results = IntStream.range(0, runs).parallel()
            .mapToObj(i -> {
              double first = SimulatedRun.firstDisturbance(s, market, seed + i);
              if (first > quiet.hours()) {
                return quiet;
              }
              Map.Entry<Double, Path> from = fastForward ? snapshots.lowerEntry(first) : null;
              SimulatedRun run = newRun(s, seed + i, Map.of());
              return (from == null ? run : run.startingFrom(from)).run(jobs);
            })
            .toList();
        out.add(StrategySummary.of(s, describe(s), results));
      } finally {
        deleteQuietly(folder);
      }
    }
    return out;
  }

  /**
   * The strategy's run without interruptions. A run whose first interruption or reclaim would
   * come after this run's end is this run (nothing random happens before it: the first fleet's
   * draws are all made at 0), so it is not replayed; at the catalog's rates most runs of a small
   * fleet are such runs. A run disturbed at t is this run until t, so it starts from this run's
   * last ledger snapshot before t (some twenty per run, at wave ends).
   */
  private SimulatedRun quiet(Strategy s, Path folder) {
    MarketModel calm = new MarketModel(market.startupDelay(), 0, 0, market.reclaimShare());
    long waves = Math.max(1, -Math.floorDiv(-(long) batch.jobs(), Math.max(1,
        s.plan().lines().stream().mapToInt(l -> l.count() * slotsOn(l)).sum())));
    return new SimulatedRun(batch, s, calm, 0, known(s), Map.of())
        .quiet(folder, (int) Math.max(1, waves / 20));
  }

  private int slotsOn(PlanLine l) {
    return dev.aether.core.plan.Slots.forNode(l.offer().type().vcpus(),
        l.offer().type().memoryGib(), batch.processors(), batch.memoryGb());
  }

  private static Path tempFolder() {
    try {
      return Files.createTempDirectory("aether-sim-quiet");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }

  /** A plan in words: {@code 4 x m5.16xlarge spot use1-az1 + ...}. */
  public static String describe(Strategy s) {
    return s.plan().lines().stream()
        .map(l -> String.format(Locale.ROOT, "%d x %s %s%s", l.count(), l.offer().type().name(),
            l.offer().market().label(), l.offer().zone().isEmpty() ? "" : " " + l.offer().zone()))
        .collect(Collectors.joining(" + "));
  }
}
