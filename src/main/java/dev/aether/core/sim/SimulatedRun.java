package dev.aether.core.sim;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.ExpectedCost;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.pipeline.coordinator.BiddingCapacityReplacer;
import dev.aether.core.pipeline.coordinator.ExcludedPools;
import dev.aether.core.pipeline.coordinator.Lease;
import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.plan.Slots;
import dev.aether.core.spi.CapacityReplacer;
import dev.aether.core.spi.LostCapacity;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One run of a batch on the simulated market, on a virtual clock (it never sleeps), driving the
 * classes a real run uses: the {@link JobLedger} (a file of its own per run) for every lease,
 * hand-back and completion, the {@link dev.aether.core.pipeline.coordinator.SpotAttempts} rule
 * the coordinator applies, and the coordinator's {@link BiddingCapacityReplacer} with its
 * {@link dev.aether.core.pipeline.coordinator.ReplacementPlanner} (the real bidder) starting
 * simulated machines. The HTTP coordinator and agents are not run: each simulated node takes a
 * job whenever it has a free slot, as an agent's lease loop does, and a notice hands its running
 * jobs back at once, as {@code POST /v1/release} does.
 */
final class SimulatedRun {
  private static final NodeBootstrap BOOTSTRAP =
      new NodeBootstrap(URI.create("http://simulated.invalid"), "simulated", "simulated");
  // Lease times do not matter here: simulated nodes never go silent, so no lease expires.
  private static final long LEASE_MILLIS = 3_600_000L;
  private static final int MAX_ATTEMPTS = 3;

  private enum Kind { READY, FINISH, INTERRUPT, RECLAIM }

  private record Event(double at, long seq, Kind kind, SimNode node, Running run, String pool)
      implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Double.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private record Running(Lease lease, double startedAt) {}

  private static final class SimNode {
    final String id;
    final ProvisionedInstance instance;
    final Offer offer;
    final int slots;
    final double launchedAt;
    boolean ready;
    double goneAt = Double.NaN;
    final List<Running> running = new ArrayList<>();

    SimNode(String id, ProvisionedInstance instance, Offer offer, int slots, double launchedAt) {
      this.id = id;
      this.instance = instance;
      this.offer = offer;
      this.slots = slots;
      this.launchedAt = launchedAt;
    }

    boolean spot() {
      return offer.market() == Market.SPOT;
    }

    boolean gone() {
      return !Double.isNaN(goneAt);
    }
  }

  private final Batch batch;
  private final Strategy strategy;
  private final MarketModel market;
  private final SplittableRandom random;
  private final Map<String, Offer> offersByKey;
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private final Map<String, SimNode> nodes = new LinkedHashMap<>();
  private final Set<String> reclaimScheduled = new HashSet<>();
  private final Set<Integer> rerun = new HashSet<>();
  private JobLedger ledger;
  private long seq;
  private double now;
  private int interruptions;
  private int done;
  private double lostHours;

  private final Map<String, Double> scripted;
  /** Set for the quiet run: ledger snapshots are written here at wave ends ({@link #quiet}). */
  private Path snapshots;
  private int snapshotEvery;
  private final java.util.TreeMap<Double, Path> written = new java.util.TreeMap<>();
  /** Set for a run that starts from the quiet run's snapshot: its time and file. */
  private Map.Entry<Double, Path> start;

  /**
   * @param scripted for tests: interruptions at set hours, by node id ({@code sim-1} is the first
   *     node launched), on top of the market's
   */
  SimulatedRun(Batch batch, Strategy strategy, MarketModel market, long seed,
      Map<String, Offer> offersByKey, Map<String, Double> scripted) {
    this.scripted = Map.copyOf(scripted);
    this.batch = batch;
    this.strategy = strategy;
    this.market = market;
    this.random = new SplittableRandom(seed);
    this.offersByKey = offersByKey;
  }

