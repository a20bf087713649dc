package dev.aether.core.bidder;

import com.google.ortools.linearsolver.MPConstraintProto;
import com.google.ortools.linearsolver.MPModelProto;
import com.google.ortools.linearsolver.MPModelRequest;
import com.google.ortools.linearsolver.MPSolutionResponse;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPSolverResponseStatus;
import com.google.ortools.linearsolver.MPVariableProto;
import java.util.List;
import java.util.Optional;

/**
 * A lower bound on an integer program's optimum from its linear relaxation, proved in exact
 * integer arithmetic, and what it implies for each variable.
 *
 * <p>The relaxation is solved with GLOP, in floating point; its row duals y are then rounded to
 * multiples of 2^-20 and clipped to the signs that make them dual feasible (y_i >= 0 on a
 * {@code >=} row, y_i <= 0 on a {@code <=} row). For any such y and any x within the bounds that
 * meets the rows, with reduced costs d_j = c_j - sum_i y_i a_ij:
 *
 * <pre>
 *   c.x = sum_j d_j x_j + sum_i y_i (a_i.x)  >=  L = sum_i y_i b_i + sum_{d_j < 0} d_j u_j
 * </pre>
 *
 * and, when d_j > 0, {@code c.x >= L + d_j} whenever x_j >= 1. All of it is computed in exact
 * integers (scaled by 2^20), so the floating-point LP only decides how good the bound is, never
 * whether it is right. Two uses: with an integral objective, a solution of value at most ceil(L)
 * is optimal ({@link #proves}); and no solution of value at most U uses a variable with L + d_j >
 * U ({@link #usable}), so those variables can be fixed at 0 before branching. This is
 * reduced-cost fixing, the textbook argument, done exactly.
 */
final class LpBound {
  private static final int SCALE_BITS = 20;
  private static final long SCALE = 1L << SCALE_BITS;

  private final long scaledBound;
  private final long[] scaledReduced;
  private final double[] lpValues;

  private LpBound(long scaledBound, long[] scaledReduced, double[] lpValues) {
    this.scaledBound = scaledBound;
    this.scaledReduced = scaledReduced;
    this.lpValues = lpValues;
  }

