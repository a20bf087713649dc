package dev.aether.core.bidder;

import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearExpr;
import dev.aether.core.AetherException;
import java.util.Optional;

/** OR-Tools CP-SAT; all model data is integer already, which CP-SAT requires. */
final class CpSatBackend implements MilpBackend {
  /** Stands in for "no upper bound": CP-SAT needs finite domains. */
  private static final long LARGE = 1L << 40;

  @Override
  public Optional<long[]> minimise(IntegerProgram program, long[] objective) {
    Natives.load();
    CpModel model = new CpModel();
    int n = program.variables();
    IntVar[] x = new IntVar[n];
    long[] ub = program.upperBounds();
    for (int i = 0; i < n; i++) {
      x[i] = model.newIntVar(0, ub[i] == IntegerProgram.UNBOUNDED ? LARGE : ub[i], "x" + i);
    }
    for (LinearRow row : program.rows()) {
      int[] vars = row.vars();
      IntVar[] terms = new IntVar[vars.length];
      for (int i = 0; i < vars.length; i++) {
        terms[i] = x[vars[i]];
      }
      LinearExpr lhs = LinearExpr.weightedSum(terms, row.coefs());
      if (row.sense() == LinearRow.Sense.AT_LEAST) {
        model.addGreaterOrEqual(lhs, row.rhs());
      } else {
        model.addLessOrEqual(lhs, row.rhs());
      }
    }
    model.minimize(LinearExpr.weightedSum(x, objective));
    CpSolver solver = new CpSolver();
    // One worker: a parallel portfolio may return a different optimum from run to run.
    solver.getParameters().setNumWorkers(1);
    // Exact: stop only when the bound meets the best solution.
    solver.getParameters().setRelativeGapLimit(0.0);
    solver.getParameters().setAbsoluteGapLimit(0.0);
    // A safety net: CP-SAT proves knapsacks of many columns slowly; better an error than a hang.
    solver.getParameters().setMaxTimeInSeconds(120);
    // CP-SAT otherwise installs its own SIGINT handler and leaves it behind after the solve: a
    // later Ctrl-C then aborts the JVM (std::bad_function_call) before Aether's shutdown hook can
    // stop the agents and say how to resume.
    solver.getParameters().setCatchSigintSignal(false);
    CpSolverStatus status = solver.solve(model);
    if (status == CpSolverStatus.INFEASIBLE) {
      return Optional.empty();
    }
    if (status != CpSolverStatus.OPTIMAL) {
      throw new AetherException(
          AetherException.INTERNAL, "CP-SAT stopped without an optimum: " + status);
    }
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      values[i] = solver.value(x[i]);
    }
    return Optional.of(values);
  }
}
