package dev.aether.core.plan;

import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A saved plan (prov.psv) priced from a catalog, so that it can be shown and costed like a fresh
 * one. Each instance is matched to the catalog's offer of its type, market and zone (any zone of
 * the type and market when its own is missing, the dearest, as {@link RunCost} prices usage);
 * instances with no such offer are listed as unpriced.
 *
 * @param plan the priced instances as plan lines, in file order of their first instance
 * @param unpriced the types of instances the catalog has no price for
 */
public record SavedPlan(Plan plan, List<String> unpriced) {
  public SavedPlan {
    unpriced = List.copyOf(unpriced);
  }

  public static SavedPlan of(List<ProvisionedInstance> instances, Catalog catalog,
      Requirements req) {
    Map<Offer, Integer> counts = new LinkedHashMap<>();
    TreeSet<String> unpriced = new TreeSet<>();
    for (ProvisionedInstance i : instances) {
      Market market = i.biddable() ? Market.SPOT : Market.ON_DEMAND;
      List<Offer> same = catalog.offers().stream()
          .filter(o -> o.type().name().equals(i.type()) && o.market() == market)
          .toList();
      Optional<Offer> offer = same.stream()
          .filter(o -> i.zone().isPresent() && o.zone().equals(i.zone().get()))
          .findFirst()
          .or(() -> same.stream().max(java.util.Comparator.comparing(Offer::price)));
      if (offer.isEmpty()) {
        unpriced.add(i.type());
      } else {
        counts.merge(offer.get(), 1, Integer::sum);
      }
    }
    List<PlanLine> lines = new ArrayList<>();
    counts.forEach((o, n) -> lines.add(new PlanLine(o, n,
        Math.max(1, req.slotsOn(o.type().vcpus(), o.type().memoryGib())))));
    Plan plan = new Plan(lines, BigDecimal.ZERO);
    return new SavedPlan(new Plan(lines, plan.worstCaseHourlyCost()), new ArrayList<>(unpriced));
  }
}