  /**
   * The bound for minimising {@code objective} over {@code program}; empty when the relaxation
   * gives none we can prove (not solved to optimality, an unbounded variable with a negative
   * reduced cost, or numbers too large for exact 64-bit arithmetic).
   */
  static Optional<LpBound> of(IntegerProgram program, long[] objective) {
    Natives.load();
    MPSolutionResponse response = MPSolver.solveWithProto(MPModelRequest.newBuilder()
        .setModel(proto(program, objective, false))
        .setSolverType(MPModelRequest.SolverType.GLOP_LINEAR_PROGRAMMING)
        .build());
    if (response.getStatus() != MPSolverResponseStatus.MPSOLVER_OPTIMAL) {
      return Optional.empty();
    }
    List<LinearRow> rows = program.rows();
    List<Double> duals = response.getDualValueList();
    List<Double> values = response.getVariableValueList();
    int n = program.variables();
    if (duals.size() != rows.size() || values.size() != n) {
      return Optional.empty();
    }
    try {
      long[] reduced = new long[n];
      for (int j = 0; j < n; j++) {
        reduced[j] = Math.multiplyExact(objective[j], SCALE);
      }
      long bound = 0;
      for (int i = 0; i < rows.size(); i++) {
        LinearRow row = rows.get(i);
        double y = duals.get(i);
        // Clip to the dual-feasible sign; any such y gives a valid bound.
        y = row.sense() == LinearRow.Sense.AT_LEAST ? Math.max(0, y) : Math.min(0, y);
        if (Math.abs(y) * SCALE >= 0x1p62) {
          return Optional.empty();
        }
        long scaledY = Math.round(y * SCALE);
        if (scaledY == 0) {
          continue;
        }
        bound = Math.addExact(bound, Math.multiplyExact(scaledY, row.rhs()));
        int[] vars = row.varsRef();
        long[] coefs = row.coefsRef();
        for (int k = 0; k < vars.length; k++) {
          reduced[vars[k]] =
              Math.subtractExact(reduced[vars[k]], Math.multiplyExact(scaledY, coefs[k]));
        }
      }
      long[] ub = program.upperBounds();
      for (int j = 0; j < n; j++) {
        if (reduced[j] < 0) {
          if (ub[j] == IntegerProgram.UNBOUNDED) {
            return Optional.empty();
          }
          bound = Math.addExact(bound, Math.multiplyExact(reduced[j], ub[j]));
        }
      }
      double[] lp = new double[n];
      for (int j = 0; j < n; j++) {
        lp[j] = values.get(j);
      }
      return Optional.of(new LpBound(bound, reduced, lp));
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  /** The proved lower bound on every integral solution's value: ceil(L). */
  long lowerBound() {
    return -Math.floorDiv(-scaledBound, SCALE);
  }

  /** True when a solution of this (integral) value is optimal by the bound alone. */
  boolean proves(long value) {
    return value <= lowerBound();
  }

  /**
   * Which variables may be positive in a solution of value at most {@code upper}: false for
   * every x_j with L + d_j > upper.
   */
  boolean[] usable(long upper) {
    boolean[] keep = new boolean[scaledReduced.length];
    long limit;
    try {
      limit = Math.multiplyExact(upper, SCALE);
    } catch (ArithmeticException e) {
      java.util.Arrays.fill(keep, true);
      return keep;
    }
    for (int j = 0; j < keep.length; j++) {
      long d = scaledReduced[j];
      try {
        keep[j] = d <= 0 || Math.addExact(scaledBound, d) <= limit;
      } catch (ArithmeticException e) {
        keep[j] = false; // L + d_j beyond 64 bits is above any bound we can state
      }
    }
    return keep;
  }

  /** The relaxation's solution, for rounding into a first feasible solution. */
  double[] lpValues() {
    return lpValues;
  }

  /** The program as an OR-Tools model; integer variables when {@code integer}. */
  static MPModelProto proto(IntegerProgram program, long[] objective, boolean integer) {
    return proto(program, objective, integer, 0.0);
  }

  /**
   * The program as an OR-Tools model, the bound of each row that holds a stage's optimum ({@link
   * LinearRow#HOLD_PREFIX}) moved outwards by {@code slack}: with integer data and integer
   * variables a row's value is whole, so a slack below 1 changes no integer solution, and it
   * keeps a floating-point solver from calling a row that the solution meets exactly broken.
   * Other rows keep their whole bounds, which the solvers' integer rounding relies on.
   */
  static MPModelProto proto(IntegerProgram program, long[] objective, boolean integer,
      double slack) {
    MPModelProto.Builder model = MPModelProto.newBuilder().setMaximize(false);
    long[] ub = program.upperBounds();
    double inf = Double.POSITIVE_INFINITY;
    for (int j = 0; j < ub.length; j++) {
      model.addVariable(MPVariableProto.newBuilder()
          .setLowerBound(0)
          .setUpperBound(ub[j] == IntegerProgram.UNBOUNDED ? inf : ub[j])
          .setObjectiveCoefficient(objective[j])
          .setIsInteger(integer));
    }
    for (LinearRow row : program.rows()) {
      MPConstraintProto.Builder c = MPConstraintProto.newBuilder().setName(row.name());
      double give = row.name().startsWith(LinearRow.HOLD_PREFIX) ? slack : 0;
      if (row.sense() == LinearRow.Sense.AT_LEAST) {
        c.setLowerBound(row.rhs() - give).setUpperBound(inf);
      } else {
        c.setLowerBound(-inf).setUpperBound(row.rhs() + give);
      }
      int[] vars = row.varsRef();
      long[] coefs = row.coefsRef();
      for (int k = 0; k < vars.length; k++) {
        if (coefs[k] != 0) {
          c.addVarIndex(vars[k]).addCoefficient(coefs[k]);
        }
      }
      model.addConstraint(c);
    }
    return model.build();
  }
}
