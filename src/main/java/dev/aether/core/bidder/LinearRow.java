package dev.aether.core.bidder;

import java.util.Objects;

/**
 * One linear constraint of the bid model over the offer variables, with integer data: {@code
 * sum coefs[i] * x[vars[i]] (>= or <=) rhs}.
 *
 * @param name a name valid in LP and MPS files, e.g. {@code slots} or {@code limit_c5_large}
 * @param vars indices of the variables (offers) the row touches
 * @param coefs one integer coefficient per variable
 * @param sense whether the row is a minimum or a maximum
 * @param rhs the bound, in the row's unit
 */
public record LinearRow(String name, int[] vars, long[] coefs, Sense sense, long rhs) {
  /**
   * Rows named so hold an earlier stage's optimum (the tie-break stages): a solution meets them
   * exactly, so floating-point backends see them with half a unit of slack.
   */
  static final String HOLD_PREFIX = "hold_";

  /** Direction of a row. */
  public enum Sense {
    AT_LEAST,
    AT_MOST
  }

  public LinearRow {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sense, "sense");
    if (vars.length != coefs.length) {
      throw new IllegalArgumentException(
          name + ": " + vars.length + " variables but " + coefs.length + " coefficients");
    }
    vars = vars.clone();
    coefs = coefs.clone();
  }

  /** The row's left-hand side for these variable values. */
  public long valueAt(long[] x) {
    long sum = 0;
    for (int i = 0; i < vars.length; i++) {
      sum = Math.addExact(sum, Math.multiplyExact(coefs[i], x[vars[i]]));
    }
    return sum;
  }

  /** The variables without a copy, for the solver's loops; never to be changed. */
  int[] varsRef() {
    return vars;
  }

  /** The coefficients without a copy, for the solver's loops; never to be changed. */
  long[] coefsRef() {
    return coefs;
  }

  public boolean holdsAt(long[] x) {
    long lhs = valueAt(x);
    return sense == Sense.AT_LEAST ? lhs >= rhs : lhs <= rhs;
  }

  @Override
  public int[] vars() {
    return vars.clone();
  }

  @Override
  public long[] coefs() {
    return coefs.clone();
  }
}
