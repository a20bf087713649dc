package dev.aether.core.bidder;

import java.util.List;
import java.util.Optional;

/**
 * Minimises one integral objective over an {@link IntegerProgram} and proves the answer optimal.
 *
 * <p>Steps: (1) bound the optimum from below with the linear relaxation ({@link LpBound}, exact);
 * (2) find a feasible solution: the one handed in, or the relaxation's solution rounded up or
 * repaired; (3) if its value meets the bound it is optimal, done; (4) otherwise fix at 0 every
 * variable that the bound shows cannot be positive in a solution at least as good, and (5) solve
 * what is left with the MILP backend at a gap of 0, which checks its own proof ({@link
 * MilpBackend}). Every optimum of the whole program survives step 4, so the optimum of the rest is
 * the optimum of the whole; the backend only ever sees the variables that can matter, which on
 * catalogs of thousands of offers is what makes the solve fast.
 *
 * <p>A floating-point backend (CBC, SCIP) can misjudge a row that the optimum meets exactly, as
 * the tie-break stages' "objective at most its optimum" rows are: it may call a program
 * infeasible although a solution of it is known, or fail to prove its answer. Then the same
 * program goes to the fallback, CP-SAT, whose arithmetic is exact on integer data, when it is
 * small enough for CP-SAT (whose propagation is slow on knapsacks of thousands of columns).
 */
final class ExactSolver {
  /** The most variables a program may have to go to the fallback. */
  static final int FALLBACK_VARIABLES = 1_000;

  private final MilpBackend backend;
  private final MilpBackend fallback;

  ExactSolver(MilpBackend backend, MilpBackend fallback) {
    this.backend = backend;
    this.fallback = fallback;
  }

  /**
   * An optimal solution, its value, and the relaxation's bound when one was proved (for fixing
   * variables in later stages).
   */
  record Outcome(long[] x, long value, Optional<LpBound> bound) {}

  /**
   * An optimal solution of {@code program} minimising {@code objective}, or empty if there is
   * none.
   *
   * @param feasible a solution known to meet the program, when there is one (a better start)
   */
  Optional<Outcome> minimise(IntegerProgram program, long[] objective, Optional<long[]> feasible) {
    Optional<LpBound> bound = LpBound.of(program, objective);
    Optional<long[]> start = feasible.filter(program::holdsAt);
    if (bound.isPresent()) {
      Optional<long[]> rounded = rounded(program, objective, bound.get().lpValues());
      start = better(start, rounded, objective);
    }
    if (start.isPresent() && bound.isPresent()) {
      long value = Bidder.dot(objective, start.get());
      if (bound.get().proves(value)) {
        return Optional.of(new Outcome(start.get(), value, bound));
      }
      IntegerProgram.Restricted rest = program.restrict(bound.get().usable(value));
      long[] x = solveKnowingFeasible(rest.program(), rest.restrict(objective))
          .map(rest::expand)
          .orElseThrow(() -> new IllegalStateException(
              "the reduced program lost the feasible solution it was cut from"));
      return Optional.of(new Outcome(x, Bidder.dot(objective, x), bound));
    }
    Optional<long[]> x = start.isPresent() ? solveKnowingFeasible(program, objective)
        : backend.minimise(program, objective);
    return x.map(v -> new Outcome(v, Bidder.dot(objective, v), bound));
  }

  /** The backend's optimum of a program known to be feasible; the fallback's if it fails. */
  private Optional<long[]> solveKnowingFeasible(IntegerProgram program, long[] objective) {
    boolean canFallBack = fallback != backend && program.variables() <= FALLBACK_VARIABLES;
    Optional<long[]> x;
    try {
      x = backend.minimise(program, objective);
    } catch (dev.aether.core.AetherException e) {
      if (!canFallBack) {
        throw e;
      }
      x = Optional.empty(); // no proof from the backend: ask the exact one
    }
    return x.isPresent() || !canFallBack ? x : fallback.minimise(program, objective);
  }

