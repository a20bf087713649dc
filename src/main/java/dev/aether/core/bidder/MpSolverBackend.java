package dev.aether.core.bidder;

import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import dev.aether.core.AetherException;
import java.util.Optional;

/** CBC or SCIP through OR-Tools' MPSolver (both quiet by default, unlike HiGHS). */
final class MpSolverBackend implements MilpBackend {
  private final String solverId;

  MpSolverBackend(String solverId) {
    this.solverId = solverId;
  }

  @Override
  public Optional<long[]> minimise(IntegerProgram program, long[] objective) {
    Natives.load();
    MPSolver solver = MPSolver.createSolver(solverId);
    if (solver == null) {
      throw new AetherException(
          AetherException.INTERNAL, "OR-Tools has no " + solverId + " solver in this build");
    }
    try {
      double inf = MPSolver.infinity();
      int n = program.variables();
      MPVariable[] x = new MPVariable[n];
      long[] ub = program.upperBounds();
      for (int i = 0; i < n; i++) {
        x[i] = solver.makeIntVar(0, ub[i] == IntegerProgram.UNBOUNDED ? inf : ub[i], "x" + i);
      }
      for (LinearRow row : program.rows()) {
        MPConstraint c =
            row.sense() == LinearRow.Sense.AT_LEAST
                ? solver.makeConstraint(row.rhs(), inf, row.name())
                : solver.makeConstraint(-inf, row.rhs(), row.name());
        int[] vars = row.vars();
        long[] coefs = row.coefs();
        for (int i = 0; i < vars.length; i++) {
          c.setCoefficient(x[vars[i]], coefs[i]);
        }
      }
      MPObjective obj = solver.objective();
      for (int i = 0; i < n; i++) {
        obj.setCoefficient(x[i], objective[i]);
      }
      obj.setMinimization();
      MPSolver.ResultStatus status = solver.solve();
      if (status == MPSolver.ResultStatus.INFEASIBLE) {
        return Optional.empty();
      }
      if (status != MPSolver.ResultStatus.OPTIMAL) {
        throw new AetherException(
            AetherException.INTERNAL, solverId + " stopped without an optimum: " + status);
      }
      long[] values = new long[n];
      for (int i = 0; i < n; i++) {
        // Integer data, integer variables: the solution is integral up to the solver's tolerance.
        values[i] = Math.round(x[i].solutionValue());
      }
      return Optional.of(values);
    } finally {
      solver.delete();
    }
  }
}
