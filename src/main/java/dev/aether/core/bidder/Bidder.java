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
import java.util.OptionalLong;

/**
 * Chooses how many instances to buy through each offer: an integer program solved with OR-Tools.
 * Pure: no I/O, no printing, inputs untouched.
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
 *   quotas      sum_{o in (class, market)} c_t x_o <= Q Limits.vcpuQuotas(); class = t.quotaClass()
 *   risk        sum_o risk_o x_o <= B                   risk_o = Offer.riskPrice() ($/hour)
 * </pre>
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
 * <h2>Ties</h2>
 *
 * <p>Two more stages make the choice among equally cheap plans deliberate: with cost held at its
 * optimum, minimise the number of instances; then, with that number held too, minimise sum rank_o
 * x_o where rank_o is the offer's position in {@link Offer#key()} order (so earlier keys win).
 * Offers are put in that canonical order before the model is built, so the same offers in any
 * order give the same model and the (deterministic) solver the same plan.
 *
 * <h2>Arithmetic</h2>
 *
 * <p>All model data is integer: money in micro-dollars, RAM in thousandths of a GiB. The plan's
 * cost is then computed from the offers' BigDecimal prices by {@link Plan}.
 *
 * <h2>Infeasibility</h2>
 *
 * <p>{@link InfeasibleException} (exit status 2) with a one-line message naming the constraint and
 * the shortfall; found by solving relaxations: the most slots, cores, RAM or storage the limits
 * allow, and the cheapest worst case without the max cost.
 */
public final class Bidder {
  /** The solver used unless asked otherwise; chosen by measurement, see docs/bidder.md. */
  public static final SolverKind DEFAULT_SOLVER = SolverKind.CBC;

  private final SolverKind solverKind;
  private final MilpBackend backend;

  public Bidder() {
    this(DEFAULT_SOLVER);
  }

  public Bidder(SolverKind solverKind) {
    this.solverKind = Objects.requireNonNull(solverKind, "solverKind");
    this.backend = solverKind.backend();
  }

  public SolverKind solverKind() {
    return solverKind;
  }

  /**
   * The cheapest plan for {@code req} under {@code limits}, as described in the class comment.
   *
   * @throws InfeasibleException if no plan meets the requirements
   */
  public Plan solve(Requirements req, List<Offer> offers, Limits limits) {
    BidModel model = BidModel.of(req, offers, limits);
    OptionalLong bound = riskBoundMicros(model);
    IntegerProgram program = withRisk(model, bound);
    long[] x =
        backend.minimise(program, model.priceObjective()).orElseThrow(() -> diagnose(model));
    x = breakTies(model, program, x);
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
            ? BidModel.dollars(bound.orElseThrow())
            : plan.worstCaseHourlyCost();
    return new Plan(lines, riskBound);
  }

  /**
   * The bound B on the worst case, in micro-dollars, that the cost stage is solved under: rounded
   * B* for the seed objective, the max cost (if any) for the cost objective.
   *
   * @throws InfeasibleException if even the least worst case breaks a constraint
   */
  OptionalLong riskBoundMicros(BidModel model) {
    Requirements req = model.requirements();
    OptionalLong cap =
        req.maxCostPerHour().stream()
            .mapToLong(m -> BidModel.micros(m, RoundingMode.FLOOR))
            .findFirst();
    if (req.objective() == Objective.COST) {
      return cap;
    }
    long[] x =
        backend.minimise(model.program(), model.riskObjective())
            .orElseThrow(() -> diagnose(model));
    long leastRisk = dot(model.riskObjective(), x);
    if (cap.isPresent() && leastRisk > cap.getAsLong()) {
      throw maxCostTooLow(model, cap.getAsLong(), leastRisk);
    }
    long step = BidModel.micros(req.riskStep(), RoundingMode.HALF_UP);
    long rounded = step == 0 ? leastRisk : -Math.floorDiv(-leastRisk, step) * step;
    return OptionalLong.of(cap.isPresent() ? Math.min(rounded, cap.getAsLong()) : rounded);
  }

