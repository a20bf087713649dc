package dev.aether.cli;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.Slots;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan of a provider whose nodes are not bid for (a cluster's agent jobs, this machine):
 * what it will start, how many jobs each runs at once, and the provider's own words on how.
 */
final class FixedPlanTable {
  private final PrintStream out;

  FixedPlanTable(PrintStream out) {
    this.out = out;
  }

  void print(BidRequest r, String provider, List<ProvisionedInstance> nodes,
      List<String> described) {
    out.printf("Plan for %s of %d %s and %s GB each on the %s provider (no bidding: it runs on"
            + " the nodes below)%n",
        r.jobs() == 1 ? "1 job" : r.jobs() + " jobs", r.processors(),
        r.processors() == 1 ? "core" : "cores", plain(r.memoryGb()), provider);
    out.println();
    Map<ProvisionedInstance, Integer> counts = new LinkedHashMap<>();
    nodes.forEach(n -> counts.merge(n, 1, Integer::sum));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NODE", "WHERE", "COUNT", "CORES", "GB", "SLOTS"});
    int slots = 0;
    for (Map.Entry<ProvisionedInstance, Integer> e : counts.entrySet()) {
      ProvisionedInstance n = e.getKey();
      int each = Slots.forNode(n.processors(), n.ramGb(), r.processors(), r.memoryGb());
      slots += each * e.getValue();
      rows.add(new String[] {n.type(), n.zone().orElse("-"), e.getValue().toString(),
          Integer.toString(n.processors()), plain(n.ramGb()), Integer.toString(each)});
    }
    rows.add(new String[] {"total", "", Integer.toString(nodes.size()), "", "",
        Integer.toString(slots)});
    table(rows);
    out.println();
    described.forEach(out::println);
  }

  private void table(List<String[]> rows) {
    TextTable.lines(rows, i -> i >= 2).forEach(out::println);
  }

  private static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
