package dev.aether.cli;

import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Market;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Prints a plan as the dry run shows it: a table, its cost, the all-on-demand comparison. */
final class PlanTable {
  private final PrintStream out;

  PlanTable(PrintStream out) {
    this.out = out;
  }

  void print(BidOutcome outcome) {
    BidRequest r = outcome.request();
    Requirements req = r.baseRequirements();
    Plan plan = outcome.plan();
    out.printf("Plan for %s of %d %s and %s GB each, %d at once, in %s (%s, %s), objective %s%n",
        r.jobs() == 1 ? "1 job" : r.jobs() + " jobs", r.processors(),
        r.processors() == 1 ? "core" : "cores", plain(BigDecimal.valueOf(r.memoryGb())),
        plan.slots(), r.region(), r.catalog().source(), r.arch(),
        req.objective().name().toLowerCase(java.util.Locale.ROOT));
    if (outcome.slotsCapped()) {
      out.printf("The account limits allow %d jobs at once; the other jobs queue.%n",
          plan.slots());
    }
    out.println();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"TYPE", "ZONE", "MARKET", "COUNT", "SLOTS", "$/H EACH", "$/H TOTAL",
        "BID"});
    for (PlanLine line : plan.lines()) {
      boolean spot = line.offer().market() == Market.SPOT;
      rows.add(new String[] {
        line.offer().type().name(),
        line.offer().zone().isEmpty() ? "(any)" : line.offer().zone(),
        line.offer().market().label(),
        String.valueOf(line.count()),
        String.valueOf(line.slots()),
        money(line.offer().price()),
        money(line.hourlyCost()),
        spot ? money(line.offer().bid()) : "-"
      });
    }
    rows.add(new String[] {"total", "", "", String.valueOf(plan.instances()),
        String.valueOf(plan.slots()), "", money(plan.hourlyCost()), ""});
    table(rows);
    out.println();
    out.printf("Now:        $%s/hour%n", money(plan.hourlyCost()));
    out.printf("Worst case: $%s/hour (every spot instance charged its bid)%n",
        money(plan.worstCaseHourlyCost()));
    outcome.allOnDemand().ifPresent(od -> {
      BigDecimal saving = od.hourlyCost().signum() == 0 ? BigDecimal.ZERO
          : BigDecimal.ONE.subtract(plan.hourlyCost().divide(od.hourlyCost(), 6,
              RoundingMode.HALF_UP)).movePointRight(2).setScale(1, RoundingMode.HALF_UP);
      out.printf("On-demand:  $%s/hour for the same %d slots; this plan saves %s%%%n",
          money(od.hourlyCost()), od.slots(), saving.toPlainString());
    });
    printLimits(r, plan);
  }

  private void printLimits(BidRequest r, Plan plan) {
    if (r.limitsSource().isEmpty()) {
      out.println("Limits:     none given (no instances.json): every type is unlimited.");
      return;
    }
    TreeSet<String> unlimited = new TreeSet<>();
    for (PlanLine line : plan.lines()) {
      if (r.limits().limitFor(line.offer().type()).isEmpty()) {
        unlimited.add(line.offer().type().name());
      }
    }
    out.printf("Limits:     from %s (%d types, %d vCPU quotas)%s%n", r.limitsSource().get(),
        r.limits().perType().size(), r.limits().vcpuQuotas().size(),
        unlimited.isEmpty() ? "" : "; no limit set for " + String.join(", ", unlimited)
            + " (unlimited)");
  }

  private void table(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        boolean number = i >= 3;
        String cell = number ? " ".repeat(width[i] - row[i].length()) + row[i]
            : row[i] + " ".repeat(width[i] - row[i].length());
        line.append(i == 0 ? "" : "  ").append(cell);
      }
      out.println(line.toString().stripTrailing());
    }
  }

  static String money(BigDecimal dollars) {
    return dollars.setScale(4, RoundingMode.HALF_UP).toPlainString();
  }

  private static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }
}
