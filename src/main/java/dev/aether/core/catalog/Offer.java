package dev.aether.core.catalog;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One way to buy one instance type: in a region and zone, on a market, at a price.
 *
 * @param type the machine shape
 * @param region e.g. {@code us-east-1}
 * @param zone zone name or id; empty when the provider picks the zone
 * @param market spot or on-demand
 * @param price current price, USD per hour
 * @param riskPrice worst price we expect to pay, USD per hour: for spot the historical maximum spot
 *     price over the look-back window (capped at on-demand), or the on-demand price when no history
 *     is known (AWS's default maximum bid); for on-demand the price itself
 * @param interruptionRate spot only: the probability that an instance of this offer is interrupted
 *     in a given hour, when the provider publishes it (see {@link InterruptionBands}); always empty
 *     for on-demand offers, which are not interrupted
 * @param priceEstimated the price is an estimate, not an observed market price (the Spot Instance
 *     Advisor's on-demand x (1 - typical saving) in the embedded snapshot), so reports say so
 */
public record Offer(
    InstanceType type, String region, String zone, Market market, BigDecimal price,
    BigDecimal riskPrice, OptionalDouble interruptionRate, boolean priceEstimated) {

  public Offer {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(market, "market");
    region = region == null ? "" : region;
    zone = zone == null ? "" : zone;
    if (price == null || price.signum() < 0) {
      throw new IllegalArgumentException(type.name() + ": price must be >= 0, got " + price);
    }
    if (riskPrice == null || riskPrice.compareTo(price) < 0) {
      riskPrice = price;
    }
    interruptionRate = interruptionRate == null ? OptionalDouble.empty() : interruptionRate;
    if (interruptionRate.isPresent()) {
      double r = interruptionRate.getAsDouble();
      if (market == Market.ON_DEMAND) {
        throw new IllegalArgumentException(type.name() + ": an on-demand offer has no"
            + " interruption rate");
      }
      if (!(r >= 0) || !(r < 1)) {
        throw new IllegalArgumentException(type.name() + ": interruption_rate must be a"
            + " probability per hour in [0, 1), got " + r);
      }
    }
  }

  /** An offer at an observed price whose interruption rate is not known. */
  public Offer(InstanceType type, String region, String zone, Market market, BigDecimal price,
      BigDecimal riskPrice) {
    this(type, region, zone, market, price, riskPrice, OptionalDouble.empty(), false);
  }

  /** An offer at an observed price. */
  public Offer(InstanceType type, String region, String zone, Market market, BigDecimal price,
      BigDecimal riskPrice, OptionalDouble interruptionRate) {
    this(type, region, zone, market, price, riskPrice, interruptionRate, false);
  }

  /** The bid for a spot offer: its risk price. Unused for on-demand. */
  public BigDecimal bid() {
    return riskPrice;
  }

  /** A stable, readable key used to order offers and break ties, e.g. {@code c5.large/use1-az1/spot}. */
  public String key() {
    return type.name() + "/" + (zone.isEmpty() ? region : zone) + "/" + market.label();
  }

  /**
   * {@code a.key().compareTo(b.key())}, without building the keys: catalogs of thousands of
   * offers are ordered and checked for order often.
   */
  public static int compareKeys(Offer a, Offer b) {
    String[] pa = {a.type.name(), "/", a.zone.isEmpty() ? a.region : a.zone, "/",
        a.market.label()};
    String[] pb = {b.type.name(), "/", b.zone.isEmpty() ? b.region : b.zone, "/",
        b.market.label()};
    int ia = 0;
    int ib = 0;
    int ca = 0;
    int cb = 0;
    while (true) {
      while (ia < pa.length && ca == pa[ia].length()) {
        ia++;
        ca = 0;
      }
      while (ib < pb.length && cb == pb[ib].length()) {
        ib++;
        cb = 0;
      }
      if (ia == pa.length || ib == pb.length) {
        return (ia == pa.length ? 0 : 1) - (ib == pb.length ? 0 : 1);
      }
      char x = pa[ia].charAt(ca++);
      char y = pb[ib].charAt(cb++);
      if (x != y) {
        return x - y;
      }
    }
  }

  /**
   * The spot capacity pool this offer draws on: its type in its zone (in its region when the
   * provider picks the zone), e.g. {@code c5.large/use1-az1}.
   */
  public String pool() {
    return type.name() + "/" + (zone.isEmpty() ? region : zone);
  }
}