  /**
   * A feasible solution from the relaxation's values: rounded up when that meets every row, else
   * rounded down and repaired greedily; the cheaper of the two that are feasible.
   */
  static Optional<long[]> rounded(IntegerProgram program, long[] objective, double[] lp) {
    int n = lp.length;
    long[] ub = program.upperBounds();
    long[] up = new long[n];
    long[] down = new long[n];
    for (int j = 0; j < n; j++) {
      double v = Math.max(0, lp[j]);
      long hi = (long) Math.ceil(v - 1e-9);
      long lo = (long) Math.floor(v + 1e-9);
      up[j] = Math.min(ub[j], hi);
      down[j] = Math.min(ub[j], lo);
    }
    Optional<long[]> ceil = program.holdsAt(up) ? Optional.of(up) : Optional.empty();
    return better(ceil, repaired(program, objective, down), objective);
  }

  /**
   * From a solution that meets every {@code <=} row, add instances until the {@code >=} rows are
   * met: each time the offer that covers most of what is missing per unit of objective, among
   * those whose next unit breaks no {@code <=} row and no bound.
   */
  private static Optional<long[]> repaired(IntegerProgram program, long[] objective,
      long[] start) {
    long[] x = start.clone();
    List<LinearRow> rows = program.rows();
    long[] ub = program.upperBounds();
    int n = x.length;
    long[] lhs = new long[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      lhs[i] = rows.get(i).valueAt(x);
      if (rows.get(i).sense() == LinearRow.Sense.AT_MOST && lhs[i] > rows.get(i).rhs()) {
        return Optional.empty();
      }
    }
    // Column view of the rows: per variable, its rows and coefficients.
    int[][] colRows = new int[n][];
    long[][] colCoefs = new long[n][];
    int[] count = new int[n];
    for (LinearRow row : rows) {
      for (int v : row.varsRef()) {
        count[v]++;
      }
    }
    for (int j = 0; j < n; j++) {
      colRows[j] = new int[count[j]];
      colCoefs[j] = new long[count[j]];
      count[j] = 0;
    }
    for (int i = 0; i < rows.size(); i++) {
      int[] vars = rows.get(i).varsRef();
      long[] coefs = rows.get(i).coefsRef();
      for (int k = 0; k < vars.length; k++) {
        int j = vars[k];
        colRows[j][count[j]] = i;
        colCoefs[j][count[j]++] = coefs[k];
      }
    }
    for (int step = 0; step < 100_000; step++) {
      boolean short_ = false;
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).sense() == LinearRow.Sense.AT_LEAST && lhs[i] < rows.get(i).rhs()) {
          short_ = true;
          break;
        }
      }
      if (!short_) {
        return Optional.of(x);
      }
      int best = -1;
      double bestScore = 0;
      for (int j = 0; j < n; j++) {
        if (x[j] >= ub[j]) {
          continue;
        }
        double cover = 0;
        boolean fits = true;
        for (int k = 0; k < colRows[j].length && fits; k++) {
          LinearRow row = rows.get(colRows[j][k]);
          long after = lhs[colRows[j][k]] + colCoefs[j][k];
          if (row.sense() == LinearRow.Sense.AT_MOST) {
            fits = after <= row.rhs();
          } else {
            long missing = row.rhs() - lhs[colRows[j][k]];
            if (missing > 0) {
              cover += Math.min(colCoefs[j][k], missing) / (double) missing;
            }
          }
        }
        if (!fits || cover <= 0) {
          continue;
        }
        double score = cover / Math.max(1, objective[j]);
        if (score > bestScore) {
          bestScore = score;
          best = j;
        }
      }
      if (best < 0) {
        return Optional.empty();
      }
      x[best]++;
      for (int k = 0; k < colRows[best].length; k++) {
        lhs[colRows[best][k]] += colCoefs[best][k];
      }
    }
    return Optional.empty();
  }

  private static Optional<long[]> better(Optional<long[]> a, Optional<long[]> b,
      long[] objective) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return Bidder.dot(objective, b.get()) < Bidder.dot(objective, a.get()) ? b : a;
  }
}
