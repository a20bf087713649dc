package dev.aether.core.bidder;

import dev.aether.core.catalog.InstanceType;
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
 * arithmetic in BigDecimal. Independent of the solver code on purpose; shares only {@link
 * Requirements#slotsOn}.
 */
final class BruteForce {
  /** The optimum: the least cost and the risk bound B it was found under; empty if infeasible. */
  record Optimum(BigDecimal cost, BigDecimal riskBound) {}

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
      InstanceType t = offers.get(i).type();
      int need = ceil(req.slots(), slots(offers.get(i)));
      need = Math.max(need, req.minCores().map(c -> ceil(c, t.vcpus())).orElse(0));
      need = Math.max(need, req.minRamGb().map(r -> (int) Math.ceil(r / t.memoryGib())).orElse(0));
      if (t.storageGb() > 0) {
        need = Math.max(need, req.minStorageGb().map(s -> ceil(s, t.storageGb())).orElse(0));
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
    if (req.objective() == Objective.COST) {
      return feasible.stream()
          .filter(x -> cap.isEmpty() || sum(x, true).compareTo(cap.get()) <= 0)
          .map(x -> sum(x, false))
          .min(BigDecimal::compareTo)
          .map(c -> new Optimum(c, null));
    }
    BigDecimal leastRisk = feasible.stream().map(x -> sum(x, true)).min(BigDecimal::compareTo)
        .orElseThrow();
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
        .filter(x -> sum(x, true).compareTo(b) <= 0)
        .map(x -> sum(x, false))
        .min(BigDecimal::compareTo)
        .orElseThrow();
    return Optional.of(new Optimum(cost, bound));
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
    long storage = 0;
    Map<String, Integer> perType = new java.util.HashMap<>();
    Map<String, Integer> perBucket = new java.util.HashMap<>();
    for (int i = 0; i < x.length; i++) {
      Offer o = offers.get(i);
      InstanceType t = o.type();
      slots += (long) slots(o) * x[i];
      cores += (long) t.vcpus() * x[i];
      ram += t.memoryGib() * x[i];
      storage += (long) t.storageGb() * x[i];
      perType.merge(t.name(), x[i], Integer::sum);
      perBucket.merge(t.quotaClass() + "/" + o.market(), t.vcpus() * x[i], Integer::sum);
    }
    if (slots < req.slots()
        || cores < req.minCores().orElse(0)
        || ram < req.minRamGb().orElse(0.0) - 1e-9
        || storage < req.minStorageGb().orElse(0)) {
      return false;
    }
    for (var e : perType.entrySet()) {
      if (e.getValue() > limits.perType().getOrDefault(e.getKey(), Integer.MAX_VALUE)) {
        return false;
      }
    }
    for (var e : limits.vcpuQuotas().entrySet()) {
      String bucket = e.getKey().quotaClass() + "/" + e.getKey().market();
      if (perBucket.getOrDefault(bucket, 0) > e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private BigDecimal sum(int[] x, boolean risk) {
    BigDecimal total = BigDecimal.ZERO;
    for (int i = 0; i < x.length; i++) {
      Offer o = offers.get(i);
      total = total.add((risk ? o.riskPrice() : o.price()).multiply(BigDecimal.valueOf(x[i])));
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
