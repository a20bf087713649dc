package dev.aether.core.bidder;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A small random bidding problem (3 to 5 offers, a few slots) that brute force can still solve:
 * the same seed always gives the same case.
 */
record SmallCase(long seed, Requirements requirements, List<Offer> offers, Limits limits) {
  private static final String[] FAMILIES = {"c5", "m5", "r5", "g4dn"};

  static SmallCase of(long seed, Objective objective) {
    Random rnd = new Random(seed);
    int typeCount = 2 + rnd.nextInt(3);
    List<Offer> offers = new ArrayList<>();
    Map<String, Integer> perType = new HashMap<>();
    for (int t = 0; t < typeCount && offers.size() < 5; t++) {
      int vcpus = 1 << rnd.nextInt(4);
      double mem = vcpus * (1 << rnd.nextInt(3)) * (rnd.nextBoolean() ? 1.0 : 0.75);
      int storage = rnd.nextInt(3) == 0 ? 50 * (1 + rnd.nextInt(4)) : 0;
      String family = FAMILIES[rnd.nextInt(FAMILIES.length)];
      // The provider states the quota class: g4dn counts under AWS's G class, the rest standard.
      InstanceType type = new InstanceType(family + ".t" + t, vcpus, mem, storage, "x86_64")
          .withFacts(false, family.equals("g4dn"), false, family.equals("g4dn") ? "g" : "standard");
      BigDecimal onDemand = cents(rnd, 5 + vcpus * 10);
      offers.add(new Offer(type, "r1", "z" + rnd.nextInt(2), Market.ON_DEMAND, onDemand, null));
      if (rnd.nextBoolean() && offers.size() < 5) {
        BigDecimal spot = cents(rnd, onDemand.movePointRight(2).intValue());
        // Risk between the spot price and on-demand, as the catalog guarantees for real data.
        BigDecimal risk = spot.add(cents(rnd, onDemand.subtract(spot).movePointRight(2).intValue()));
        offers.add(new Offer(type, "r1", "z" + rnd.nextInt(2), Market.SPOT, spot, risk));
      }
      if (rnd.nextInt(3) == 0) {
        perType.put(type.name(), rnd.nextInt(5));
      }
    }
    while (offers.size() < 3) {
      Offer first = offers.get(0);
      offers.add(new Offer(first.type(), "r1", "z9", first.market(), cents(rnd, 60), null));
    }
    Map<QuotaKey, Integer> quotas = new HashMap<>();
    if (rnd.nextInt(3) == 0) {
      quotas.put(new QuotaKey("standard", Market.SPOT), 4 + rnd.nextInt(20));
    }
    if (rnd.nextInt(3) == 0) {
      quotas.put(new QuotaKey("standard", Market.ON_DEMAND), 4 + rnd.nextInt(20));
    }
    int p = 1 + rnd.nextInt(2);
    double m = rnd.nextBoolean() ? 1.0 : 2.0;
    int slots = 1 + rnd.nextInt(8);
    Optional<Integer> minCores =
        rnd.nextInt(3) == 0 ? Optional.of(slots * p + rnd.nextInt(6)) : Optional.empty();
    Optional<Double> minRam = rnd.nextInt(4) == 0 ? Optional.of(slots * m + 1.5) : Optional.empty();
    Optional<Integer> minStorage =
        rnd.nextInt(5) == 0 ? Optional.of(50 + rnd.nextInt(100)) : Optional.empty();
    Optional<BigDecimal> maxCost =
        rnd.nextInt(3) == 0 ? Optional.of(cents(rnd, 100 * slots)) : Optional.empty();
    BigDecimal[] steps = {BigDecimal.ZERO, new BigDecimal("0.1"), new BigDecimal("0.25"),
        BigDecimal.ONE};
    Requirements req = new Requirements(p, m, slots, minCores, minRam, minStorage, maxCost,
        objective, steps[rnd.nextInt(steps.length)]);
    return new SmallCase(seed, req, offers, new Limits(perType, quotas));
  }

  /**
   * The same case as {@link #of} seen as a batch: interruption rates on its spot offers (one of
   * the advisor's bands each, or none), J jobs of H hours, and now and then a bound on the share
   * of one spot pool and a budget. Drawn from a second generator, so {@link #of}'s cases stay as
   * they were.
   */
  static SmallCase batch(long seed, Objective objective) {
    SmallCase base = of(seed, objective);
    Random rnd = new Random(seed * 7919 + 17);
    List<Offer> offers = new ArrayList<>();
    for (Offer o : base.offers()) {
      if (o.market() == Market.SPOT && rnd.nextInt(5) > 0) {
        double rate = dev.aether.core.catalog.InterruptionBands.hourlyRate(rnd.nextInt(5))
            * (1 + 40 * rnd.nextInt(3)); // some rates far above the advisor's, so they matter
        o = new Offer(o.type(), o.region(), o.zone(), o.market(), o.price(), o.riskPrice(),
            java.util.OptionalDouble.of(Math.min(rate, 0.05)));
      }
      offers.add(o);
    }
    Requirements r = base.requirements();
    int jobs = r.slots() * (1 + rnd.nextInt(4)) - rnd.nextInt(r.slots());
    double hours = new double[] {0.5, 1, 3, 12, 48}[rnd.nextInt(5)];
    BigDecimal share = rnd.nextInt(3) == 0
        ? new BigDecimal(new String[] {"0.25", "0.5", "0.75"}[rnd.nextInt(3)]) : BigDecimal.ONE;
    Requirements batch = r.withBatch(Math.max(1, jobs), Optional.of(hours), Optional.empty())
        .withMaxPoolShare(share);
    if (rnd.nextInt(3) == 0) {
      // A budget near what the batch costs at its cheapest price, above or below it.
      BigDecimal perHour = base.offers().stream().map(Offer::price).min(BigDecimal::compareTo)
          .orElseThrow().multiply(BigDecimal.valueOf(r.slots()));
      BigDecimal budget = perHour.multiply(BigDecimal.valueOf(batch.waves() * hours))
          .multiply(BigDecimal.valueOf(50 + rnd.nextInt(250), 2))
          .setScale(2, java.math.RoundingMode.HALF_UP).max(new BigDecimal("0.01"));
      batch = batch.withBatch(batch.jobs(), batch.hoursPerJob(), Optional.of(budget));
    }
    return new SmallCase(seed, batch, offers, base.limits());
  }

  /** A price between 0.01 and max/100 dollars, with up to four decimals. */
  private static BigDecimal cents(Random rnd, int max) {
    int hundredths = 1 + rnd.nextInt(Math.max(1, max));
    return BigDecimal.valueOf(hundredths * 100L + rnd.nextInt(100), 4);
  }
}
