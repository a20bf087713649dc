package dev.aether.core.bidder;

/** What the bidder minimises. See {@link Bidder} for each written out. */
public enum Objective {
  /**
   * The seed's epsilon-constraint: first the smallest feasible worst-case $/hour B*, rounded up to
   * the risk step; then the smallest current $/hour whose worst case stays within that bound.
   */
  SEED,
  /** The smallest current $/hour, whatever the worst case. */
  COST,
  /**
   * The smallest expected cost of completing the batch: each offer's $/hour times the expected
   * hours a job takes on it when interrupted jobs are re-run from the start ({@link
   * ExpectedCost}).
   */
  EXPECTED
}
