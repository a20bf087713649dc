package dev.aether.providers.aws;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryRequest;
import software.amazon.awssdk.services.ec2.model.SpotPrice;

/**
 * Reads spot prices over a look-back window for every type and zone of the client's region (EC2
 * DescribeSpotPriceHistory, all pages). No zone filter: one query covers all zones of the region.
 * See https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotPriceHistory.html
 */
final class SpotPriceHistoryReader {
  /** Plain Linux; "Linux/UNIX (Amazon VPC)" is the same price for EC2-Classic-era accounts. */
  static final String LINUX = "Linux/UNIX";

  /** The largest page the API allows: fewer round trips over weeks of history. */
  private static final int PAGE = 1000;

  /** Where one type's spot price stood in one zone. */
  record Key(String type, String zone) {}

  /**
   * @param current the latest price in the window, USD/hour
   * @param max the highest price in the window, USD/hour
   * @param at when the latest price was set
   */
  record Stats(BigDecimal current, BigDecimal max, Instant at) {
    Stats add(BigDecimal price, Instant time) {
      BigDecimal newMax = price.max(max);
      return time.isAfter(at) ? new Stats(price, newMax, time) : new Stats(current, newMax, at);
    }
  }

  private final Ec2Client ec2;
  private final Clock clock;

  SpotPriceHistoryReader(Ec2Client ec2, Clock clock) {
    this.ec2 = ec2;
    this.clock = clock;
  }

  Map<Key, Stats> read(int weeks) {
    Instant end = clock.instant();
    Instant start = end.minus(Duration.ofDays(7L * weeks));
    DescribeSpotPriceHistoryRequest request =
        DescribeSpotPriceHistoryRequest.builder()
            .productDescriptions(LINUX)
            .startTime(start)
            .endTime(end)
            .maxResults(PAGE)
            .build();
    Map<Key, Stats> stats = new HashMap<>();
    ec2.describeSpotPriceHistoryPaginator(request)
        .spotPriceHistory()
        .forEach(p -> add(stats, p));
    return stats;
  }

  private static void add(Map<Key, Stats> stats, SpotPrice p) {
    if (p.spotPrice() == null || p.timestamp() == null) {
      return;
    }
    BigDecimal price = new BigDecimal(p.spotPrice());
    Key key = new Key(p.instanceTypeAsString(), p.availabilityZone());
    stats.merge(key, new Stats(price, price, p.timestamp()), (old, x) -> old.add(price, p.timestamp()));
  }
}
