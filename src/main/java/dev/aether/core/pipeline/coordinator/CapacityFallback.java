package dev.aether.core.pipeline.coordinator;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.InfeasibleException;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.Slots;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.StartReport;
import dev.aether.core.spi.Unavailable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Machines that start what the plan's pools can give and buy the rest elsewhere: when a pool has
 * no capacity, its price is above the bid, its quota is used up or its zone cannot take the
 * instance ({@link Unavailable}), that pool (for a quota: every type counted against the same
 * quota) is left out through the interruption machinery's {@link ExcludedPools}, and the
 * {@link ReplacementPlanner} plans the missing slots over the pools that remain. So a batch starts
 * on what is available and says so ({@code notes}), instead of failing on the first refusal.
 *
 * <p>It fails only when nothing at all could be started; a start that covers part of the slots
 * goes on with the nodes it has (jobs wait in the ledger, none is lost). Used for the first start
 * and, since replacements start through it too, for every replacement.
 */
public final class CapacityFallback implements Machines {
  /** Rounds of re-planning before giving up on the missing slots: each round leaves pools out. */
  static final int MAX_ROUNDS = 6;

  private final Machines machines;
  private final ReplacementPlanner planner;
  private final List<Offer> offers;
  private final int processorsPerJob;
  private final double memoryPerJobGb;
  private final Consumer<String> notes;

  /**
   * @param offers the offers the plan was bid from (to find every type of a quota class)
   * @param notes told, in the user's words, what was left out and what was bought instead
   */
  public CapacityFallback(Machines machines, ReplacementPlanner planner, List<Offer> offers,
      int processorsPerJob, double memoryPerJobGb, Consumer<String> notes) {
    this.machines = machines;
    this.planner = planner;
    this.offers = List.copyOf(offers);
    this.processorsPerJob = processorsPerJob;
    this.memoryPerJobGb = memoryPerJobGb;
    this.notes = notes;
  }

  /**
   * Starts {@code instances}, re-planning the slots of those whose pool cannot give one.
   *
   * @throws AetherException when not one node could be started, naming every pool's refusal
   */
  @Override
  public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
    List<Node> started = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    List<ProvisionedInstance> next = instances;
    for (int round = 1; !next.isEmpty(); round++) {
      StartReport report;
      try {
        report = machines.startEach(next, bootstrap);
      } catch (RuntimeException e) {
        started.forEach(this::stopQuietly); // a hard failure: nothing of this call keeps running
        throw e;
      }
      started.addAll(report.started());
      if (report.unavailable().isEmpty()) {
        break;
      }
      int lostSlots = 0;
      for (Unavailable u : report.unavailable()) {
        String left = exclude(u);
        refusals.add(u.message());
        notes.accept("Could not start " + describe(u.instance()) + ": " + u.message()
            + "; left out " + left + ".");
        lostSlots += Slots.forNode(u.instance().processors(), u.instance().ramGb(),
            processorsPerJob, memoryPerJobGb);
      }
      if (round == MAX_ROUNDS) {
        notes.accept("Gave up buying " + lostSlots + " slot(s) after " + MAX_ROUNDS
            + " rounds of pools without room; the batch goes on with " + started.size()
            + " node(s).");
        break;
      }
      try {
        next = planner.plan(lostSlots);
      } catch (InfeasibleException e) {
        notes.accept("No other pool can take the " + lostSlots + " slot(s) (" + e.getMessage()
            + "); the batch goes on with " + started.size() + " node(s).");
        break;
      }
      notes.accept("Planned " + lostSlots + " slot(s) again on: " + next.stream()
          .map(CapacityFallback::describe).collect(Collectors.joining(", ")) + ".");
    }
    if (started.isEmpty() && !instances.isEmpty()) {
      throw new AetherException(AetherException.ERROR, "no machine of the plan could be started: "
          + String.join("; ", refusals) + ". Run `aether check` for the account's quotas, or bid"
          + " again later (spot capacity comes and goes).");
    }
    return List.copyOf(started);
  }

  /** Leaves out the pool (or, for a quota, every type of its quota) and says what. */
  private String exclude(Unavailable u) {
    ProvisionedInstance i = u.instance();
    Market market = i.biddable() ? Market.SPOT : Market.ON_DEMAND;
    if (u.reason() == Unavailable.Reason.QUOTA) {
      Optional<String> quotaClass = offers.stream()
          .filter(o -> o.type().name().equals(i.type()))
          .map(o -> o.type().quotaClass()).findFirst();
      if (quotaClass.isPresent()) {
        offers.stream()
            .filter(o -> o.market() == market
                && o.type().quotaClass().equals(quotaClass.get()))
            .map(o -> o.type().name()).distinct()
            .forEach(type -> planner.excluded().exclude(new Pool(type, "", market)));
        return "every " + quotaClass.get() + " " + market.label() + " type (same vCPU quota)";
      }
    }
    Pool pool = Pool.of(i);
    planner.excluded().exclude(pool);
    return "the pool " + pool;
  }

  private static String describe(ProvisionedInstance i) {
    return i.type() + " (" + (i.biddable() ? "spot" : "on-demand") + i.zone().map(z -> ", " + z)
        .orElse("") + ")";
  }

  private void stopQuietly(Node n) {
    try {
      machines.stop(n);
    } catch (RuntimeException e) {
      // the first failure is the one to report
    }
  }

  @Override
  public StartReport startEach(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
    return new StartReport(start(instances, bootstrap), List.of());
  }

  @Override
  public List<Node> list() {
    return machines.list();
  }

  @Override
  public Optional<Node> find(String id) {
    return machines.find(id);
  }

  @Override
  public void stop(Node node) {
    machines.stop(node);
  }

  @Override
  public Optional<String> console(Node node) {
    return machines.console(node);
  }
}
