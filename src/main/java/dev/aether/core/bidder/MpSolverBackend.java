package dev.aether.core.bidder;

import com.google.ortools.linearsolver.MPSolutionResponse;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPSolverParameters;
import dev.aether.core.AetherException;
import java.util.List;
import java.util.Optional;

/**
 * CBC or SCIP through OR-Tools' MPSolver (both quiet by default, unlike HiGHS), asked for a gap
 * of 0 and checked: the status must be OPTIMAL and the solver's own best bound must leave no
 * room for a better integral value. OR-Tools' default relative gap (1e-4) let CBC stop at plans
 * up to a hundredth of a percent above the optimum; with integer data and an integral objective,
 * a bound within 1 of the value proves it.
 */
final class MpSolverBackend implements MilpBackend {
  private final String solverId;
  private final double relativeGap;

  MpSolverBackend(String solverId) {
    this(solverId, 0.0);
  }

  /**
   * A backend that stops at this relative gap; above 0 only to show in tests what OR-Tools'
   * default (1e-4) gets wrong, never used by the bidder.
   */
  MpSolverBackend(String solverId, double relativeGap) {
    this.solverId = solverId;
    this.relativeGap = relativeGap;
  }

  @Override
  public Optional<long[]> minimise(IntegerProgram program, long[] objective) {
    Natives.load();
    int n = program.variables();
    if (n == 0) {
      // Nothing to choose: feasible only if every row holds at zero.
      long[] zero = new long[0];
      return program.holdsAt(zero) ? Optional.of(zero) : Optional.empty();
    }
    MPSolver solver = MPSolver.createSolver(solverId);
    if (solver == null) {
      throw new AetherException(
          AetherException.INTERNAL, "OR-Tools has no " + solverId + " solver in this build");
    }
    MPSolverParameters params = new MPSolverParameters();
    try {
      // Half a unit of slack on the rows that hold an optimum: no integer solution changes (rows
      // are whole), but a row the solution meets exactly is not at the mercy of tolerances.
      String error = solver.loadModelFromProto(LpBound.proto(program, objective, true, 0.5));
      if (!error.isEmpty()) {
        throw new AetherException(AetherException.INTERNAL,
            solverId + " refused the model: " + error);
      }
      params.setDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, relativeGap);
      MPSolver.ResultStatus status = solver.solve(params);
      if (status == MPSolver.ResultStatus.INFEASIBLE) {
        return Optional.empty();
      }
      if (status != MPSolver.ResultStatus.OPTIMAL) {
        throw new AetherException(
            AetherException.INTERNAL, solverId + " stopped without an optimum: " + status);
      }
      MPSolutionResponse response = solver.createSolutionResponseProto();
      List<Double> values = response.getVariableValueList();
      long[] x = new long[n];
      for (int i = 0; i < n; i++) {
        // Integer data, integer variables: the solution is integral up to the solver's tolerance.
        x[i] = Math.round(values.get(i));
      }
      double bestBound = solver.objective().bestBound();
      long value = Bidder.dot(objective, x);
      // An integral objective cannot take a value strictly between the bound and value - 1.
      double slack = 1e-9 * Math.max(1.0, Math.abs((double) value));
      if (relativeGap == 0 && !(bestBound > value - 1 + slack)) {
        throw new AetherException(AetherException.INTERNAL, String.format(java.util.Locale.ROOT,
            "%s reported OPTIMAL without proving it: value %d, best bound %.6f", solverId,
            value, bestBound));
      }
      return Optional.of(x);
    } finally {
      params.delete();
      solver.delete();
    }
  }
}
