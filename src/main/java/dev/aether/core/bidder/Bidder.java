package dev.aether.core.bidder;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Chooses how many instances to buy through each offer: an integer program solved exactly with
 * OR-Tools. Pure: no I/O, no printing, inputs untouched.
 *
 * <h2>The integer program</h2>
 *
 * <p>Offers o = (instance type t, zone, market). For a job of P cores and M GB, an instance of t
 * holds k_t = min(floor(c_t / P), floor(r_t / M)) jobs ("slots"), where c_t is its vCPUs, r_t its
 * RAM in GiB and s_t its instance storage in GB. Offers with k_t = 0 are dropped, even though
 * their cores, RAM or storage could count towards the optional minimums below: the seed did the
 * same, and a machine that can run no job is not worth paying for.
 *
 * <pre>
 *   variables   x_o >= 0, integer                       instances bought through offer o
 *   slots       sum_o k_t x_o  >= S                     S = req.slots()
 *   minimums    sum_o c_t x_o  >= minCores              each only if asked for
 *               sum_o r_t x_o  >= minRam
 *               sum_o s_t x_o  >= minStorage
 *   per type    sum_{o of t} x_o <= L_t                 Limits.perType()
 *   quotas      sum_{o in (class, market)} c_t x_o <= Q Limits.effectiveVcpuQuota(class, market):
 *                                                       listed, else 0 once the market lists any
 *   pools       k_t x_o <= ceil(f S)   (spot o only)    f = req.maxPoolShare(), when below 1
 *   budget      W H sum_o e_o x_o <= budget             if asked for; W = ceil(J / S) waves,
 *                                                       H = hours per job, e_o below
 *   risk        sum_o risk_o x_o <= B                   risk_o = Offer.riskPrice() ($/hour)
 * </pre>
 *
 * <p>e_o is the offer's expected $/hour ({@link ExpectedCost}): price_o x g_o, where g_o =
 * (e^(lambda H) - 1) / (lambda H) is the expected running time per hour of a job of H hours on a
 * pool interrupted at rate lambda = -ln(1 - r_o) per hour, an interrupted job being run again
 * from the start; g_o = 1 on-demand. The pool bound is written as an upper bound on x_o.
 *
 * <p>Objective {@link Objective#SEED} (the 2017 seed's epsilon-constraint): stage 1 minimises
 * sum risk_o x_o, without B, giving B*; B* is rounded up to the next multiple of
 * req.riskStep() (0 = exact) and capped at req.maxCostPerHour() if set, giving B. If B* itself is
 * above the max cost, there is no plan. Stage 2 minimises sum price_o x_o subject to risk <= B.
 * The plan's riskBound is B.
 *
 * <p>Objective {@link Objective#COST}: minimise sum price_o x_o, with B = req.maxCostPerHour() if
 * set (the max cost caps the worst case) and no risk row otherwise. The plan's riskBound is its own
 * worst case sum risk_o x_o.
 *
 * <p>Objective {@link Objective#EXPECTED}: minimise sum e_o x_o, the batch's expected total
 * divided by the constant W H; the risk row as for COST. The plan's riskBound is its own worst
 * case.
 *
 * <h2>Exactness</h2>
 *
 * <p>Every stage is solved to proven optimality ({@link ExactSolver}): a lower bound from the
 * linear relaxation checked in exact integer arithmetic, variables that bound rules out fixed at
 * 0, and the rest solved by the backend at a relative and absolute gap of 0, whose status must be
 * OPTIMAL and whose best bound must be within 1 of the (integral) value. The answer is then
 * checked against the integer rows exactly.
 *
 * <h2>Ties</h2>
 *
 * <p>Two more stages make the choice among equally good plans deliberate: with the objective held
 * at its optimum, minimise the number of instances; then, with that number held too, minimise sum
 * rank_o x_o where rank_o is the offer's position in {@link Offer#key()} order (so earlier keys
 * win). Offers are put in that canonical order before the model is built, so the same offers in
 * any order give the same model and the (deterministic) solver the same plan.
 *
 * <h2>Arithmetic</h2>
 *
 * <p>All model data is integer: money in micro-dollars, RAM and storage in thousandths of a GiB
 * and GB. The plan's cost is then computed from the offers' BigDecimal prices by {@link Plan}.
 *
 * <h2>Infeasibility</h2>
 *
 * <p>{@link InfeasibleException} (exit status 2) with a one-line message naming the constraint and
 * the shortfall; found by solving relaxations: the most slots, cores, RAM or storage the limits
 * allow, the cheapest worst case without the max cost, the least expected total without the
 * budget.
 */
public final class Bidder {
  /** The solver used unless asked otherwise; chosen by measurement, see docs/bidder.md. */
  public static final SolverKind DEFAULT_SOLVER = SolverKind.CBC;

  private final SolverKind solverKind;
  private final ExactSolver exact;
  private final ExactSolver ties;

  public Bidder() {
    this(DEFAULT_SOLVER);
  }

  public Bidder(SolverKind solverKind) {
    this.solverKind = Objects.requireNonNull(solverKind, "solverKind");
    MilpBackend cpSat = SolverKind.CP_SAT.backend();
    this.exact = new ExactSolver(solverKind.backend(), cpSat);
    // The tie-break stages hold the objective at its optimum: a row the solution meets exactly.
    // The backend sees that row with half a unit of slack, and CP-SAT, exact, takes over when
    // it still fails on a small program.
    this.ties = new ExactSolver(solverKind.backend(), cpSat);
  }

  public SolverKind solverKind() {
    return solverKind;
  }

  /**
   * Starts loading the solvers' native libraries and initialising the solvers in the background,
   * so that a command that will bid pays for it while it reads its inputs. Returns at once; the
   * first bid waits for whatever is left.
   */
  public static void prepare() {
    Thread warm = new Thread(Bidder::warmUp, "aether-solver-warm-up");
    warm.setDaemon(true);
    warm.start();
  }

  /** One tiny program through each solver the bidder uses: their first call costs the most. */
  private static void warmUp() {
    try {
      Natives.load();
      IntegerProgram tiny = new IntegerProgram(new long[] {3, 3}, List.of(
          new LinearRow("slots", new int[] {0, 1}, new long[] {1, 2}, LinearRow.Sense.AT_LEAST,
              3)));
      long[] cost = {2, 3};
      LpBound.of(tiny, cost);
      DEFAULT_SOLVER.backend().minimise(tiny, cost);
      SolverKind.CP_SAT.backend().minimise(tiny, cost);
    } catch (RuntimeException | LinkageError e) {
      // only a head start: the bid itself loads and reports whatever fails here
    }
  }

  /**
   * The best plan for {@code req} under {@code limits}, as described in the class comment.
   *
   * @throws InfeasibleException if no plan meets the requirements
   */
  public Plan solve(Requirements req, List<Offer> offers, Limits limits) {
    BidModel model = BidModel.of(req, offers, limits);
    RiskBound bound = riskBound(model);
    IntegerProgram program = withRisk(model, bound.micros());
    long[] objective = model.primaryObjective();
    ExactSolver.Outcome best = exact.minimise(program, objective, bound.feasible())
        .orElseThrow(() -> diagnose(model));
    long[] x = breakTies(program, objective, best);
    verify(program, x);
    List<PlanLine> lines = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      if (x[i] > 0) {
        lines.add(
            new PlanLine(model.offers().get(i), Math.toIntExact(x[i]), model.slotsPerInstance(i)));
      }
    }
    Plan plan = new Plan(lines, BigDecimal.ZERO);
    BigDecimal riskBound =
        req.objective() == Objective.SEED
            ? BidModel.dollars(bound.micros().orElseThrow())
            : plan.worstCaseHourlyCost();
    return new Plan(lines, riskBound);
  }

  /**
   * The bound B on the worst case, in micro-dollars, that the cost stage is solved under: rounded
   * B* for the seed objective, the max cost (if any) for the others.
   *
   * @throws InfeasibleException if even the least worst case breaks a constraint
   */
  OptionalLong riskBoundMicros(BidModel model) {
    return riskBound(model).micros();
  }

  /** B, and for the seed objective the stage-1 plan, which meets the cost stage's rows too. */
  private record RiskBound(OptionalLong micros, Optional<long[]> feasible) {}

  private RiskBound riskBound(BidModel model) {
    Requirements req = model.requirements();
    OptionalLong cap = cap(req);
    if (req.objective() != Objective.SEED) {
      return new RiskBound(cap, Optional.empty());
    }
    ExactSolver.Outcome least = exact.minimise(model.program(), model.riskObjective(),
        Optional.empty()).orElseThrow(() -> diagnose(model));
    long leastRisk = least.value();
    if (cap.isPresent() && leastRisk > cap.getAsLong()) {
      throw capTooLow(model, cap.getAsLong());
    }
    long step = BidModel.micros(req.riskStep(), RoundingMode.HALF_UP);
    long rounded = step == 0 ? leastRisk : -Math.floorDiv(-leastRisk, step) * step;
    return new RiskBound(
        OptionalLong.of(cap.isPresent() ? Math.min(rounded, cap.getAsLong()) : rounded),
        Optional.of(least.x()));
  }

  private static OptionalLong cap(Requirements req) {
    return req.maxCostPerHour().stream()
        .mapToLong(m -> BidModel.micros(m, RoundingMode.FLOOR))
        .findFirst();
  }

  static IntegerProgram withRisk(BidModel model, OptionalLong bound) {
    IntegerProgram program = model.program();
    return bound.isPresent() ? program.with(List.of(model.riskRow(bound.getAsLong()))) : program;
  }

  /**
   * Stages 3 and 4: fewest instances at the optimal objective, then earliest offers by key. Only
   * the variables that the cost stage's bound leaves usable at the optimum take part.
   */
  private long[] breakTies(IntegerProgram program, long[] objective, ExactSolver.Outcome best) {
    int n = best.x().length;
    int[] vars = new int[n];
    long[] ones = new long[n];
    long[] ranks = new long[n];
    for (int i = 0; i < n; i++) {
      vars[i] = i;
      ones[i] = 1;
      ranks[i] = i + 1;
    }
    boolean[] keep = best.bound().map(b -> b.usable(best.value())).orElseGet(() -> {
      boolean[] all = new boolean[n];
      Arrays.fill(all, true);
      return all;
    });
    IntegerProgram atOptimum = program.with(List.of(
        new LinearRow(LinearRow.HOLD_PREFIX + "objective", vars, objective,
            LinearRow.Sense.AT_MOST, best.value())));
    IntegerProgram.Restricted rest = atOptimum.restrict(keep);
    ExactSolver.Outcome fewest = ties.minimise(rest.program(), rest.restrict(ones),
        Optional.of(rest.restrict(best.x()))).orElseThrow(() -> lost("instance count"));
    long[] restOnes = rest.restrict(ones);
    int[] restVars = new int[restOnes.length];
    for (int k = 0; k < restVars.length; k++) {
      restVars[k] = k;
    }
    IntegerProgram atCount = rest.program().with(List.of(
        new LinearRow(LinearRow.HOLD_PREFIX + "count", restVars, restOnes,
            LinearRow.Sense.AT_MOST, fewest.value())));
    ExactSolver.Outcome earliest = ties.minimise(atCount, rest.restrict(ranks),
        Optional.of(fewest.x())).orElseThrow(() -> lost("offer order"));
    return rest.expand(earliest.x());
  }

  private AetherException lost(String stage) {
    return new AetherException(
        AetherException.INTERNAL,
        solverKind + " found no solution in the tie-break stage (" + stage + ") although the"
            + " best plan satisfies it");
  }

  /** Checks the solver's answer against the exact integer rows (solvers work with tolerances). */
  private void verify(IntegerProgram program, long[] x) {
    long[] ub = program.upperBounds();
    for (int i = 0; i < x.length; i++) {
      if (x[i] < 0 || x[i] > ub[i]) {
        throw new AetherException(
            AetherException.INTERNAL, solverKind + " returned x" + i + " = " + x[i]
                + " outside [0, " + ub[i] + "]");
      }
    }
    for (LinearRow row : program.rows()) {
      if (!row.holdsAt(x)) {
        throw new AetherException(
            AetherException.INTERNAL, solverKind + " returned a plan that breaks row "
                + row.name() + ": " + row.valueAt(x) + " vs " + row.rhs());
      }
    }
  }

  /** Why the model (with the max cost, budget and limits) has no solution. */
  private InfeasibleException diagnose(BidModel model) {
    Requirements req = model.requirements();
    for (LinearRow row : model.demandRows()) {
      OptionalLong most = mostAllowed(model, row);
      if (most.isPresent() && most.getAsLong() < row.rhs()) {
        return new InfeasibleException(shortOf(req, row.name(), most.getAsLong(), row.rhs()));
      }
    }
    IntegerProgram free = model.programWithoutBudget();
    Optional<ExactSolver.Outcome> leastRisk =
        exact.minimise(free, model.riskObjective(), Optional.empty());
    if (leastRisk.isEmpty()) {
      return new InfeasibleException(
          "the slots and minimums cannot all be met at once under the per-type limits and vCPU"
              + " quotas (each alone can): raise a limit or lower a minimum");
    }
    OptionalLong cap = cap(req);
    if (cap.isPresent() && leastRisk.get().value() > cap.getAsLong()) {
      return maxCostTooLow(model, cap.getAsLong(), leastRisk.get().value());
    }
    if (model.budgetRow().isPresent()) {
      IntegerProgram capped = cap.isPresent()
          ? free.with(List.of(model.riskRow(cap.getAsLong()))) : free;
      Optional<ExactSolver.Outcome> leastExpected =
          exact.minimise(capped, model.expectedObjective(), Optional.empty());
      if (leastExpected.isPresent()) {
        return budgetTooLow(model, leastExpected.get().value(), cap.isPresent());
      }
    }
    return new InfeasibleException(
        "the requirements cannot all be met at once under the limits: raise a limit, the max"
            + " cost or the budget, or lower a minimum");
  }

  /** The max cost is below stage 1's least worst case: alone, or only together with the budget. */
  private InfeasibleException capTooLow(BidModel model, long cap) {
    Optional<ExactSolver.Outcome> free = exact.minimise(model.programWithoutBudget(),
        model.riskObjective(), Optional.empty());
    if (free.isPresent() && free.get().value() > cap) {
      return maxCostTooLow(model, cap, free.get().value());
    }
    return diagnose(model);
  }

  /**
   * The most jobs of this size the per-type limits and vCPU quotas let run at once, or
   * {@link Integer#MAX_VALUE} when an offer that fits a job has no limit. The CLI runs that many
   * at once when there are more jobs, so the rest queue instead of the bid failing.
   *
   * @throws InfeasibleException if no offered type fits one job
   */
  public int maxSlots(Requirements req, List<Offer> offers, Limits limits) {
    if (limits.perType().isEmpty() && limits.vcpuQuotas().isEmpty()) {
      // Nothing bounds anything: only whether a type fits a job is left to check.
      if (offers.stream().noneMatch(o -> req.slotsOn(o.type().vcpus(), o.type().memoryGib()) > 0)) {
        BidModel.of(req, offers, limits); // throws, naming the largest type offered
      }
      return Integer.MAX_VALUE;
    }
    BidModel model = BidModel.of(req, offers, limits);
    LinearRow slots = model.demandRow(BidModel.SLOTS).orElseThrow();
    OptionalLong most = mostAllowed(model, slots);
    return most.isEmpty() ? Integer.MAX_VALUE : (int) Math.min(most.getAsLong(), Integer.MAX_VALUE);
  }

  /** The largest value of a demand row's left side under the limits alone; empty = unlimited. */
  private OptionalLong mostAllowed(BidModel model, LinearRow row) {
    IntegerProgram limitsOnly = model.limitsOnly();
    long[] ub = limitsOnly.upperBounds();
    long[] objective = new long[ub.length];
    int[] vars = row.varsRef();
    long[] coefs = row.coefsRef();
    for (int j = 0; j < vars.length; j++) {
      objective[vars[j]] = -coefs[j];
      if (coefs[j] > 0 && ub[vars[j]] == IntegerProgram.UNBOUNDED) {
        return OptionalLong.empty();
      }
    }
    ExactSolver.Outcome most = exact.minimise(limitsOnly, objective, Optional.of(new long[ub.length]))
        .orElseThrow(() -> lost("limits"));
    return OptionalLong.of(-most.value());
  }

  private static InfeasibleException maxCostTooLow(BidModel model, long cap, long leastRisk) {
    return new InfeasibleException(
        String.format(Locale.ROOT,
            "max cost $%s/hour is below the cheapest worst case $%s/hour for %d slots (short by"
                + " $%s/hour): raise --max-cost or ask for fewer slots",
            money(cap), money(leastRisk), model.requirements().slots(),
            money(leastRisk - cap)));
  }

  private static InfeasibleException budgetTooLow(BidModel model, long leastExpectedMicros,
      boolean underMaxCost) {
    Requirements req = model.requirements();
    BigDecimal budget = req.budget().orElseThrow();
    BigDecimal least = BigDecimal.valueOf(leastExpectedMicros, BidModel.MONEY_DECIMALS)
        .multiply(BigDecimal.valueOf(req.waves()))
        .multiply(BigDecimal.valueOf(req.effectiveHours()))
        .setScale(2, RoundingMode.CEILING);
    return new InfeasibleException(String.format(Locale.ROOT,
        "budget $%s is below the least expected total $%s for %d jobs of %s hours at %d at once"
            + "%s (short by $%s): raise --budget%s",
        budget.setScale(Math.max(2, budget.scale()), RoundingMode.UNNECESSARY).toPlainString(),
        least.toPlainString(), req.jobs(), BidModel.fmt(req.effectiveHours()), req.slots(),
        underMaxCost ? " within the max cost" : "",
        least.subtract(budget).max(BigDecimal.ZERO).setScale(2, RoundingMode.CEILING)
            .toPlainString(),
        underMaxCost ? " or --max-cost" : ""));
  }

  private static String shortOf(Requirements req, String row, long most, long needed) {
    String allow = "per-type limits and vCPU quotas allow only ";
    switch (row) {
      case BidModel.SLOTS:
        return String.format(Locale.ROOT,
            "%s%d slots of %d cores and %s GB, but %d are needed (short by %d)", allow, most,
            req.processorsPerJob(), BidModel.fmt(req.memoryGbPerJob()), needed, needed - most);
      case BidModel.MIN_CORES:
        return String.format(Locale.ROOT,
            "%s%d cores on types that fit a job, but the minimum is %d (short by %d)", allow,
            most, needed, needed - most);
      case BidModel.MIN_RAM:
        return String.format(Locale.ROOT,
            "%s%s GB of RAM on types that fit a job, but the minimum is %s GB (short by %s GB)",
            allow, thousandths(most), thousandths(needed), thousandths(needed - most));
      case BidModel.MIN_STORAGE:
        return String.format(Locale.ROOT,
            "%s%s GB of instance storage on types that fit a job, but the minimum is %s GB"
                + " (short by %s GB)", allow, thousandths(most), thousandths(needed),
            thousandths(needed - most));
      default:
        throw new IllegalStateException("unknown demand row " + row);
    }
  }

  private static String money(long micros) {
    return BidModel.dollars(micros).setScale(Math.max(2, BidModel.dollars(micros).scale()))
        .toPlainString();
  }

  private static String thousandths(long v) {
    return BigDecimal.valueOf(v, BidModel.RAM_DECIMALS).stripTrailingZeros().toPlainString();
  }

  static long dot(long[] a, long[] x) {
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum = Math.addExact(sum, Math.multiplyExact(a[i], x[i]));
    }
    return sum;
  }
}