  /** The key a provisioned instance's offer is found under. */
  static String key(String type, String zone, Market market) {
    return type + "/" + zone + "/" + market.label();
  }

  static String key(Offer o) {
    return key(o.type().name(), o.zone(), o.market());
  }

  RunResult run(ArgsFile jobs) {
    Path dir;
    try {
      dir = Files.createTempDirectory("aether-sim");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path file = dir.resolve("ledger.db");
    if (start != null) {
      try {
        Files.copy(start.getValue(), file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    try (JobLedger l = JobLedger.open(file)) {
      ledger = l;
      if (start == null) {
        ledger.load(jobs, false);
      }
      return simulate();
    } finally {
      deleteQuietly(dir);
    }
  }

  private RunResult simulate() {
    for (PlanLine line : strategy.plan().lines()) {
      for (ProvisionedInstance i : ProvisioningFile.instancesOf(
          new dev.aether.core.bidder.Plan(List.of(line), line.offer().price()))) {
        launch(i, line.offer(), 0);
      }
    }
    if (start != null) {
      fastForward(start.getKey());
    }
    CapacityReplacer replacer = strategy.replacements()
        .<CapacityReplacer>map(p -> new BiddingCapacityReplacer(new SimMachines(),
            BOOTSTRAP, p.withExcluded(new ExcludedPools(strategy.exclusion(), this::nowMillis))))
        .orElse(CapacityReplacer.NONE);
    boolean finished = false;
    while (!events.isEmpty()) {
      Event e = events.poll();
      now = e.at;
      switch (e.kind) {
        case READY -> ready(e.node);
        case FINISH -> {
          if (e.node.running.remove(e.run)) {
            Optional<JobState> state = ledger.complete(e.node.id, e.run.lease.number(),
                e.run.lease.attempt(), 0, nowMillis(), MAX_ATTEMPTS);
            // every simulated run succeeds: the batch ends with its last DONE job (counted
            // here rather than asked of the ledger after each job, which halves the time)
            if (state.orElseThrow() == JobState.DONE && ++done == batch.jobs()) {
              finished = true;
            } else {
              fill(e.node);
            }
          }
        }
        case INTERRUPT -> {
          if (!e.node.gone()) {
            interrupt(e.node, replacer);
          }
        }
        case RECLAIM -> reclaim(e.pool, replacer);
      }
      if (finished) {
        break;
      }
      if (snapshots != null && now > 0 && (events.isEmpty() || events.peek().at > now)) {
        snapshot();
      }
    }
    double end = now;
    double cost = 0;
    for (SimNode n : nodes.values()) {
      double until = n.gone() ? n.goneAt : end;
      cost += n.offer.price().doubleValue() * Math.max(0, until - n.launchedAt);
    }
    return new RunResult(finished, cost, end, interruptions, lostHours, rerun.size());
  }

  /**
   * Makes this run the quiet run (no interruptions): it writes the ledger's snapshot (the
   * checkpoint a coordinator writes, {@link JobLedger#copyTo}) every {@code every} wave ends
   * into {@code folder}, for runs disturbed later to start from ({@link #startingFrom}).
   */
  SimulatedRun quiet(Path folder, int every) {
    this.snapshots = folder;
    this.snapshotEvery = Math.max(1, every);
    return this;
  }

  /** The quiet run's snapshots, by the time they were taken. */
  java.util.NavigableMap<Double, Path> snapshots() {
    return written;
  }

  /**
   * Starts this run from the quiet run's state at {@code snapshot.getKey()}, which must come
   * before this seed's first disturbance: until then this run is the quiet run.
   */
  SimulatedRun startingFrom(Map.Entry<Double, Path> snapshot) {
    this.start = snapshot;
    return this;
  }

  private void snapshot() {
    int wave = (int) Math.round(now / batch.hours());
    if (wave % snapshotEvery == 0) {
      Path file = snapshots.resolve("wave-" + wave + ".db");
      ledger.copyTo(file);
      written.put(now, file);
    }
  }

  /**
   * The first fleet as it stood at {@code at} in the quiet run, a wave end: every node ready
   * with the same random draws made at 0 in the same order, and every LEASED job of the restored
   * ledger running since {@code at} (a wave end: every run in progress started then), its end
   * scheduled in job order, the order the quiet run scheduled them in.
   */
  private void fastForward(double at) {
    events.clear();
    for (SimNode n : nodes.values()) {
      n.ready = true;
      drawOnReady(n.offer, random, market, reclaimScheduled, (delay, pool) -> {
        if (pool == null) {
          schedule(delay, Kind.INTERRUPT, n, null, null);
        } else {
          schedule(delay, Kind.RECLAIM, null, null, pool);
        }
      });
    }
    now = at;
    for (dev.aether.core.pipeline.ledger.Job j : ledger.jobs(JobState.LEASED)) {
      SimNode n = nodes.get(j.node().orElseThrow());
      Running r = new Running(new Lease(j.number(), j.leases(), j.args()), at);
      n.running.add(r);
      schedule(at + batch.hours(), Kind.FINISH, n, r, null);
    }
    done = ledger.counts().done();
  }

  private long nowMillis() {
    return Math.round(now * 3_600_000.0);
  }

  private SimNode launch(ProvisionedInstance i, Offer offer, double readyAt) {
    String id = "sim-" + (nodes.size() + 1);
    SimNode n = new SimNode(id, i, offer,
        Slots.forNode(i.processors(), i.ramGb(), batch.processors(), batch.memoryGb()), now);
    nodes.put(id, n);
    schedule(readyAt, Kind.READY, n, null, null);
    if (scripted.containsKey(id)) {
      schedule(scripted.get(id), Kind.INTERRUPT, n, null, null);
    }
    return n;
  }

  private void schedule(double at, Kind kind, SimNode node, Running run, String pool) {
    events.add(new Event(at, seq++, kind, node, run, pool));
  }

  private void ready(SimNode n) {
    if (n.gone()) {
      return;
    }
    n.ready = true;
    drawOnReady(n.offer, random, market, reclaimScheduled, (delay, pool) -> {
      if (pool == null) {
        schedule(now + delay, Kind.INTERRUPT, n, null, null);
      } else {
        schedule(now + delay, Kind.RECLAIM, null, null, pool);
      }
    });
    fill(n);
  }

  /** Where a draw goes: an instance's interruption (pool null) or a pool's next reclaim. */
  private interface Draw {
    void at(double delayHours, String pool);
  }

  /**
   * The random draws when a node of {@code offer} starts taking jobs, in the one order both the
   * run and {@link #firstDisturbance} use: its interruption (spot, rate above 0), then its pool's
   * next reclaim if none is pending.
   */
  private static void drawOnReady(Offer offer, SplittableRandom random, MarketModel market,
      Set<String> reclaimScheduled, Draw draw) {
    if (offer.market() != Market.SPOT) {
      return;
    }
    double lambda = -Math.log1p(-ExpectedCost.rateOf(offer)) * market.rateScale();
    if (lambda > 0) {
      draw.at(exponential(random, lambda), null);
    }
    if (market.reclaimsPerPoolMonth() > 0 && reclaimScheduled.add(offer.pool())) {
      draw.at(exponential(random, market.reclaimsPerPoolMonth() / 720.0), offer.pool());
    }
  }

  /**
   * The first time anything would disturb the first fleet of a run with this seed: until then
   * the run is the same as one without interruptions (Poisson draws are made when a node starts
   * and the first fleet starts at 0), so {@link Simulator} need not replay a run whose first
   * disturbance comes after the quiet run ended.
   */
  static double firstDisturbance(Strategy strategy, MarketModel market, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Set<String> pools = new HashSet<>();
    double[] first = {Double.POSITIVE_INFINITY};
    for (PlanLine line : strategy.plan().lines()) {
      for (int i = 0; i < line.count(); i++) {
        drawOnReady(line.offer(), random, market, pools,
            (delay, pool) -> first[0] = Math.min(first[0], delay));
      }
    }
    return first[0];
  }

  private double exponential(double ratePerHour) {
    return exponential(random, ratePerHour);
  }

  private static double exponential(SplittableRandom random, double ratePerHour) {
    return -Math.log1p(-random.nextDouble()) / ratePerHour;
  }

  /** Leases jobs into the node's free slots, as the agent's lease loop does. */
  private void fill(SimNode n) {
    if (!n.ready || n.gone()) {
      return;
    }
    while (n.running.size() < n.slots) {
      Optional<Lease> lease = strategy.spotAttempts().lease(ledger, n.id, n.spot(),
          onDemandAlive(), nowMillis(), LEASE_MILLIS);
      if (lease.isEmpty()) {
        return;
      }
      Running r = new Running(lease.get(), now);
      n.running.add(r);
      schedule(now + batch.hours(), Kind.FINISH, n, r, null);
    }
  }

  private void fillAll() {
    for (SimNode n : List.copyOf(nodes.values())) {
      fill(n);
    }
  }

  private boolean onDemandAlive() {
    for (SimNode n : nodes.values()) {
      if (n.ready && !n.gone() && !n.spot()) {
        return true;
      }
    }
    return false;
  }

  /** The notice: runs killed and handed back, the node leaves, its slots are bought again. */
  private void interrupt(SimNode n, CapacityReplacer replacer) {
    n.goneAt = now;
    interruptions++;
    for (Running r : n.running) {
      ledger.release(n.id, r.lease.number(), r.lease.attempt());
      lostHours += now - r.startedAt;
      rerun.add(r.lease.number());
    }
    n.running.clear();
    for (LostCapacity lost : strategy.spotAttempts().replacements(ledger, n.id, n.slots,
        onDemandAlive())) {
      replacer.replace(lost);
    }
    fillAll();
  }

  private void reclaim(String pool, CapacityReplacer replacer) {
    reclaimScheduled.remove(pool);
    boolean any = false;
    for (SimNode n : List.copyOf(nodes.values())) {
      if (n.ready && !n.gone() && n.spot() && n.offer.pool().equals(pool)) {
        if (random.nextDouble() < market.reclaimShare()) {
          interrupt(n, replacer);
        } else {
          any = true;
        }
      }
    }
    if (any && reclaimScheduled.add(pool)) {
      schedule(now + exponential(market.reclaimsPerPoolMonth() / 720.0), Kind.RECLAIM, null,
          null, pool);
    }
  }

  /** The machines a replacer starts: simulated nodes that take jobs after the start-up delay. */
  private final class SimMachines implements Machines {
    @Override
    public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
      List<Node> started = new ArrayList<>();
      for (ProvisionedInstance i : instances) {
        Market m = i.biddable() ? Market.SPOT : Market.ON_DEMAND;
        Offer offer = offersByKey.get(key(i.type(), i.zone().orElse(""), m));
        if (offer == null) {
          throw new AetherException(AetherException.UNEXPECTED_STATE,
              "the replacement plan bought " + i.type() + " outside the strategy's offers");
        }
        SimNode n = launch(i, offer, now + market.startupHours());
        started.add(node(n));
      }
      return started;
    }

    @Override
    public List<Node> list() {
      return nodes.values().stream().filter(n -> !n.gone()).map(SimulatedRun::node).toList();
    }

    @Override
    public Optional<Node> find(String id) {
      return Optional.ofNullable(nodes.get(id)).map(SimulatedRun::node);
    }

    @Override
    public void stop(Node node) {
      // the run's end stops every node; its cost is counted there
    }
  }

  private static Node node(SimNode n) {
    return new Node(n.id, n.instance, Optional.empty(),
        n.gone() ? NodeState.GONE : n.ready ? NodeState.RUNNING : NodeState.PENDING);
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }
}
