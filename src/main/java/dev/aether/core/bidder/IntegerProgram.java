package dev.aether.core.bidder;

import java.util.ArrayList;
import java.util.Arrays;
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
    List<LinearRow> all = new ArrayList<>(rows);
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

  /** True when x is within the bounds and meets every row, in exact integer arithmetic. */
  boolean holdsAt(long[] x) {
    for (int i = 0; i < x.length; i++) {
      if (x[i] < 0 || x[i] > upperBounds[i]) {
        return false;
      }
    }
    for (LinearRow row : rows) {
      if (!row.holdsAt(x)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The program over the kept variables only, the others fixed at 0: {@code columns[k]} is the
   * original index of variable k.
   */
  Restricted restrict(boolean[] keep) {
    int[] columns = new int[variables()];
    int[] position = new int[variables()];
    int n = 0;
    for (int i = 0; i < keep.length; i++) {
      position[i] = -1;
      if (keep[i]) {
        position[i] = n;
        columns[n++] = i;
      }
    }
    columns = Arrays.copyOf(columns, n);
    long[] ub = new long[n];
    for (int k = 0; k < n; k++) {
      ub[k] = upperBounds[columns[k]];
    }
    List<LinearRow> restricted = new ArrayList<>(rows.size());
    for (LinearRow row : rows) {
      int[] vars = row.varsRef();
      long[] coefs = row.coefsRef();
      int[] v = new int[vars.length];
      long[] c = new long[vars.length];
      int m = 0;
      for (int j = 0; j < vars.length; j++) {
        int p = position[vars[j]];
        if (p >= 0) {
          v[m] = p;
          c[m++] = coefs[j];
        }
      }
      restricted.add(new LinearRow(row.name(), Arrays.copyOf(v, m), Arrays.copyOf(c, m),
          row.sense(), row.rhs()));
    }
    return new Restricted(new IntegerProgram(ub, restricted), columns, upperBounds.length);
  }

  /** A program over some of another's variables, and the way back. */
  record Restricted(IntegerProgram program, int[] columns, int originalVariables) {
    long[] expand(long[] x) {
      long[] full = new long[originalVariables];
      for (int k = 0; k < columns.length; k++) {
        full[columns[k]] = x[k];
      }
      return full;
    }

    long[] restrict(long[] full) {
      long[] x = new long[columns.length];
      for (int k = 0; k < columns.length; k++) {
        x[k] = full[columns[k]];
      }
      return x;
    }

    long[] objective(long[] full) {
      return restrict(full);
    }
  }
}
