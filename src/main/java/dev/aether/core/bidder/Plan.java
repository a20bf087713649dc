package dev.aether.core.bidder;

import java.math.BigDecimal;
import java.util.List;

/**
 * The bidder's answer: how many instances to buy through which offers.
 *
 * @param lines one line per offer used, in a stable order
 * @param riskBound the worst-case $/hour bound the plan was optimised under (B* after rounding for
 *     the seed objective; the plan's own worst case for the cost objective)
 */
public record Plan(List<PlanLine> lines, BigDecimal riskBound) {
  public Plan {
    lines = List.copyOf(lines);
  }

  public int slots() {
    return lines.stream().mapToInt(PlanLine::slots).sum();
  }

  public int instances() {
    return lines.stream().mapToInt(PlanLine::count).sum();
  }

  public BigDecimal hourlyCost() {
    return lines.stream().map(PlanLine::hourlyCost).reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  public BigDecimal worstCaseHourlyCost() {
    return lines.stream()
        .map(PlanLine::worstCaseHourlyCost)
        .reduce(BigDecimal.ZERO, BigDecimal::add);
  }
}
