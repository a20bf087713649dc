package dev.aether.bench;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded synthetic catalog for the benchmark: {@code types} instance types, each offered in
 * {@code zones} zones on both markets, with prices shaped like AWS's (about $0.04 per vCPU-hour
 * on-demand, more for memory-heavy types; spot 25-70% of on-demand; risk between the two), and
 * limits: every tenth type capped, vCPU quotas on the standard class.
 */
public record SyntheticCatalog(List<Offer> offers, Limits limits) {
  private static final int[] VCPUS = {2, 4, 8, 16, 32, 48, 64, 96};
  private static final String[] FAMILIES = {"c", "m", "r", "i", "z", "g", "p", "x"};

  public static SyntheticCatalog of(long seed, int types, int zones) {
    Random rnd = new Random(seed);
    List<Offer> offers = new ArrayList<>();
    Map<String, Integer> perType = new TreeMap<>();
    for (int t = 0; t < types; t++) {
      int vcpus = VCPUS[rnd.nextInt(VCPUS.length)];
      int ratio = 1 << (1 + rnd.nextInt(3));
      String name = FAMILIES[rnd.nextInt(FAMILIES.length)] + (t / FAMILIES.length) + ".s" + t;
      int storage = rnd.nextInt(4) == 0 ? vcpus * 25 : 0;
      InstanceType type = new InstanceType(name, vcpus, vcpus * ratio, storage, "x86_64");
      double base = vcpus * 0.034 * (1 + 0.15 * ratio) * (0.85 + 0.3 * rnd.nextDouble());
      for (int z = 0; z < zones; z++) {
        String zone = "syn1-az" + (z + 1);
        BigDecimal onDemand = money(base);
        double spot = base * (0.25 + 0.45 * rnd.nextDouble());
        double risk = spot + (base - spot) * rnd.nextDouble();
        offers.add(new Offer(type, "syn-1", zone, Market.ON_DEMAND, onDemand, null));
        offers.add(new Offer(type, "syn-1", zone, Market.SPOT, money(spot), money(risk)));
      }
      if (t % 10 == 0) {
        perType.put(name, rnd.nextInt(21));
      }
    }
    Limits limits = new Limits(perType, Map.of(
        new QuotaKey("standard", Market.SPOT), 4000,
        new QuotaKey("standard", Market.ON_DEMAND), 2000));
    return new SyntheticCatalog(offers, limits);
  }

  private static BigDecimal money(double dollars) {
    return BigDecimal.valueOf(dollars).setScale(4, RoundingMode.HALF_UP);
  }
}
