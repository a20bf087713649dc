package dev.aether.core.plan;

import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a run's instances have cost so far: each instance's hourly price times the time from its
 * launch to its end (or now), billed per second with a 60-second minimum as EC2 bills Linux
 * instances (https://aws.amazon.com/ec2/pricing/on-demand/). Prices come from the catalog (the
 * offer of the instance's type, zone and market; another zone's when that one is missing); with no
 * price there, a spot instance is priced at its bid, which is the most it can cost. Pure: no I/O.
 */
public final class RunCost {
  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
  private static final Duration MINIMUM = Duration.ofSeconds(60);

  private RunCost() {}

  /**
   * One instance's life.
   *
   * @param type instance type
   * @param market spot or on-demand
   * @param zone where it ran, when known
   * @param launched when it was launched
   * @param ended when it was terminated; empty while it runs
   * @param bid its spot bid, when known (the most it can cost per hour)
   */
  public record Usage(String type, Market market, Optional<String> zone, Instant launched,
      Optional<Instant> ended, Optional<BigDecimal> bid) {
    public Usage {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(market, "market");
      Objects.requireNonNull(launched, "launched");
    }
  }

  /**
   * @param dollars the total so far, USD, to the cent (rounded up)
   * @param instances how many instances were counted
   * @param unpriced instances left out because neither the catalog nor a bid gives their price
   */
  public record Estimate(BigDecimal dollars, int instances, int unpriced) {}

  public static Estimate estimate(List<Usage> usages, Catalog catalog, Instant now) {
    BigDecimal total = BigDecimal.ZERO;
    int counted = 0;
    int unpriced = 0;
    for (Usage u : usages) {
      Optional<BigDecimal> price = price(u, catalog);
      if (price.isEmpty()) {
        unpriced++;
        continue;
      }
      total = total.add(price.get().multiply(hours(u, now)));
      counted++;
    }
    return new Estimate(total.setScale(2, RoundingMode.CEILING), counted, unpriced);
  }

  static BigDecimal hours(Usage u, Instant now) {
    Duration ran = Duration.between(u.launched(), u.ended().orElse(now));
    if (ran.isNegative()) {
      ran = Duration.ZERO;
    }
    if (ran.compareTo(MINIMUM) < 0) {
      ran = MINIMUM;
    }
    return BigDecimal.valueOf(ran.toSeconds()).divide(SECONDS_PER_HOUR, 10, RoundingMode.HALF_UP);
  }

  static Optional<BigDecimal> price(Usage u, Catalog catalog) {
    List<Offer> same = catalog.offers().stream()
        .filter(o -> o.type().name().equals(u.type()) && o.market() == u.market())
        .toList();
    Optional<BigDecimal> inZone = same.stream()
        .filter(o -> u.zone().isPresent() && o.zone().equals(u.zone().get()))
        .map(Offer::price).findFirst();
    Optional<BigDecimal> anyZone = same.stream().map(Offer::price)
        .max(Comparator.naturalOrder());
    Optional<BigDecimal> price = inZone.or(() -> anyZone);
    if (u.market() == Market.SPOT && u.bid().isPresent()) {
      // never more than the bid: AWS does not charge above it
      return Optional.of(price.map(p -> p.min(u.bid().get())).orElse(u.bid().get()));
    }
    return price;
  }
}
