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
 * @param vcpuQuotas at most N vCPUs running per quota class and market; a bucket not listed is
 *     unlimited
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

  public Optional<Integer> vcpuQuota(String quotaClass, Market market) {
    return Optional.ofNullable(vcpuQuotas.get(new QuotaKey(quotaClass, market)));
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
