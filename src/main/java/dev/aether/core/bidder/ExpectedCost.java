package dev.aether.core.bidder;

import dev.aether.core.catalog.InterruptionBands;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The expected cost of a job when interruptions make it start over.
 *
 * <p>Model (docs/bidder.md writes it out with its assumptions): interruptions of a spot instance
 * arrive as a Poisson process of rate {@code lambda = -ln(1 - r)} per hour, r being the offer's
 * hourly interruption probability; an interrupted job loses all its work and is run again from
 * the start, on capacity at the same price; on-demand instances are not interrupted. A job of H
 * hours then takes {@code E[T] = (e^(lambda H) - 1) / lambda} hours in expectation (the classic
 * result for restart after failure), so an hour of planned work costs the offer's price times the
 * inflation {@code g = E[T] / H >= 1}. The expected $/hour of an offer is {@code price x g}:
 * the price in whole micro-dollars (half-up) times g, rounded to whole micro-dollars (half-up);
 * the expected total of a plan is {@code W x H x sum count x price x g}, W the waves.
 */
public final class ExpectedCost {
  /**
   * The hourly rate taken for a spot offer whose provider publishes none: the top band's, so
   * that a pool nobody rated is never preferred to a rated one.
   */
  public static final double UNKNOWN_SPOT_RATE = InterruptionBands.hourlyRate(4);

  private ExpectedCost() {}

  /** The hourly interruption probability the model uses for an offer (0 for on-demand). */
  public static double rateOf(Offer offer) {
    if (offer.market() == Market.ON_DEMAND) {
      return 0;
    }
    return offer.interruptionRate().orElse(UNKNOWN_SPOT_RATE);
  }

  /** g: the expected hours of running per hour of a job of {@code hours} at this hourly rate. */
  public static double inflation(double hourlyRate, double hours) {
    if (!(hourlyRate >= 0) || !(hourlyRate < 1)) {
      throw new IllegalArgumentException("hourly rate must be in [0, 1), got " + hourlyRate);
    }
    double lambdaH = -Math.log1p(-hourlyRate) * hours;
    return lambdaH == 0 ? 1.0 : Math.expm1(lambdaH) / lambdaH;
  }

  /** The offer's inflation for a job of {@code hours}. */
  public static double inflation(Offer offer, double hours) {
    return inflation(rateOf(offer), hours);
  }

  /** The offer's expected $/hour in micro-dollars: price x g, rounded half-up. */
  public static long hourlyMicros(Offer offer, double hours) {
    long price = BidModel.micros(offer.price(), RoundingMode.HALF_UP);
    double g = inflation(offer, hours);
    // g = 1 exactly on-demand and for unrated hours of 0: keep the price as it is
    return g == 1.0 ? price : Math.round(price * g);
  }

  /** The offer's expected $/hour: price x g, to the micro-dollar. */
  public static BigDecimal hourly(Offer offer, double hours) {
    return BigDecimal.valueOf(hourlyMicros(offer, hours), BidModel.MONEY_DECIMALS);
  }
}
