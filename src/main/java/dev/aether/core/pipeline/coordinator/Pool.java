package dev.aether.core.pipeline.coordinator;

import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.plan.ProvisionedInstance;
import java.util.Objects;

/**
 * Where capacity is bought: an instance type in a zone on a market. Spot capacity is interrupted
 * per pool, so after an interruption it is this pool, not the type, that is avoided for a while.
 *
 * @param type instance type name
 * @param zone zone name or id; empty when the provider chose it (then every zone of the type)
 * @param market spot or on-demand
 */
public record Pool(String type, String zone, Market market) {
  public Pool {
    Objects.requireNonNull(type, "type");
    zone = zone == null ? "" : zone;
    Objects.requireNonNull(market, "market");
  }

  public static Pool of(ProvisionedInstance i) {
    return new Pool(i.type(), i.zone().orElse(""), i.biddable() ? Market.SPOT : Market.ON_DEMAND);
  }

  /** True when {@code offer} buys from this pool (an empty zone here matches every zone). */
  public boolean covers(Offer offer) {
    return type.equals(offer.type().name()) && market == offer.market()
        && (zone.isEmpty() || zone.equals(offer.zone()));
  }

  @Override
  public String toString() {
    return type + "/" + (zone.isEmpty() ? "any zone" : zone) + "/" + market.label();
  }
}
