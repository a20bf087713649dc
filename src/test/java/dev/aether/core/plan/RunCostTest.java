package dev.aether.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunCostTest {
  private static final InstanceType M5 = new InstanceType("m5.large", 2, 8, 0, "x86_64");
  private static final Catalog CATALOG = new Catalog("test", List.of(
      new Offer(M5, "us-east-1", "", Market.ON_DEMAND, new BigDecimal("0.096"), null),
      new Offer(M5, "us-east-1", "us-east-1a", Market.SPOT, new BigDecimal("0.036"),
          new BigDecimal("0.05")),
      new Offer(M5, "us-east-1", "us-east-1b", Market.SPOT, new BigDecimal("0.040"), null)));
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static RunCost.Usage use(Market market, String zone, long seconds, boolean ended,
      String bid) {
    return new RunCost.Usage("m5.large", market, Optional.ofNullable(zone), T0,
        ended ? Optional.of(T0.plusSeconds(seconds)) : Optional.empty(),
        Optional.ofNullable(bid).map(BigDecimal::new));
  }

  @Test
  void pricesEachInstanceByItsMarketAndZoneForTheTimeItRan() {
    Instant now = T0.plusSeconds(7200);
    RunCost.Estimate e = RunCost.estimate(List.of(
        use(Market.ON_DEMAND, null, 3600, true, null),      // 1 h x 0.096
        use(Market.SPOT, "us-east-1a", 0, false, "0.05"),   // running: 2 h x 0.036
        use(Market.SPOT, "us-east-1b", 1800, true, null)),  // 0.5 h x 0.040
        CATALOG, now);
    assertThat(e.dollars()).isEqualByComparingTo("0.19"); // 0.096 + 0.072 + 0.020 = 0.188, up
    assertThat(e.instances()).isEqualTo(3);
    assertThat(e.unpriced()).isZero();
  }

  @Test
  void billsAtLeastAMinute() {
    assertThat(RunCost.hours(use(Market.ON_DEMAND, null, 5, true, null), T0))
        .isEqualByComparingTo(new BigDecimal(60).divide(new BigDecimal(3600), 10,
            java.math.RoundingMode.HALF_UP));
  }

  @Test
  void spotIsNeverPricedAboveItsBidAndUnknownTypesAreCountedApart() {
    RunCost.Usage capped = use(Market.SPOT, "us-east-1b", 3600, true, "0.01");
    assertThat(RunCost.price(capped, CATALOG)).contains(new BigDecimal("0.01"));
    RunCost.Usage odd = new RunCost.Usage("z9.huge", Market.ON_DEMAND, Optional.empty(), T0,
        Optional.of(T0.plusSeconds(60)), Optional.empty());
    assertThat(RunCost.estimate(List.of(odd), CATALOG, T0).unpriced()).isEqualTo(1);
  }
}
