package dev.aether.bench;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import dev.aether.core.bidder.BidModel;
import dev.aether.core.bidder.LinearRow;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The 2017 seed's bidding algorithm, for comparison: it solved the continuous LP relaxation of the
 * model, dropped every instance type whose value came out fractional, and rounded the rest. The
 * result may break the constraints (usually: too few slots), which {@link Result} reports.
 *
 * <p>The seed priced every choice at one type's spot price; here each offer keeps its own price
 * and risk price (the same data the {@link dev.aether.core.bidder.Bidder} sees), so the comparison
 * isolates the rounding. Same rows, same two stages for {@link Objective#SEED} (least worst case,
 * rounded up to the risk step and capped at the max cost, then least cost), solved by GLOP.
 */
public final class LegacyBidder2017 {
  private static final double INTEGRAL = 1e-6;

  /**
   * What the legacy algorithm buys.
   *
   * @param feasibleLp whether the LP relaxation had a solution at all (if not, nothing is bought)
   * @param counts instances per offer after dropping fractional types
   * @param hourlyCost current $/hour of those instances
   * @param slots job slots they give
   * @param meetsSlots whether slots >= the slots asked for
   * @param meetsAllConstraints whether every row (slots, minimums, limits, quotas, risk) holds
   */
  public record Result(
      boolean feasibleLp, Map<Offer, Long> counts, BigDecimal hourlyCost, long slots,
      boolean meetsSlots, boolean meetsAllConstraints) {
    public Result {
      counts = Map.copyOf(counts);
    }
  }

  public Result run(Requirements req, List<Offer> offers, Limits limits) {
    Loader.loadNativeLibraries();
    BidModel model = BidModel.of(req, offers, limits);
    List<LinearRow> rows = new ArrayList<>(model.demandRows());
    rows.addAll(model.limitRows());
    int n = model.offers().size();
    if (req.objective() == Objective.SEED) {
      double[] least = solveLp(n, rows, model.riskObjective());
      if (least == null) {
        return infeasible(model);
      }
      double bound = dot(model.riskObjective(), least);
      long step = model.requirements().riskStep().movePointRight(BidModel.MONEY_DECIMALS)
          .longValue();
      long rounded = step == 0 ? (long) Math.ceil(bound - 1e-6)
          : (long) Math.ceil(bound / step - 1e-9) * step;
      rows.add(model.riskRow(capped(req, rounded)));
    } else if (req.maxCostPerHour().isPresent()) {
      rows.add(model.riskRow(capped(req, Long.MAX_VALUE)));
    }
    double[] x = solveLp(n, rows, model.priceObjective());
    if (x == null) {
      return infeasible(model);
    }
    // The seed's rounding: a type with any fractional value is dropped whole.
    Set<String> fractional = new HashSet<>();
    for (int i = 0; i < n; i++) {
      if (Math.abs(x[i] - Math.rint(x[i])) > INTEGRAL) {
        fractional.add(model.offers().get(i).type().name());
      }
    }
    long[] kept = new long[n];
    for (int i = 0; i < n; i++) {
      kept[i] = fractional.contains(model.offers().get(i).type().name()) ? 0 : Math.round(x[i]);
    }
    return result(model, rows, kept, true);
  }

  private static long capped(Requirements req, long micros) {
    return req.maxCostPerHour()
        .map(m -> Math.min(micros, m.movePointRight(BidModel.MONEY_DECIMALS).longValue()))
        .orElse(micros);
  }

  private static Result infeasible(BidModel model) {
    return result(model, model.demandRows(), new long[model.offers().size()], false);
  }

  private static Result result(BidModel model, List<LinearRow> rows, long[] x, boolean lp) {
    Map<Offer, Long> counts = new LinkedHashMap<>();
    BigDecimal cost = BigDecimal.ZERO;
    long slots = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] > 0) {
        Offer o = model.offers().get(i);
        counts.put(o, x[i]);
        cost = cost.add(o.price().multiply(BigDecimal.valueOf(x[i])));
        slots += (long) model.slotsPerInstance(i) * x[i];
      }
    }
    boolean all = rows.stream().allMatch(r -> r.holdsAt(x));
    return new Result(lp, counts, cost, slots, slots >= model.requirements().slots(), lp && all);
  }

  /** GLOP's optimum of the relaxation, or null if it has none. */
  private static double[] solveLp(int n, List<LinearRow> rows, long[] objective) {
    MPSolver solver = MPSolver.createSolver("GLOP");
    try {
      double inf = MPSolver.infinity();
      MPVariable[] x = new MPVariable[n];
      for (int i = 0; i < n; i++) {
        x[i] = solver.makeNumVar(0, inf, "x" + i);
      }
      for (LinearRow row : rows) {
        MPConstraint c = row.sense() == LinearRow.Sense.AT_LEAST
            ? solver.makeConstraint(row.rhs(), inf, row.name())
            : solver.makeConstraint(-inf, row.rhs(), row.name());
        int[] vars = row.vars();
        long[] coefs = row.coefs();
        for (int j = 0; j < vars.length; j++) {
          c.setCoefficient(x[vars[j]], coefs[j]);
        }
      }
      MPObjective obj = solver.objective();
      for (int i = 0; i < n; i++) {
        obj.setCoefficient(x[i], objective[i]);
      }
      obj.setMinimization();
      if (solver.solve() != MPSolver.ResultStatus.OPTIMAL) {
        return null;
      }
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = x[i].solutionValue();
      }
      return values;
    } finally {
      solver.delete();
    }
  }

  private static double dot(long[] a, double[] x) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * x[i];
    }
    return s;
  }
}
