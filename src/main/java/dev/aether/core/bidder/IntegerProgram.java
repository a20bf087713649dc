package dev.aether.core.bidder;

import java.util.List;

/**
 * Integer variables x_0..x_{n-1} in [0, upperBounds[i]] (or unbounded above when {@link
 * #UNBOUNDED}) under linear rows: what a {@link MilpBackend} solves.
 */
record IntegerProgram(long[] upperBounds, List<LinearRow> rows) {
  static final long UNBOUNDED = Long.MAX_VALUE;

  IntegerProgram {
    upperBounds = upperBounds.clone();
    rows = List.copyOf(rows);
  }

  int variables() {
    return upperBounds.length;
  }

  /** This program with more rows. */
  IntegerProgram with(List<LinearRow> more) {
    List<LinearRow> all = new java.util.ArrayList<>(rows);
    all.addAll(more);
    return new IntegerProgram(upperBounds, all);
  }

  boolean bounded() {
    for (long ub : upperBounds) {
      if (ub == UNBOUNDED) {
        return false;
      }
    }
    return true;
  }
}
