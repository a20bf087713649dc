package dev.aether.core.limits;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the account allows.
 *
 * @param perType at most N instances of a type, spot and on-demand together (the seed's limits); a
 *     type not listed is unlimited
 * @param vcpuQuotas at most N vCPUs running per quota class and market. A market none of whose
 *     classes is listed is unlimited; once any class of a market is listed, the classes not listed
 *     for that market count as 0 (see {@link #effectiveVcpuQuota}): quotas given for standard
 *     types only must not move the plan onto high-memory or GPU types that were never meant
 */
public record Limits(Map<String, Integer> perType, Map<QuotaKey, Integer> vcpuQuotas) {
  public static final Limits NONE = new Limits(Map.of(), Map.of());

  public Limits {
    perType = Map.copyOf(new TreeMap<>(perType));
    vcpuQuotas = Map.copyOf(vcpuQuotas);
    perType.forEach(
        (type, n) -> {
          if (n < 0) {
            throw new IllegalArgumentException("limit for " + type + " must be >= 0, got " + n);
          }
        });
    vcpuQuotas.forEach(
        (key, n) -> {
          if (n < 0) {
            throw new IllegalArgumentException(
                "vCPU quota for " + key.quotaClass() + "/" + key.market().label()
                    + " must be >= 0, got " + n);
          }
        });
  }

  public Optional<Integer> limitFor(InstanceType type) {
    return Optional.ofNullable(perType.get(type.name()));
  }

  /** The quota listed for this class and market, if any. */
  public Optional<Integer> vcpuQuota(String quotaClass, Market market) {
    return Optional.ofNullable(vcpuQuotas.get(new QuotaKey(quotaClass, market)));
  }

  /**
   * The quota the bidder applies to this class and market: the listed one; else 0 when other
   * classes are listed for the market (what the user listed is what the account has); else none,
   * when nothing is listed for the market.
   */
  public Optional<Integer> effectiveVcpuQuota(String quotaClass, Market market) {
    Optional<Integer> listed = vcpuQuota(quotaClass, market);
    if (listed.isPresent()) {
      return listed;
    }
    return hasQuotasFor(market) ? Optional.of(0) : Optional.empty();
  }

  /** True when at least one quota class is listed for this market. */
  public boolean hasQuotasFor(Market market) {
    return vcpuQuotas.keySet().stream().anyMatch(k -> k.market() == market);
  }

  /** The listed quota classes that are not in {@code known}, in order. */
  public java.util.SortedSet<String> quotaClassesNotIn(java.util.Set<String> known) {
    java.util.SortedSet<String> unknown = new java.util.TreeSet<>();
    for (QuotaKey k : vcpuQuotas.keySet()) {
      if (!known.contains(k.quotaClass())) {
        unknown.add(k.quotaClass());
      }
    }
    return unknown;
  }

  /** These limits with {@code overrides}' entries replacing ours where both name the same thing. */
  public Limits overriddenBy(Limits overrides) {
    Map<String, Integer> types = new TreeMap<>(perType);
    types.putAll(overrides.perType);
    Map<QuotaKey, Integer> quotas = new java.util.HashMap<>(vcpuQuotas);
    quotas.putAll(overrides.vcpuQuotas);
    return new Limits(types, quotas);
  }
}
