package dev.aether.providers.azure;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import java.util.Optional;

/**
 * A {@link ProvisionedInstance} as its prov.psv line (the one codec, {@link ProvisioningFile}) in a
 * VM tag, so a later list can tell what a node was started as and which pool it came from. Azure
 * tag values hold 256 characters.
 */
final class VmLine {
  private VmLine() {}

  static String format(ProvisionedInstance i) {
    return ProvisioningFile.formatLine(i);
  }

  /** The line of a tag, when it is one (a tag edited by hand may not be). */
  static Optional<ProvisionedInstance> parse(String line) {
    if (line == null) {
      return Optional.empty();
    }
    try {
      ProvisionedInstance p = ProvisioningFile.parseLine(line);
      return Optional.of(new ProvisionedInstance(p.type(), p.processors(), p.ramGb(),
          p.hasStorage(), p.biddable(), p.bid(), p.zone(), Optional.of(AzureProvider.NAME)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
