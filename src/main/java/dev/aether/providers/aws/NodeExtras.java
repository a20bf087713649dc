package dev.aether.providers.aws;

import dev.aether.core.plan.RunCost;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What every node costs besides its instance price, us-east-1 list prices (USD):
 * <ul>
 *   <li>its root disk: the Amazon Linux 2023 image's {@value #ROOT_GB} GB gp3 volume at
 *       $0.08 per GB-month (https://aws.amazon.com/ebs/pricing/), a month being 730 hours;
 *   <li>its public IPv4 address, which a node in a default subnet needs to reach S3 and the
 *       package mirrors: $0.005 per hour (https://aws.amazon.com/vpc/pricing/).
 * </ul>
 * Both are billed per second for as long as the instance lives, with the instance's 60-second
 * minimum applied here too (an overestimate of a few hundredths of a cent).
 *
 * @param disks root disks, USD, rounded up to the cent
 * @param addresses public IPv4 addresses, USD, rounded up to the cent
 */
record NodeExtras(BigDecimal disks, BigDecimal addresses) {
  static final int ROOT_GB = 8;
  static final BigDecimal GP3_PER_GB_MONTH = new BigDecimal("0.08");
  static final BigDecimal IPV4_PER_HOUR = new BigDecimal("0.005");
  private static final BigDecimal HOURS_PER_MONTH = BigDecimal.valueOf(730);

  static NodeExtras of(List<RunCost.Usage> usage, Instant now) {
    BigDecimal hours = BigDecimal.ZERO;
    for (RunCost.Usage u : usage) {
      Duration ran = Duration.between(u.launched(), u.ended().orElse(now));
      long seconds = Math.max(60, ran.toSeconds());
      hours = hours.add(BigDecimal.valueOf(seconds).divide(BigDecimal.valueOf(3600), 10,
          RoundingMode.HALF_UP));
    }
    BigDecimal disk = GP3_PER_GB_MONTH.multiply(BigDecimal.valueOf(ROOT_GB))
        .divide(HOURS_PER_MONTH, 10, RoundingMode.HALF_UP).multiply(hours);
    return new NodeExtras(disk.setScale(2, RoundingMode.CEILING),
        IPV4_PER_HOUR.multiply(hours).setScale(2, RoundingMode.CEILING));
  }
}
