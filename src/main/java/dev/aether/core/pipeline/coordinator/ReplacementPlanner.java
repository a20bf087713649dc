package dev.aether.core.pipeline.coordinator;

import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plans machines for slots an interruption took away: the same bidder and offers as the batch's
 * first plan, asked for just the lost slots, without the pools that are left out now. Pure apart
 * from reading the clock through {@link ExcludedPools}.
 *
 * <p>The seed's minimum cores, RAM and storage applied to the whole first plan and are not asked
 * of a replacement; the max $/hour is kept as a cap on the replacement alone.
 */
public final class ReplacementPlanner {
  /** One question to the bidder: the same slots, market and pools left out get the same plan. */
  private record Question(int slots, boolean onDemand, Set<Pool> excluded) {}

  private final Bidder bidder;
  private final Requirements batch;
  private final List<Offer> offers;
  private final Limits limits;
  private final ExcludedPools excluded;
  // The bidder is deterministic and the offers and limits are fixed, so an answer can be kept:
  // a run asks a few times, the simulator (dev.aether.core.sim) thousands of times.
  private final Map<Question, List<ProvisionedInstance>> answers;

  /**
   * @param batch the batch's requirements (P, M, objective, risk step, max $/hour); its slots and
   *     minimums are not used
   * @param offers the offers the first plan was chosen from
   */
  public ReplacementPlanner(Bidder bidder, Requirements batch, List<Offer> offers, Limits limits,
      ExcludedPools excluded) {
    this.bidder = bidder;
    this.batch = batch;
    this.offers = List.copyOf(offers);
    this.limits = limits;
    this.excluded = excluded;
    this.answers = new ConcurrentHashMap<>();
  }

  private ReplacementPlanner(ReplacementPlanner same, ExcludedPools excluded) {
    this.bidder = same.bidder;
    this.batch = same.batch;
    this.offers = same.offers;
    this.limits = same.limits;
    this.excluded = excluded;
    this.answers = same.answers;
  }

  /**
   * The same planner with other pools left out (and their clock), keeping the answers already
   * found: the simulator's runs each have their own clock and exclusions.
   */
  public ReplacementPlanner withExcluded(ExcludedPools other) {
    return new ReplacementPlanner(this, other);
  }

  public ExcludedPools excluded() {
    return excluded;
  }

  /**
   * Instances with at least {@code slots} slots, from pools not left out.
   *
   * @throws dev.aether.core.bidder.InfeasibleException when the remaining offers cannot
   */
  public List<ProvisionedInstance> plan(int slots) {
    return answers.computeIfAbsent(new Question(slots, false, excluded.active()),
        q -> ProvisioningFile.instancesOf(bidder.solve(batch.forReplacement(slots),
            excluded.filter(offers), limits)));
  }

  /** As {@link #plan}, from on-demand offers only ({@code --spot-attempts}). */
  public List<ProvisionedInstance> planOnDemand(int slots) {
    return answers.computeIfAbsent(new Question(slots, true, excluded.active()),
        q -> ProvisioningFile.instancesOf(bidder.solve(batch.forReplacement(slots),
            excluded.filter(offers).stream().filter(o -> o.market() == Market.ON_DEMAND)
                .toList(), limits)));
  }
}
