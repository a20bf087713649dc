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
      InstanceType type = new InstanceType(
          FAMILIES[rnd.nextInt(FAMILIES.length)] + ".t" + t, vcpus, mem, storage, "x86_64");
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

  /** A price between 0.01 and max/100 dollars, with up to four decimals. */
  private static BigDecimal cents(Random rnd, int max) {
    int hundredths = 1 + rnd.nextInt(Math.max(1, max));
    return BigDecimal.valueOf(hundredths * 100L + rnd.nextInt(100), 4);
  }
}
