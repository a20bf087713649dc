package dev.aether.core.catalog;

import java.util.List;

/**
 * How a provider's interruption band becomes the catalog's {@code interruption_rate}, the
 * probability that a spot instance is interrupted in a given hour of running, and back.
 *
 * <p>AWS's Spot Instance Advisor and Azure's eviction rates publish bands of "the rate at which
 * capacity was reclaimed during the trailing month": {@code <5%}, {@code 5-10%}, {@code 10-15%},
 * {@code 15-20%} and {@code >20%} (bands 0 to 4). We read a band as the probability p that an
 * instance running for a month of 720 hours is interrupted, take the band's middle (2.5%, 7.5%,
 * 12.5%, 17.5%; 25% for the open top band, a guess as the advisor gives no upper edge), and
 * assume interruptions come at a constant rate, independent of how long the instance has run. The
 * hourly probability r then satisfies {@code (1 - r)^720 = 1 - p}:
 * {@code r = 1 - (1 - p)^(1/720)}. Provider code (and {@code tools/make-embedded-catalog.py})
 * writes r into the catalog; the report turns it back into its band. See docs/bidder.md.
 */
public final class InterruptionBands {
  /** Hours in the advisor's trailing month. */
  public static final int HOURS_PER_MONTH = 720;

  /** The bands' labels, as the advisor shows them. */
  public static final List<String> LABELS = List.of("<5%", "5-10%", "10-15%", "15-20%", ">20%");

  /** The monthly probability taken for each band. */
  private static final double[] MONTHLY = {0.025, 0.075, 0.125, 0.175, 0.25};

  /** Band edges of the monthly probability: band b holds [EDGES[b-1], EDGES[b]). */
  private static final double[] EDGES = {0.05, 0.10, 0.15, 0.20};

  private InterruptionBands() {}

  /** The hourly interruption probability for a band 0..4. */
  public static double hourlyRate(int band) {
    if (band < 0 || band >= MONTHLY.length) {
      throw new IllegalArgumentException("interruption band must be 0 to 4, got " + band);
    }
    return hourlyRateOfMonthly(MONTHLY[band]);
  }

  /** The hourly probability that gives this probability of interruption over 720 hours. */
  public static double hourlyRateOfMonthly(double monthly) {
    if (!(monthly >= 0) || !(monthly < 1)) {
      throw new IllegalArgumentException("monthly probability must be in [0, 1), got " + monthly);
    }
    // -expm1(log1p(-p) / 720) is 1 - (1 - p)^(1/720) without cancellation for small p
    return -Math.expm1(Math.log1p(-monthly) / HOURS_PER_MONTH);
  }

  /** The probability of at least one interruption in 720 hours at this hourly rate. */
  public static double monthlyOf(double hourlyRate) {
    return -Math.expm1(HOURS_PER_MONTH * Math.log1p(-hourlyRate));
  }

  /** The band 0..4 an hourly rate falls in (the band whose rate it is, for the rates above). */
  public static int bandOf(double hourlyRate) {
    double monthly = monthlyOf(hourlyRate);
    int band = 0;
    while (band < EDGES.length && monthly >= EDGES[band]) {
      band++;
    }
    return band;
  }

  /** The label of the band an hourly rate falls in, e.g. {@code 15-20%}. */
  public static String labelOf(double hourlyRate) {
    return LABELS.get(bandOf(hourlyRate));
  }
}
