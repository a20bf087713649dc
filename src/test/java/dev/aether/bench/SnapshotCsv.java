package dev.aether.bench;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny reader of the catalog CSV for the benchmark only (the CLI's reader is being written
 * elsewhere). Columns: instance_type,vcpus,memory_gib,arch,storage_gb,region,zone,
 * on_demand_price,spot_price,spot_max_price. Each row gives an on-demand offer and, when
 * spot_price is set, a spot offer whose risk price is spot_max_price or else on-demand.
 */
final class SnapshotCsv {
  private SnapshotCsv() {}

  static List<Offer> read(Path csv, String region) throws IOException {
    List<Offer> offers = new ArrayList<>();
    List<String> lines = Files.readAllLines(csv);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      if (f.length < 10 || !f[5].equals(region)) {
        continue;
      }
      InstanceType t = new InstanceType(f[0], Integer.parseInt(f[1]), Double.parseDouble(f[2]),
          Integer.parseInt(f[4]), f[3]);
      BigDecimal onDemand = new BigDecimal(f[7]);
      offers.add(new Offer(t, f[5], f[6], Market.ON_DEMAND, onDemand, onDemand));
      if (!f[8].isEmpty()) {
        BigDecimal risk = f[9].isEmpty() ? onDemand : new BigDecimal(f[9]);
        offers.add(new Offer(t, f[5], f[6], Market.SPOT, new BigDecimal(f[8]), risk));
      }
    }
    return offers;
  }
}
