package dev.aether.providers.aws;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import java.util.Optional;

/**
 * A {@link ProvisionedInstance} as one prov.psv line (the one codec, {@link ProvisioningFile}),
 * kept in an instance tag so a later run can list the project's nodes with what they were started
 * as. Small on purpose: tags hold 256 characters.
 */
final class InstanceLine {
  private InstanceLine() {}

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
          p.hasStorage(), p.biddable(), p.bid(), p.zone(), Optional.of("aws")));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
