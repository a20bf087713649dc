package dev.aether.core.bidder;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bidder's answer found the slow, obvious way: every integer combination within a box, all
 * arithmetic in BigDecimal. Independent of the solver code on purpose; shares only the
 * definitions of the inputs ({@link Requirements#slotsOn}, {@link Requirements#poolSlotCap},
 * {@link Requirements#waves}, {@link ExpectedCost#hourly}).
 */
final class BruteForce {
  /**
   * The optimum: the least cost now, the risk bound B it was found under (seed objective), and
   * the least expected $/hour sum (expected objective); empty if infeasible.
   */
  record Optimum(BigDecimal cost, BigDecimal riskBound, BigDecimal expectedHourly) {
    Optimum(BigDecimal cost, BigDecimal riskBound) {
      this(cost, riskBound, null);
    }
  }

  private final Requirements req;
  private final List<Offer> offers = new ArrayList<>();
  private final List<int[]> feasible = new ArrayList<>();

  BruteForce(Requirements req, List<Offer> all, Limits limits) {
    this.req = req;
    for (Offer o : all) {
      if (slots(o) > 0) {
        offers.add(o);
      }
    }
    int n = offers.size();
    int[] box = new int[n];
    for (int i = 0; i < n; i++) {
      // More of one offer than it needs alone to meet every minimum is never cheaper.
      Offer o = offers.get(i);
      InstanceType t = o.type();
      int need = ceil(req.slots(), slots(o));
      need = Math.max(need, req.minCores().map(c -> ceil(c, t.vcpus())).orElse(0));
      need = Math.max(need, req.minRamGb().map(r -> (int) Math.ceil(r / t.memoryGib())).orElse(0));
      if (t.storageGb() > 0) {
        need = Math.max(need,
            req.minStorageGb().map(s -> (int) Math.ceil(s / t.storageGb() - 1e-9)).orElse(0));
      }
      if (o.market() == Market.SPOT && req.poolSlotCap().isPresent()) {
        need = Math.min(need, req.poolSlotCap().get() / slots(o));
      }
      box[i] = need;
    }
    enumerate(new int[n], 0, box, limits);
  }

  Optional<Optimum> optimum() {
    if (feasible.isEmpty()) {
      return Optional.empty();
    }
    Optional<BigDecimal> cap = req.maxCostPerHour();
    if (req.objective() == Objective.COST || req.objective() == Objective.EXPECTED) {
      boolean expected = req.objective() == Objective.EXPECTED;
      List<int[]> capped = feasible.stream()
          .filter(x -> cap.isEmpty() || sum(x, Kind.RISK).compareTo(cap.get()) <= 0)
          .toList();
      if (capped.isEmpty()) {
        return Optional.empty();
      }
      BigDecimal best = capped.stream().map(x -> sum(x, expected ? Kind.EXPECTED : Kind.PRICE))
          .min(BigDecimal::compareTo).orElseThrow();
      if (!expected) {
        return Optional.of(new Optimum(best, null, null));
      }
      return Optional.of(new Optimum(null, null, best));
    }
    BigDecimal leastRisk = feasible.stream().map(x -> sum(x, Kind.RISK))
        .min(BigDecimal::compareTo).orElseThrow();
    if (cap.isPresent() && leastRisk.compareTo(cap.get()) > 0) {
      return Optional.empty();
    }
    BigDecimal bound = req.riskStep().signum() == 0
        ? leastRisk
        : leastRisk.divide(req.riskStep(), 0, RoundingMode.CEILING).multiply(req.riskStep());
    if (cap.isPresent() && bound.compareTo(cap.get()) > 0) {
      bound = cap.get();
    }
    BigDecimal b = bound;
    BigDecimal cost = feasible.stream()
        .filter(x -> sum(x, Kind.RISK).compareTo(b) <= 0)
        .map(x -> sum(x, Kind.PRICE))
        .min(BigDecimal::compareTo)
        .orElseThrow();
    return Optional.of(new Optimum(cost, bound, null));
  }

  private void enumerate(int[] x, int i, int[] box, Limits limits) {
    if (i == x.length) {
      if (feasible(x, limits)) {
        feasible.add(x.clone());
      }
      return;
    }
    for (int v = 0; v <= box[i]; v++) {
      x[i] = v;
      enumerate(x, i + 1, box, limits);
    }
    x[i] = 0;
  }

  private boolean feasible(int[] x, Limits limits) {
    long slots = 0;
    long cores = 0;
    double ram = 0;
    double storage = 0;
    Map<String, Integer> perType = new java.util.HashMap<>();
    Map<String, Integer> perBucket = new java.util.HashMap<>();
    for (int i = 0; i < x.length; i++) {
      Offer o = offers.get(i);
      InstanceType t = o.type();
      slots += (long) slots(o) * x[i];
      cores += (long) t.vcpus() * x[i];
      ram += t.memoryGib() * x[i];
      storage += t.storageGb() * x[i];
      perType.merge(t.name(), x[i], Integer::sum);
      perBucket.merge(t.quotaClass() + "/" + o.market(), t.vcpus() * x[i], Integer::sum);
    }
    if (slots < req.slots()
        || cores < req.minCores().orElse(0)
        || ram < req.minRamGb().orElse(0.0) - 1e-9
        || storage < req.minStorageGb().orElse(0) - 1e-9) {
      return false;
    }
    for (var e : perType.entrySet()) {
      if (e.getValue() > limits.perType().getOrDefault(e.getKey(), Integer.MAX_VALUE)) {
        return false;
      }
    }
    for (var e : perBucket.entrySet()) {
      // A market with quotas counts its unlisted classes as 0.
      String[] classMarket = e.getKey().split("/");
      Market market = Market.valueOf(classMarket[1]);
      boolean marketListed = limits.vcpuQuotas().keySet().stream()
          .anyMatch(k -> k.market() == market);
      Integer quota = limits.vcpuQuotas().get(
          new dev.aether.core.limits.QuotaKey(classMarket[0], market));
      int allowed = quota != null ? quota : marketListed ? 0 : Integer.MAX_VALUE;
      if (e.getValue() > allowed) {
        return false;
      }
    }
    if (req.budget().isPresent()) {
      BigDecimal total = sum(x, Kind.EXPECTED).multiply(BigDecimal.valueOf(req.waves()))
          .multiply(BigDecimal.valueOf(req.effectiveHours()));
      if (total.compareTo(req.budget().get()) > 0) {
        return false;
      }
    }
    return true;
  }

  private enum Kind { PRICE, RISK, EXPECTED }

  private BigDecimal sum(int[] x, Kind kind) {
    BigDecimal total = BigDecimal.ZERO;
    for (int i = 0; i < x.length; i++) {
      Offer o = offers.get(i);
      BigDecimal each = switch (kind) {
        case PRICE -> o.price();
        case RISK -> o.riskPrice();
        case EXPECTED -> ExpectedCost.hourly(o, req.effectiveHours());
      };
      total = total.add(each.multiply(BigDecimal.valueOf(x[i])));
    }
    return total;
  }

  private int slots(Offer o) {
    return req.slotsOn(o.type().vcpus(), o.type().memoryGib());
  }

  private static int ceil(int a, int b) {
    return (a + b - 1) / b;
  }
}
