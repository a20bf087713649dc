package dev.aether.core.bidder;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The bidder's integer program in integer data, before any objective is chosen (see {@link
 * Bidder} for the program written out). Offers are put in a canonical order (by {@link
 * Offer#key()}, then region, prices and rate), so that the same offers in any order give the same
 * model and so the same plan. Offers whose type cannot hold one job are left out.
 *
 * <p>Units inside: money in integer micro-dollars (risk prices rounded up, prices and expected
 * prices half-up; the embedded catalog has at most 6 decimals, so prices are not rounded there),
 * RAM and instance storage in thousandths of a GiB and GB, cores as they are.
 */
public final class BidModel {
  /** Money scale inside the solver: micro-dollars. */
  public static final int MONEY_DECIMALS = 6;
  /** RAM and storage scale inside the solver: thousandths of a GiB (GB). */
  public static final int RAM_DECIMALS = 3;

  public static final String SLOTS = "slots";
  public static final String MIN_CORES = "min_cores";
  public static final String MIN_RAM = "min_ram";
  public static final String MIN_STORAGE = "min_storage";
  public static final String RISK = "risk";
  public static final String BUDGET = "budget";

  private final Requirements requirements;
  private final List<Offer> offers;
  private final List<String> keys;
  private final int[] slotsPerInstance;
  private final long[] priceMicros;
  private final long[] riskMicros;
  private final long[] expectedMicros;
  private final List<LinearRow> demandRows;
  private final List<LinearRow> limitRows;
  private final Optional<LinearRow> budgetRow;
  private final long[] limitBounds;
  private final long[] upperBounds;
  private volatile List<String> variableNames;

  private BidModel(Requirements req, List<Offer> fitting, List<String> keys, Limits limits) {
    this.requirements = req;
    this.offers = List.copyOf(fitting);
    this.keys = List.copyOf(keys);
    int n = offers.size();
    slotsPerInstance = new int[n];
    priceMicros = new long[n];
    riskMicros = new long[n];
    expectedMicros = new long[n];
    long[] cores = new long[n];
    long[] ramMilli = new long[n];
    long[] storageMilli = new long[n];
    double hours = req.effectiveHours();
    for (int i = 0; i < n; i++) {
      Offer o = offers.get(i);
      InstanceType t = o.type();
      slotsPerInstance[i] = req.slotsOn(t.vcpus(), t.memoryGib());
      priceMicros[i] = micros(o.price(), RoundingMode.HALF_UP);
      riskMicros[i] = micros(o.riskPrice(), RoundingMode.CEILING);
      expectedMicros[i] = ExpectedCost.hourlyMicros(o, hours);
      cores[i] = t.vcpus();
      ramMilli[i] = Math.round(t.memoryGib() * 1000);
      storageMilli[i] = Math.round(t.storageGb() * 1000);
    }
    List<LinearRow> demand = new ArrayList<>();
    demand.add(allVars(SLOTS, toLongs(slotsPerInstance), LinearRow.Sense.AT_LEAST, req.slots()));
    req.minCores()
        .filter(c -> c > 0)
        .ifPresent(c -> demand.add(allVars(MIN_CORES, cores, LinearRow.Sense.AT_LEAST, c)));
    req.minRamGb()
        .filter(r -> r > 0)
        .ifPresent(
            r ->
                demand.add(
                    allVars(
                        MIN_RAM, ramMilli, LinearRow.Sense.AT_LEAST,
                        (long) Math.ceil(r * 1000 - 1e-9))));
    req.minStorageGb()
        .filter(s -> s > 0)
        .ifPresent(s -> demand.add(
            allVars(MIN_STORAGE, storageMilli, LinearRow.Sense.AT_LEAST, s * 1000L)));
    this.demandRows = List.copyOf(demand);
    this.limitRows = List.copyOf(limitRows(offers, cores, limits));
    this.budgetRow = req.budget().map(b -> allVars(BUDGET, expectedMicros,
        LinearRow.Sense.AT_MOST, budgetBound(req, b)));
    this.limitBounds = boundsFrom(limitRows, n);
    this.upperBounds = demandBounds(demandRows, n);
    Optional<Integer> poolCap = req.poolSlotCap();
    for (int i = 0; i < n; i++) {
      upperBounds[i] = Math.min(limitBounds[i], upperBounds[i]);
      if (poolCap.isPresent() && offers.get(i).market() == Market.SPOT) {
        upperBounds[i] = Math.min(upperBounds[i], poolCap.get() / slotsPerInstance[i]);
      }
    }
  }

  /**
   * The model for these inputs.
   *
   * @throws InfeasibleException if there are no offers, or no offered type fits one job
   */
  public static BidModel of(Requirements req, List<Offer> offers, Limits limits) {
    if (offers.isEmpty()) {
      throw new InfeasibleException(
          "no offers to choose from: the catalog has no instance type for this region and"
              + " architecture");
    }
    // Keys are built once, not in every comparison: the sort is the model's largest cost.
    List<Keyed> keyed = new ArrayList<>(offers.size());
    for (Offer o : offers) {
      keyed.add(new Keyed(o.key(), o));
    }
    keyed.sort(CANONICAL);
    List<Offer> fitting = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Keyed k : keyed) {
      if (req.slotsOn(k.offer().type().vcpus(), k.offer().type().memoryGib()) > 0) {
        fitting.add(k.offer());
        keys.add(k.key());
      }
    }
    if (fitting.isEmpty()) {
      throw new InfeasibleException(noneFits(req, keyed.stream().map(Keyed::offer).toList()));
    }
    return new BidModel(req, fitting, keys, limits);
  }

  private record Keyed(String key, Offer offer) {}

  /** Offers in model order; variable i is the count of offers().get(i). */
  public List<Offer> offers() {
    return offers;
  }

  public Requirements requirements() {
    return requirements;
  }

  public int slotsPerInstance(int i) {
    return slotsPerInstance[i];
  }

  public long priceMicros(int i) {
    return priceMicros[i];
  }

  public long riskMicros(int i) {
    return riskMicros[i];
  }

  /** The offer's expected $/hour in micro-dollars ({@link ExpectedCost#hourlyMicros}). */
  public long expectedMicros(int i) {
    return expectedMicros[i];
  }

  /** Rows that ask for enough: slots and the optional minimums. */
  public List<LinearRow> demandRows() {
    return demandRows;
  }

  /** Rows the account imposes: per-type limits and vCPU quotas. */
  public List<LinearRow> limitRows() {
    return limitRows;
  }

  /** The budget row, when a budget is given: sum e_o x_o <= floor(budget / (W x H)). */
  public Optional<LinearRow> budgetRow() {
    return budgetRow;
  }

  /**
   * Upper bounds on each variable that keep every optimum: the account limits, the count at which
   * the offer alone meets every minimum it contributes to (more of it is never needed), and for
   * spot offers the pool share: floor(ceil(share x S) / k).
   */
  public long[] upperBounds() {
    return upperBounds.clone();
  }

  /** Readable names valid in LP and MPS files, e.g. {@code x_c5_large_use1_az1_spot}. */
  public List<String> variableNames() {
    List<String> names = variableNames;
    if (names == null) {
      Set<String> used = new HashSet<>();
      List<String> made = new ArrayList<>();
      for (String key : keys) {
        made.add(unique("x_" + sanitize(key), used));
      }
      names = List.copyOf(made);
      variableNames = names;
    }
    return names;
  }

  /** The risk row: worst-case micro-dollars per hour at most {@code boundMicros}. */
  public LinearRow riskRow(long boundMicros) {
    return allVars(RISK, riskMicros, LinearRow.Sense.AT_MOST, boundMicros);
  }

  public long[] priceObjective() {
    return priceMicros.clone();
  }

  public long[] riskObjective() {
    return riskMicros.clone();
  }

  public long[] expectedObjective() {
    return expectedMicros.clone();
  }

  /** What the cost stage minimises: expected $/hour for {@link Objective#EXPECTED}, else $/hour. */
  public long[] primaryObjective() {
    return requirements.objective() == Objective.EXPECTED ? expectedObjective()
        : priceObjective();
  }

  /** All demand and limit rows, the budget row, with the bounds above. */
  IntegerProgram program() {
    List<LinearRow> rows = new ArrayList<>(demandRows);
    rows.addAll(limitRows);
    budgetRow.ifPresent(rows::add);
    return new IntegerProgram(upperBounds, rows);
  }

  /** Demand and limit rows without the budget: for telling a budget that is too low. */
  IntegerProgram programWithoutBudget() {
    List<LinearRow> rows = new ArrayList<>(demandRows);
    rows.addAll(limitRows);
    return new IntegerProgram(upperBounds, rows);
  }

  /** Only the account limits: for asking how much of something they allow. */
  IntegerProgram limitsOnly() {
    return new IntegerProgram(limitBounds, limitRows);
  }

  static long micros(BigDecimal dollars, RoundingMode mode) {
    return dollars.movePointRight(MONEY_DECIMALS).setScale(0, mode).longValueExact();
  }

  static BigDecimal dollars(long micros) {
    return BigDecimal.valueOf(micros, MONEY_DECIMALS).stripTrailingZeros();
  }

  /**
   * The budget row's bound: W x H x sum e_o x_o <= budget, in micro-dollars, is sum e_o x_o <=
   * floor(budget / (W x H)) since the left side is whole.
   */
  static long budgetBound(Requirements req, BigDecimal budget) {
    BigDecimal waveHours = BigDecimal.valueOf(req.waves())
        .multiply(BigDecimal.valueOf(req.effectiveHours()));
    return budget.movePointRight(MONEY_DECIMALS).divide(waveHours, 0, RoundingMode.FLOOR)
        .longValueExact();
  }

  private static final Comparator<Keyed> CANONICAL =
      Comparator.comparing(Keyed::key)
          .thenComparing(k -> k.offer().region())
          .thenComparing(k -> k.offer().price())
          .thenComparing(k -> k.offer().riskPrice())
          .thenComparingDouble(k -> k.offer().interruptionRate().orElse(-1))
          .thenComparing(k -> k.offer().priceEstimated())
          .thenComparing(k -> k.offer().type().toString());

  /** Per variable: the most of it any minimum could need, were it the only offer bought. */
  private static long[] demandBounds(List<LinearRow> rows, int n) {
    long[] bounds = new long[n];
    for (LinearRow row : rows) {
      int[] vars = row.varsRef();
      long[] coefs = row.coefsRef();
      for (int j = 0; j < vars.length; j++) {
        if (coefs[j] > 0) {
          bounds[vars[j]] = Math.max(bounds[vars[j]], ceilDiv(row.rhs(), coefs[j]));
        }
      }
    }
    return bounds;
  }

  private static LinearRow allVars(String name, long[] coefs, LinearRow.Sense sense, long rhs) {
    int[] vars = new int[coefs.length];
    for (int i = 0; i < vars.length; i++) {
      vars[i] = i;
    }
    return new LinearRow(name, vars, coefs, sense, rhs);
  }

  private static List<LinearRow> limitRows(List<Offer> offers, long[] cores, Limits limits) {
    Map<String, List<Integer>> byType = new TreeMap<>();
    Map<QuotaKey, List<Integer>> byBucket = new TreeMap<>(
        Comparator.comparing(QuotaKey::quotaClass).thenComparing(QuotaKey::market));
    for (int i = 0; i < offers.size(); i++) {
      InstanceType t = offers.get(i).type();
      byType.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(i);
      byBucket
          .computeIfAbsent(new QuotaKey(t.quotaClass(), offers.get(i).market()),
              k -> new ArrayList<>())
          .add(i);
    }
    List<LinearRow> rows = new ArrayList<>();
    Set<String> usedNames = new HashSet<>();
    byType.forEach(
        (type, idx) -> {
          Integer limit = limits.perType().get(type);
          if (limit != null) {
            long[] ones = new long[idx.size()];
            Arrays.fill(ones, 1);
            rows.add(new LinearRow(unique("limit_" + sanitize(type), usedNames),
                toInts(idx), ones, LinearRow.Sense.AT_MOST, limit));
          }
        });
    byBucket.forEach(
        (key, idx) ->
            limits.effectiveVcpuQuota(key.quotaClass(), key.market()).ifPresent(quota -> {
              long[] c = idx.stream().mapToLong(i -> cores[i]).toArray();
              rows.add(new LinearRow(
                  unique("quota_" + sanitize(key.quotaClass() + "_" + key.market().label()),
                      usedNames),
                  toInts(idx), c, LinearRow.Sense.AT_MOST, quota));
            }));
    return rows;
  }

  private static long[] boundsFrom(List<LinearRow> rows, int n) {
    long[] bounds = new long[n];
    Arrays.fill(bounds, IntegerProgram.UNBOUNDED);
    for (LinearRow row : rows) {
      int[] vars = row.varsRef();
      long[] coefs = row.coefsRef();
      for (int j = 0; j < vars.length; j++) {
        if (coefs[j] > 0) {
          bounds[vars[j]] = Math.min(bounds[vars[j]], Math.max(0, row.rhs()) / coefs[j]);
        }
      }
    }
    return bounds;
  }

  private static String unique(String name, Set<String> used) {
    String candidate = name;
    for (int i = 2; !used.add(candidate); i++) {
      candidate = name + "_" + i;
    }
    return candidate;
  }

  /** Letters, digits and underscores only: safe for CPLEX LP and free MPS readers alike. */
  static String sanitize(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = Character.toLowerCase(s.charAt(i));
      out.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
    }
    return out.toString();
  }

  private static String noneFits(Requirements req, List<Offer> offers) {
    InstanceType byCores =
        offers.stream().map(Offer::type)
            .max(Comparator.comparingInt(InstanceType::vcpus)
                .thenComparingDouble(InstanceType::memoryGib))
            .orElseThrow();
    InstanceType byRam =
        offers.stream().map(Offer::type)
            .max(Comparator.comparingDouble(InstanceType::memoryGib)
                .thenComparingInt(InstanceType::vcpus))
            .orElseThrow();
    String largest = describe(byCores)
        + (byRam.equals(byCores) ? "" : "; the most memory: " + describe(byRam));
    return String.format(Locale.ROOT,
        "no instance type offered fits one job of %d cores and %s GB: the largest offered is %s",
        req.processorsPerJob(), fmt(req.memoryGbPerJob()), largest);
  }

  private static String describe(InstanceType t) {
    return t.name() + " (" + t.vcpus() + " vCPUs, " + fmt(t.memoryGib()) + " GiB)";
  }

  static String fmt(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  private static long[] toLongs(int[] a) {
    long[] r = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i];
    }
    return r;
  }

  private static int[] toInts(List<Integer> idx) {
    return idx.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Counts per offer, in model order, as a readable map (for reports and tests). */
  public Map<Offer, Long> countsOf(long[] x) {
    Map<Offer, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < x.length; i++) {
      if (x[i] > 0) {
        m.put(offers.get(i), x[i]);
      }
    }
    return m;
  }

  /** Optional helper used by diagnostics: the demand row of this name, if asked for. */
  Optional<LinearRow> demandRow(String name) {
    return demandRows.stream().filter(r -> r.name().equals(name)).findFirst();
  }
}
