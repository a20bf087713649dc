package dev.aether.core.bidder;

/** What the bidder minimises. */
public enum Objective {
  /**
   * The seed's epsilon-constraint: first the smallest feasible worst-case $/hour B*, rounded up to
   * the risk step; then the smallest current $/hour whose worst case stays within that bound.
   */
  SEED,
  /** The smallest current $/hour, whatever the worst case. */
  COST
}
