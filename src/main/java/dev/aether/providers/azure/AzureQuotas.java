package dev.aether.providers.azure;

import com.azure.resourcemanager.compute.fluent.models.UsageInner;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import dev.aether.core.spi.Provider;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The subscription's vCPU quotas in a region, from the Compute usage API
 * ({@code GET .../providers/Microsoft.Compute/locations/{region}/usages}: limit and current value
 * per quota, see https://learn.microsoft.com/rest/api/compute/usage/list), as what is left
 * (limit - current) in the bidder's terms.
 *
 * <p>Azure counts pay-as-you-go vCPUs twice, per VM family ({@code standardDSv5Family}) and for
 * the region ({@code cores}); Spot vCPUs once, for the region across families
 * ({@code lowPriorityCores}). The bidder knows one bound per (quota class, market), so each
 * class the catalog's types fall in gets the tightest bound Azure's quotas imply for it:
 * pay-as-you-go, the smaller of the regional vCPUs and the sum of its families' vCPUs; Spot,
 * the regional Spot vCPUs. While the core catalog puts every Azure size in one class this is
 * exact for the regional quotas; once it carries the families (the snapshot's
 * {@code quota_class}), it is exact per family and the cross-family regional totals are left to
 * Azure to enforce (a refusal names the quota, see {@link ArmErrors}).
 */
final class AzureQuotas implements Provider.QuotaSource {
  static final String REGIONAL = "cores";
  static final String REGIONAL_SPOT = "lowPriorityCores";

  private final Arm arm;
  private final String region;
  private final List<InstanceType> types;
  private final Map<String, AzureCatalogs.Facts> facts;

  /** @param offers the offers whose types' quota classes to bound (the region's catalog) */
  AzureQuotas(Arm arm, String region, List<Offer> offers) {
    this.arm = arm;
    this.region = region;
    this.types = offers.stream().map(Offer::type).distinct().toList();
    this.facts = AzureCatalogs.facts();
  }

  @Override
  public Limits read() {
    Map<String, Integer> left = new HashMap<>();
    try {
      for (UsageInner u : arm.compute().getUsages().list(region)) {
        if (u.name() != null && u.name().value() != null) {
          left.put(key(u.name().value()), (int) Math.max(0, Math.min(Integer.MAX_VALUE,
              u.limit() - u.currentValue())));
        }
      }
    } catch (RuntimeException e) {
      throw ArmErrors.translate("reading the vCPU quotas of subscription " + arm.subscription()
          + " in " + region, e);
    }
    return limits(left, types, facts);
  }

  /** The limits for these types, from what is left of each quota (keys as {@link #key}). */
  static Limits limits(Map<String, Integer> left, List<InstanceType> types,
      Map<String, AzureCatalogs.Facts> facts) {
    Map<String, Set<String>> familiesByClass = new TreeMap<>();
    for (InstanceType t : types) {
      String family = Optional.ofNullable(facts.get(t.name())).map(AzureCatalogs.Facts::quotaFamily)
          .orElse("");
      familiesByClass.computeIfAbsent(t.quotaClass(), c -> new TreeSet<>()).add(key(family));
    }
    Optional<Integer> regional = Optional.ofNullable(left.get(key(REGIONAL)));
    Optional<Integer> spot = Optional.ofNullable(left.get(key(REGIONAL_SPOT)));
    Map<QuotaKey, Integer> quotas = new HashMap<>();
    familiesByClass.forEach((quotaClass, families) -> {
      // a family the usage API does not list is not bounded by it
      Optional<Integer> perFamily = families.stream().allMatch(left::containsKey)
          ? Optional.of(families.stream().mapToInt(left::get).sum()) : Optional.empty();
      Optional<Integer> payg = min(regional, perFamily);
      payg.ifPresent(q -> quotas.put(new QuotaKey(quotaClass, Market.ON_DEMAND), q));
      spot.ifPresent(q -> quotas.put(new QuotaKey(quotaClass, Market.SPOT), q));
    });
    return new Limits(Map.of(), quotas);
  }

  /** Azure spells quota names inconsistently ({@code standardDSv5Family}, "Standard NCASv3_T4
   * Family"): compare them ignoring case and spaces. */
  static String key(String name) {
    return name.replace(" ", "").toLowerCase(Locale.ROOT);
  }

  private static Optional<Integer> min(Optional<Integer> a, Optional<Integer> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isEmpty() ? a : Optional.of(Math.min(a.get(), b.get()));
  }
}
