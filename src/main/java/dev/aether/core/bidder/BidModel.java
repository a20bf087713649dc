package dev.aether.core.bidder;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
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
 * Offer#key()}, then region and prices), so that the same offers in any order give the same model
 * and so the same plan. Offers whose type cannot hold one job are left out.
 *
 * <p>Units inside: money in integer micro-dollars (risk prices rounded up, prices half-up; the
 * embedded catalog has at most 6 decimals, so nothing is rounded there), RAM in thousandths of a
 * GiB, cores and storage as they are.
 */
public final class BidModel {
  /** Money scale inside the solver: micro-dollars. */
  public static final int MONEY_DECIMALS = 6;
  /** RAM scale inside the solver: thousandths of a GiB. */
  public static final int RAM_DECIMALS = 3;

  public static final String SLOTS = "slots";
  public static final String MIN_CORES = "min_cores";
  public static final String MIN_RAM = "min_ram";
  public static final String MIN_STORAGE = "min_storage";
  public static final String RISK = "risk";

  private final Requirements requirements;
  private final List<Offer> offers;
  private final int[] slotsPerInstance;
  private final long[] priceMicros;
  private final long[] riskMicros;
  private final List<LinearRow> demandRows;
  private final List<LinearRow> limitRows;
  private final long[] limitBounds;
  private final long[] upperBounds;
  private final List<String> variableNames;

  private BidModel(Requirements req, List<Offer> fitting, Limits limits) {
    this.requirements = req;
    this.offers = List.copyOf(fitting);
    int n = offers.size();
    slotsPerInstance = new int[n];
    priceMicros = new long[n];
    riskMicros = new long[n];
    long[] cores = new long[n];
    long[] ramMilli = new long[n];
    long[] storage = new long[n];
    for (int i = 0; i < n; i++) {
      Offer o = offers.get(i);
      InstanceType t = o.type();
      slotsPerInstance[i] = req.slotsOn(t.vcpus(), t.memoryGib());
      priceMicros[i] = micros(o.price(), RoundingMode.HALF_UP);
      riskMicros[i] = micros(o.riskPrice(), RoundingMode.CEILING);
      cores[i] = t.vcpus();
      ramMilli[i] = Math.round(t.memoryGib() * 1000);
      storage[i] = t.storageGb();
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
        .ifPresent(s -> demand.add(allVars(MIN_STORAGE, storage, LinearRow.Sense.AT_LEAST, s)));
    this.demandRows = List.copyOf(demand);
    this.limitRows = List.copyOf(limitRows(offers, cores, limits));
    this.limitBounds = boundsFrom(limitRows, n);
    this.upperBounds = demandBounds(demandRows, n);
    for (int i = 0; i < n; i++) {
      upperBounds[i] = Math.min(limitBounds[i], upperBounds[i]);
    }
    this.variableNames = List.copyOf(names(offers));
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
    List<Offer> sorted = new ArrayList<>(offers);
    sorted.sort(CANONICAL);
    List<Offer> fitting =
        sorted.stream()
            .filter(o -> req.slotsOn(o.type().vcpus(), o.type().memoryGib()) > 0)
            .toList();
    if (fitting.isEmpty()) {
      throw new InfeasibleException(noneFits(req, sorted));
    }
    return new BidModel(req, fitting, limits);
  }

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

  /** Rows that ask for enough: slots and the optional minimums. */
  public List<LinearRow> demandRows() {
    return demandRows;
  }

  /** Rows the account imposes: per-type limits and vCPU quotas. */
  public List<LinearRow> limitRows() {
    return limitRows;
  }

  /**
   * Upper bounds on each variable that keep every optimum: the account limits, and the count at
   * which the offer alone meets every minimum it contributes to (more of it is never needed).
   */
  public long[] upperBounds() {
    return upperBounds.clone();
  }

  /** Readable names valid in LP and MPS files, e.g. {@code x_c5_large_use1_az1_spot}. */
  public List<String> variableNames() {
    return variableNames;
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

  /** All demand and limit rows with the bounds above. */
  IntegerProgram program() {
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

  private static final Comparator<Offer> CANONICAL =
      Comparator.comparing(Offer::key)
          .thenComparing(Offer::region)
          .thenComparing(Offer::price)
          .thenComparing(Offer::riskPrice)
          .thenComparing(o -> o.type().toString());

  /** Per variable: the most of it any minimum could need, were it the only offer bought. */
  private static long[] demandBounds(List<LinearRow> rows, int n) {
    long[] bounds = new long[n];
    for (LinearRow row : rows) {
      int[] vars = row.vars();
      long[] coefs = row.coefs();
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
            java.util.Arrays.fill(ones, 1);
            rows.add(new LinearRow(unique("limit_" + sanitize(type), usedNames),
                toInts(idx), ones, LinearRow.Sense.AT_MOST, limit));
          }
        });
    byBucket.forEach(
        (key, idx) ->
            limits.vcpuQuota(key.quotaClass(), key.market()).ifPresent(quota -> {
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
    java.util.Arrays.fill(bounds, IntegerProgram.UNBOUNDED);
    for (LinearRow row : rows) {
      int[] vars = row.vars();
      long[] coefs = row.coefs();
      for (int j = 0; j < vars.length; j++) {
        if (coefs[j] > 0) {
          bounds[vars[j]] = Math.min(bounds[vars[j]], Math.max(0, row.rhs()) / coefs[j]);
        }
      }
    }
    return bounds;
  }

  private static List<String> names(List<Offer> offers) {
    Set<String> used = new HashSet<>();
    List<String> names = new ArrayList<>();
    for (Offer o : offers) {
      names.add(unique("x_" + sanitize(o.key()), used));
    }
    return names;
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
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
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
