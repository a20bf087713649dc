package dev.aether.core.sim;

import java.util.Arrays;

/**
 * The 10th, 50th and 90th percentiles of a sample, linearly interpolated between order
 * statistics (the usual "type 7" definition, numpy's default).
 */
public record Distribution(double p10, double median, double p90) {
  public static Distribution of(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double[] v = values.clone();
    Arrays.sort(v);
    return new Distribution(quantile(v, 0.1), quantile(v, 0.5), quantile(v, 0.9));
  }

  static double quantile(double[] sorted, double q) {
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
