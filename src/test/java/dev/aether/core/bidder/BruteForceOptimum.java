package dev.aether.core.bidder;

import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * {@link BruteForce}'s optimum for tests outside this package (a provider's prices against the
 * bidder): the least hourly cost, empty when nothing is feasible.
 */
public final class BruteForceOptimum {
  private BruteForceOptimum() {}

  public static Optional<BigDecimal> cost(Requirements requirements, List<Offer> offers,
      Limits limits) {
    return new BruteForce(requirements, offers, limits).optimum().map(BruteForce.Optimum::cost);
  }
}
