package dev.aether.core.spi;

import java.util.Objects;

/**
 * Job slots the pipeline lost because a node was interrupted and handed its leases back.
 *
 * @param node the id the node registered under (on AWS, its instance id)
 * @param slots how many slots to replace: the node's slots, at most the jobs left to run
 * @param onDemand true when the slots are for jobs spot capacity has lost too often
 *     ({@code --spot-attempts}): they must be bought on-demand
 */
public record LostCapacity(String node, int slots, boolean onDemand) {
  public LostCapacity {
    Objects.requireNonNull(node, "node");
    if (slots < 1) {
      throw new IllegalArgumentException("slots to replace must be >= 1, got " + slots);
    }
  }

  /** Slots to replace on any market. */
  public LostCapacity(String node, int slots) {
    this(node, slots, false);
  }
}
