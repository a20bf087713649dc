package dev.aether.providers.aws;

import dev.aether.core.plan.ProvisionedInstance;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@link ProvisionedInstance} as one prov.psv line ({@code TYPE|PROCESSORS|RAM|STORAGE|BIDDABLE|BID|ZONE}),
 * kept in an instance tag so a later run can list the project's nodes with what they were started
 * as. Small on purpose: tags hold 256 characters.
 */
final class InstanceLine {
  private InstanceLine() {}

  static String format(ProvisionedInstance i) {
    return String.join("|",
        i.type(),
        Integer.toString(i.processors()),
        BigDecimal.valueOf(i.ramGb()).stripTrailingZeros().toPlainString(),
        Boolean.toString(i.hasStorage()),
        Boolean.toString(i.biddable()),
        i.bid().map(BigDecimal::toPlainString).orElse(""),
        i.zone().orElse(""));
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
      return Optional.of(new ProvisionedInstance(
          f[0],
          Integer.parseInt(f[1]),
          Double.parseDouble(f[2]),
          Boolean.parseBoolean(f[3].toLowerCase(Locale.ROOT)),
          Boolean.parseBoolean(f[4].toLowerCase(Locale.ROOT)),
          f.length > 5 && !f[5].isEmpty() ? Optional.of(new BigDecimal(f[5])) : Optional.empty(),
          f.length > 6 && !f[6].isEmpty() ? Optional.of(f[6]) : Optional.empty(),
          Optional.of("aws")));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
