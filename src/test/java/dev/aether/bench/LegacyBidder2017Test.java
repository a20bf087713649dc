package dev.aether.bench;

import static org.assertj.core.api.Assertions.assertThat;

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

class LegacyBidder2017Test {
  private static final Offer TWO_SLOTS = new Offer(
      new InstanceType("c5.xlarge", 4, 8, 0, "x86_64"), "us-east-1", "z1", Market.SPOT,
      new BigDecimal("0.10"), null);

  @Test
  void dropsATypeWhoseRelaxedValueIsFractionalAndSoMissesTheSlots() {
    // Three slots from two-slot instances: the LP buys 1.5, the seed drops the type.
    LegacyBidder2017.Result r = new LegacyBidder2017().run(req(3), List.of(TWO_SLOTS),
        Limits.NONE);

    assertThat(r.feasibleLp()).isTrue();
    assertThat(r.slots()).isZero();
    assertThat(r.meetsSlots()).isFalse();
    assertThat(r.meetsAllConstraints()).isFalse();
  }

  @Test
  void keepsAnIntegralRelaxedSolution() {
    LegacyBidder2017.Result r = new LegacyBidder2017().run(req(4), List.of(TWO_SLOTS),
        Limits.NONE);

    assertThat(r.counts()).containsEntry(TWO_SLOTS, 2L);
    assertThat(r.hourlyCost()).isEqualByComparingTo("0.20");
    assertThat(r.meetsAllConstraints()).isTrue();
  }

  private static Requirements req(int slots) {
    return new Requirements(2, 4, slots, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Objective.COST, BigDecimal.ZERO);
  }
}
