package dev.aether.providers.azure;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@link ProvisionedInstance} as its prov.psv line ({@code TYPE|PROCESSORS|RAM|STORAGE|BIDDABLE|
 * BID|ZONE}, written by {@link ProvisioningFile}) in a VM tag, so a later list can tell what a
 * node was started as and which pool it came from. Azure tag values hold 256 characters.
 */
final class VmLine {
  private VmLine() {}

  static String format(ProvisionedInstance i) {
    return ProvisioningFile.format(List.of(i)).strip();
  }

  static Optional<ProvisionedInstance> parse(String line) {
    if (line == null) {
      return Optional.empty();
    }
    String[] f = line.split("\\|", -1);
    if (f.length < 5) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ProvisionedInstance(f[0], Integer.parseInt(f[1]),
          Double.parseDouble(f[2]), Boolean.parseBoolean(f[3].toLowerCase(Locale.ROOT)),
          Boolean.parseBoolean(f[4].toLowerCase(Locale.ROOT)),
          f.length > 5 && !f[5].isEmpty() ? Optional.of(new BigDecimal(f[5])) : Optional.empty(),
          f.length > 6 && !f[6].isEmpty() ? Optional.of(f[6]) : Optional.empty(),
          Optional.of(AzureProvider.NAME)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
