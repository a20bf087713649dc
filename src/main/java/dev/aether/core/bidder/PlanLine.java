package dev.aether.core.bidder;

import dev.aether.core.catalog.Offer;
import java.math.BigDecimal;

/** {@code count} instances bought through one offer. */
public record PlanLine(Offer offer, int count, int slotsPerInstance) {
  public PlanLine {
    if (count <= 0) {
      throw new IllegalArgumentException("count must be > 0, got " + count);
    }
  }

  public int slots() {
    return count * slotsPerInstance;
  }

  /** Current $/hour of these instances. */
  public BigDecimal hourlyCost() {
    return offer.price().multiply(BigDecimal.valueOf(count));
  }

  /** Worst-case $/hour of these instances (their risk price). */
  public BigDecimal worstCaseHourlyCost() {
    return offer.riskPrice().multiply(BigDecimal.valueOf(count));
  }
}
