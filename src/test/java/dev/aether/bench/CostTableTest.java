package dev.aether.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The arithmetic behind bench/cost: waves, hours, dollars, saving, the single-type row. */
class CostTableTest {
  private static final BigDecimal THREE = new BigDecimal("3");

  @Test
  void wavesRoundUp() {
    assertEquals(99, CostTable.waves(1572, 16)); // 98.25 -> 99
    assertEquals(25, CostTable.waves(1572, 64)); // 24.56 -> 25
    assertEquals(1, CostTable.waves(1572, 1572));
    assertEquals(1, CostTable.waves(1572, 5000));
    assertEquals(1572, CostTable.waves(1572, 1));
    assertThrows(IllegalArgumentException.class, () -> CostTable.waves(1572, 0));
  }

  @Test
  void hoursAreWavesTimesHoursPerSample() {
    assertEquals(0, new BigDecimal("297").compareTo(
        CostTable.hoursToFinish(1572, 16, THREE).orElseThrow()));
    assertEquals(0, new BigDecimal("62.5").compareTo(
        CostTable.hoursToFinish(1572, 64, new BigDecimal("2.5")).orElseThrow()));
    assertEquals(Optional.empty(), CostTable.hoursToFinish(1572, 0, THREE));
  }

  @Test
  void totalAndSaving() {
    BigDecimal onDemand = CostTable.total(new BigDecimal("11.008"), new BigDecimal("297"));
    assertEquals(0, new BigDecimal("3269.376").compareTo(onDemand));
    BigDecimal spot = CostTable.total(new BigDecimal("2.519"), new BigDecimal("297"));
    // 1 - 748.143 / 3269.376 = 0.77117...
    assertEquals(new BigDecimal("77.1"), CostTable.savingPercent(spot, onDemand));
    assertEquals(new BigDecimal("0.0"), CostTable.savingPercent(onDemand, onDemand));
    assertEquals(new BigDecimal("90.0"),
        CostTable.savingPercent(BigDecimal.ONE, BigDecimal.TEN));
    assertEquals(new BigDecimal("-100.0"),
        CostTable.savingPercent(new BigDecimal("20"), BigDecimal.TEN));
    assertThrows(IllegalArgumentException.class,
        () -> CostTable.savingPercent(BigDecimal.ONE, BigDecimal.ZERO));
  }

  @Test
  void singleSpotTypeIsTheCheapestWholeFleetThatFitsTheQuota() {
    InstanceType big = new InstanceType("m9.48xlarge", 192, 768, 0, "x86_64");
    InstanceType mid = new InstanceType("m9.16xlarge", 64, 256, 0, "x86_64");
    InstanceType small = new InstanceType("m9.4xlarge", 16, 64, 0, "x86_64");
    List<Offer> offers = List.of(
        spot(big, "az1", "1.20"),   // 12 slots: $0.10 per slot, but 2 x 192 vCPUs > 256
        spot(mid, "az2", "0.80"),   // 4 slots: 4 x $0.80 = $3.20 for 16 slots
        spot(small, "az3", "0.21"), // 1 slot: 16 x $0.21 = $3.36
        new Offer(mid, "r", "", Market.ON_DEMAND, new BigDecimal("0.10"), null));
    Requirements req = new Requirements(16, 64, 16, Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Objective.COST, BigDecimal.ONE);

    CostTable.Row row = CostTable.cheapestSingleSpot(req, offers, CostTable.standardQuota(256))
        .orElseThrow();
    assertEquals("4 x m9.16xlarge spot az2", row.plan());
    assertEquals(16, row.slots());
    assertEquals(0, new BigDecimal("3.20").compareTo(row.perHour()));
    assertEquals(0, new BigDecimal("12").compareTo(row.worstPerHour())); // 4 x on-demand 3.00

    // Without a quota the big type wins: 2 x $1.20 for 24 slots.
    CostTable.Row free = CostTable.cheapestSingleSpot(req, offers, Limits.NONE).orElseThrow();
    assertEquals("2 x m9.48xlarge spot az1", free.plan());
    assertEquals(24, free.slots());

    assertTrue(CostTable.cheapestSingleSpot(req, offers, CostTable.standardQuota(15)).isEmpty());
  }

  private static Offer spot(InstanceType t, String zone, String price) {
    BigDecimal onDemand = BigDecimal.valueOf(t.vcpus()).multiply(new BigDecimal("0.046875"));
    return new Offer(t, "r", zone, Market.SPOT, new BigDecimal(price), onDemand);
  }
}
