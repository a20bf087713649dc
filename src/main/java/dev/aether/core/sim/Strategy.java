package dev.aether.core.sim;

import dev.aether.core.bidder.Plan;
import dev.aether.core.pipeline.coordinator.ReplacementPlanner;
import dev.aether.core.pipeline.coordinator.SpotAttempts;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One way of buying the batch's machines: the first plan, how interrupted capacity is bought
 * again, and the {@code --spot-attempts} rule.
 *
 * @param name what the report calls it
 * @param plan the machines bought at the start
 * @param replacements the planner interrupted slots are bought with (the coordinator's); empty =
 *     nothing is replaced
 * @param exclusion how long an interrupted pool is left out of replacements (the coordinator's
 *     30 minutes; 0 for a strategy that only ever buys one pool)
 * @param spotAttempts the {@code --spot-attempts} rule
 */
public record Strategy(String name, Plan plan, Optional<ReplacementPlanner> replacements,
    Duration exclusion, SpotAttempts spotAttempts) {
  public Strategy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(replacements, "replacements");
    Objects.requireNonNull(exclusion, "exclusion");
    Objects.requireNonNull(spotAttempts, "spotAttempts");
    if (plan.lines().isEmpty()) {
      throw new IllegalArgumentException(name + ": the plan buys no machine");
    }
  }
}
