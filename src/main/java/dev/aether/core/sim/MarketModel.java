package dev.aether.core.sim;

import java.time.Duration;

/**
 * The simulated spot market (docs/simulate.md writes each parameter out with its default and
 * the public figure behind it).
 *
 * <p>Each spot instance is interrupted as a Poisson process of rate {@code lambda = -ln(1 - r)}
 * per hour, r its offer's hourly interruption probability from the catalog (the Spot Instance
 * Advisor band, see {@link dev.aether.core.catalog.InterruptionBands}; an unrated pool takes the
 * top band, as {@link dev.aether.core.bidder.ExpectedCost} does), times {@code rateScale}.
 * On-demand instances are never interrupted. Optionally each spot pool in use is also reclaimed
 * as a whole now and then: a Poisson process of {@code reclaimsPerPoolMonth} per pool per
 * 720-hour month, each reclaim interrupting every running instance of the pool with probability
 * {@code reclaimShare}. Prices are the catalog's, constant.
 *
 * @param startupDelay how long a replacement takes from being asked for to taking jobs (billed
 *     from the ask); the first fleet is taken as ready at time 0
 * @param rateScale multiplies every spot interruption rate (1 = the catalog's)
 * @param reclaimsPerPoolMonth correlated reclaims per spot pool per 720 hours (0 = none)
 * @param reclaimShare the probability each instance of a reclaimed pool is interrupted
 */
public record MarketModel(Duration startupDelay, double rateScale, double reclaimsPerPoolMonth,
    double reclaimShare) {

  /** Default start-up delay: request to a running agent, see docs/simulate.md. */
  public static final Duration DEFAULT_STARTUP = Duration.ofMinutes(5);

  public static final MarketModel DEFAULT = new MarketModel(DEFAULT_STARTUP, 1.0, 0, 0.5);

  public MarketModel {
    if (startupDelay == null || startupDelay.isNegative()) {
      throw new IllegalArgumentException("start-up delay must be >= 0, got " + startupDelay);
    }
    if (!(rateScale >= 0) || Double.isInfinite(rateScale)) {
      throw new IllegalArgumentException("rate scale must be >= 0, got " + rateScale);
    }
    if (!(reclaimsPerPoolMonth >= 0) || Double.isInfinite(reclaimsPerPoolMonth)) {
      throw new IllegalArgumentException("reclaims per pool-month must be >= 0, got "
          + reclaimsPerPoolMonth);
    }
    if (!(reclaimShare >= 0) || reclaimShare > 1) {
      throw new IllegalArgumentException("reclaim share must be in [0, 1], got " + reclaimShare);
    }
  }

  /** The start-up delay in hours. */
  double startupHours() {
    return startupDelay.toMillis() / 3_600_000.0;
  }
}
