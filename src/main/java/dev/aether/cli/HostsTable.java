package dev.aether.cli;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.Slots;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan when the machines are the user's own (their SSH hosts): what each one offers, as read
 * from it, and the jobs it runs at once; nothing is bought, so there is no price.
 */
final class HostsTable {
  private final PrintStream out;

  HostsTable(PrintStream out) {
    this.out = out;
  }

  void print(BidRequest r, String provider, List<ProvisionedInstance> hosts) {
    out.printf("Machines for %s of %d %s and %s GB each (--provider %s); nothing to buy, so the"
        + " bidder is skipped.%n%n", r.jobs() == 1 ? "1 job" : r.jobs() + " jobs",
        r.processors(), r.processors() == 1 ? "core" : "cores", plain(r.memoryGb()), provider);
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"HOST", "CORES", "MEMORY GB", "SLOTS"});
    int cores = 0;
    double memory = 0;
    int slots = 0;
    for (ProvisionedInstance h : hosts) {
      int s = Slots.forNode(h.processors(), h.ramGb(), r.processors(), r.memoryGb());
      rows.add(new String[] {h.type(), String.valueOf(h.processors()), plain(h.ramGb()),
          String.valueOf(s)});
      cores += h.processors();
      memory += h.ramGb();
      slots += s;
    }
    rows.add(new String[] {"total", String.valueOf(cores), plain(memory), String.valueOf(slots)});
    for (String[] row : rows) {
      out.println(row(rows, row));
    }
    out.println();
    out.println("A host with slots=N in the hosts file offers only N jobs' worth. Cost: nothing"
        + " billed by Aether (your own machines).");
  }

  private static String row(List<String[]> rows, String[] row) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < row.length; i++) {
      int width = 0;
      for (String[] r : rows) {
        width = Math.max(width, r[i].length());
      }
      String pad = " ".repeat(width - row[i].length());
      line.append(i == 0 ? "" : "  ").append(i == 0 ? row[i] + pad : pad + row[i]);
    }
    return line.toString().stripTrailing();
  }

  private static String plain(double value) {
    return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros()
        .toPlainString();
  }
}