  static IntegerProgram withRisk(BidModel model, OptionalLong bound) {
    IntegerProgram program = model.program();
    return bound.isPresent() ? program.with(List.of(model.riskRow(bound.getAsLong()))) : program;
  }

  /** Stages 3 and 4: fewest instances at the optimal cost, then earliest offers by key. */
  private long[] breakTies(BidModel model, IntegerProgram program, long[] cheapest) {
    int n = cheapest.length;
    long[] all = new long[n];
    long[] ones = new long[n];
    long[] ranks = new long[n];
    for (int i = 0; i < n; i++) {
      ranks[i] = i + 1;
      ones[i] = 1;
      all[i] = i;
    }
    int[] vars = Arrays.stream(all).mapToInt(v -> (int) v).toArray();
    LinearRow atCost =
        new LinearRow("cost", vars, model.priceObjective(), LinearRow.Sense.AT_MOST,
            dot(model.priceObjective(), cheapest));
    IntegerProgram stage3 = program.with(List.of(atCost));
    long[] fewest = backend.minimise(stage3, ones).orElseThrow(() -> lost("instance count"));
    LinearRow atCount =
        new LinearRow("count", vars, ones, LinearRow.Sense.AT_MOST, dot(ones, fewest));
    return backend.minimise(stage3.with(List.of(atCount)), ranks)
        .orElseThrow(() -> lost("offer order"));
  }

  private AetherException lost(String stage) {
    return new AetherException(
        AetherException.INTERNAL,
        solverKind + " found no solution in the tie-break stage (" + stage + ") although the"
            + " cheapest plan satisfies it");
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

  /** Why the model (without a risk bound, or with the max cost) has no solution. */
  private InfeasibleException diagnose(BidModel model) {
    Requirements req = model.requirements();
    for (LinearRow row : model.demandRows()) {
      OptionalLong most = mostAllowed(model, row);
      if (most.isPresent() && most.getAsLong() < row.rhs()) {
        return new InfeasibleException(shortOf(req, row.name(), most.getAsLong(), row.rhs()));
      }
    }
    var leastRisk = backend.minimise(model.program(), model.riskObjective());
    if (leastRisk.isEmpty() || req.maxCostPerHour().isEmpty()) {
      return new InfeasibleException(
          "the slots and minimums cannot all be met at once under the per-type limits and vCPU"
              + " quotas (each alone can): raise a limit or lower a minimum");
    }
    long[] x = leastRisk.get();
    long cap = BidModel.micros(req.maxCostPerHour().orElseThrow(), RoundingMode.FLOOR);
    return maxCostTooLow(model, cap, dot(model.riskObjective(), x));
  }

  /**
   * The most jobs of this size the per-type limits and vCPU quotas let run at once, or
   * {@link Integer#MAX_VALUE} when an offer that fits a job has no limit. The CLI runs that many
   * at once when there are more jobs, so the rest queue instead of the bid failing.
   *
   * @throws InfeasibleException if no offered type fits one job
   */
  public int maxSlots(Requirements req, List<Offer> offers, Limits limits) {
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
    int[] vars = row.vars();
    long[] coefs = row.coefs();
    for (int j = 0; j < vars.length; j++) {
      objective[vars[j]] = -coefs[j];
      if (coefs[j] > 0 && ub[vars[j]] == IntegerProgram.UNBOUNDED) {
        return OptionalLong.empty();
      }
    }
    long[] x = backend.minimise(limitsOnly, objective).orElseThrow(() -> lost("limits"));
    return OptionalLong.of(-dot(objective, x));
  }

  private static InfeasibleException maxCostTooLow(BidModel model, long cap, long leastRisk) {
    return new InfeasibleException(
        String.format(Locale.ROOT,
            "max cost $%s/hour is below the cheapest worst case $%s/hour for %d slots (short by"
                + " $%s/hour): raise --max-cost or ask for fewer slots",
            money(cap), money(leastRisk), model.requirements().slots(),
            money(leastRisk - cap)));
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
            "%s%d GB of instance storage on types that fit a job, but the minimum is %d GB"
                + " (short by %d GB)", allow, most, needed, needed - most);
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
