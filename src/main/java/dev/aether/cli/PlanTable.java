package dev.aether.cli;

import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Market;
import dev.aether.core.limits.Limits;
import dev.aether.core.plan.PlanReport;
import dev.aether.core.plan.SavedPlan;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

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
    r.concurrencyAsked().ifPresent(asked -> out.printf(
        "--concurrency %d is more than the %d jobs: planning %d at once.%n", asked, r.jobs(),
        r.jobs()));
    if (outcome.slotsCapped()) {
      out.printf("The account limits allow %d jobs at once; the other jobs queue.%n",
          plan.slots());
    }
    out.println();
    PlanReport report = PlanReport.of(plan, req, outcome.allOnDemand(), r.limits());
    printReport(r, report, true);
  }

  /** A saved plan (-L), priced from the catalog like a fresh one. */
  void printSaved(BidRequest r, SavedPlan saved) {
    Requirements req = r.baseRequirements();
    out.printf("Saved plan for %s of %d %s and %s GB each, %d at once, priced from the %s%n",
        r.jobs() == 1 ? "1 job" : r.jobs() + " jobs", r.processors(),
        r.processors() == 1 ? "core" : "cores", plain(BigDecimal.valueOf(r.memoryGb())),
        saved.plan().slots(), r.catalog().source());
    if (!saved.unpriced().isEmpty()) {
      out.printf("No price in the catalog for %s: left out of the costs below.%n",
          String.join(", ", saved.unpriced()));
    }
    out.println();
    printReport(r, PlanReport.of(saved.plan(), req.withSlots(Math.max(1, saved.plan().slots())),
        Optional.empty(), r.limits()), false);
  }

  private void printReport(BidRequest r, PlanReport report, boolean comparesOnDemand) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"TYPE", "ZONE", "MARKET", "COUNT", "SLOTS", "$/H EACH", "$/H TOTAL",
        "BID", "POOL SHARE", "BAND"});
    for (PlanReport.Line l : report.lines()) {
      PlanLine line = l.line();
      boolean spot = line.offer().market() == Market.SPOT;
      rows.add(new String[] {
        line.offer().type().name(),
        line.offer().zone().isEmpty() ? "(any)" : line.offer().zone(),
        line.offer().market().label(),
        String.valueOf(line.count()),
        String.valueOf(line.slots()),
        money(line.offer().price()) + (l.estimated() ? "*" : ""),
        money(line.hourlyCost()) + (l.estimated() ? "*" : ""),
        spot ? money(line.offer().bid()) : "-",
        l.poolShare().map(PlanTable::percent).orElse("-"),
        l.band().orElse("-")
      });
    }
    rows.add(new String[] {"total", "", "", String.valueOf(report.instances()),
        String.valueOf(report.slots()), "", money(report.hourly()), "", "", ""});
    table(rows);
    if (report.hasEstimates()) {
      out.println("* estimated: the Spot Instance Advisor's typical saving off on-demand, not an"
          + " observed price");
    }
    out.println();
    out.printf("Now:        $%s/hour%n", money(report.hourly()));
    out.printf("Worst case: $%s/hour (every spot instance charged its bid)%n",
        money(report.worstCaseHourly()));
    report.batch().ifPresentOrElse(b -> {
      out.printf("Expected:   $%s/hour with interrupted jobs re-run (BAND: the pool's"
          + " interruptions a month, Spot Advisor)%n", money(report.expectedHourly()));
      out.printf(
          "Batch:      expected $%s for %d jobs of %s h: %d %s of %d at once, about %s hours%n",
          b.expectedTotal().toPlainString(), b.jobs(),
          plain(BigDecimal.valueOf(b.hoursPerJob())), b.waves(),
          b.waves() == 1 ? "wave" : "waves", report.slots(), hours(b.expectedHours()));
    }, () -> out.println("Batch:      give --hours (per job) for the batch's expected total and"
        + " end"));
    if (report.onDemand().isEmpty() && comparesOnDemand) {
      out.printf("On-demand:  the limits allow no all-on-demand plan for %d slots to compare"
          + " with%n", report.slots());
    }
    report.onDemand().ifPresent(od -> {
      if (od.total().isPresent()) {
        out.printf("On-demand:  $%s for the batch ($%s/hour, %d slots, %s hours); this plan saves"
                + " %s%%%n", od.total().get().toPlainString(), money(od.plan().hourlyCost()),
            od.plan().slots(), hours(od.hours().getAsDouble()), savingPercent(od.saving()));
      } else {
        out.printf("On-demand:  $%s/hour for the same %d slots; this plan saves %s%%%n",
            money(od.plan().hourlyCost()), od.plan().slots(), savingPercent(od.saving()));
      }
    });
    printLimits(r, report);
  }

  private void printLimits(BidRequest r, PlanReport report) {
    if (r.limitsSource().isEmpty() && r.limits().vcpuQuotas().isEmpty()) {
      out.println("Limits:     none given (no instances.json): every type is unlimited.");
      return;
    }
    Limits limits = r.limits();
    List<String> zeroed = new ArrayList<>();
    for (Market m : Market.values()) {
      if (limits.hasQuotasFor(m)) {
        zeroed.add(m.label());
      }
    }
    out.printf("Limits:     from %s (%d types, %d vCPU quotas%s)%s%n",
        r.limitsSource().map(Object::toString).orElse("the account"),
        limits.perType().size(), limits.vcpuQuotas().size(),
        zeroed.isEmpty() ? "" : "; quota classes not listed count as 0 on "
            + String.join(" and ", zeroed),
        report.unlimitedTypes().isEmpty() ? ""
            : "; no limit or quota bounds " + String.join(", ", report.unlimitedTypes()));
  }

  private void table(List<String[]> rows) {
    TextTable.lines(rows, i -> i >= 3 && i <= 8).forEach(out::println);
  }

  static String money(BigDecimal dollars) {
    return dollars.setScale(4, RoundingMode.HALF_UP).toPlainString();
  }

  private static String percent(BigDecimal fraction) {
    return fraction.movePointRight(2).setScale(1, RoundingMode.HALF_UP).toPlainString() + "%";
  }

  private static String savingPercent(BigDecimal fraction) {
    return fraction.movePointRight(2).setScale(1, RoundingMode.HALF_UP).toPlainString();
  }

  private static String hours(double h) {
    return String.format(Locale.ROOT, h >= 100 ? "%.0f" : "%.1f", h);
  }

  private static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }
}
