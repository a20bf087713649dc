package dev.aether.providers.aws;

import dev.aether.core.catalog.Market;
import dev.aether.core.limits.QuotaKey;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which EC2 vCPU quota counts which instance family class on which market. Quota codes where we
 * know them (they never change), else the quota's name, which follows two patterns: "Running
 * On-Demand X instances" and "All X Spot Instance Requests". The table is in docs/aws.md. See
 * https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html
 */
final class QuotaNames {
  static final Set<String> CLASSES =
      Set.of("standard", "f", "g", "inf", "p", "x", "high-memory", "dl", "trn", "hpc");

  /** Quota codes we are sure of, as listed by {@code aws service-quotas list-service-quotas}. */
  static final Map<String, QuotaKey> CODES =
      Map.of(
          "L-1216C47A", new QuotaKey("standard", Market.ON_DEMAND),
          "L-34B43A08", new QuotaKey("standard", Market.SPOT),
          "L-DB2E81BA", new QuotaKey("g", Market.ON_DEMAND),
          "L-3819A6DF", new QuotaKey("g", Market.SPOT),
          "L-417A185B", new QuotaKey("p", Market.ON_DEMAND),
          "L-74FC7D96", new QuotaKey("f", Market.ON_DEMAND),
          "L-7295265B", new QuotaKey("x", Market.ON_DEMAND),
          "L-43DA4232", new QuotaKey("high-memory", Market.ON_DEMAND),
          "L-1945791B", new QuotaKey("inf", Market.ON_DEMAND));

  private static final Pattern ON_DEMAND =
      Pattern.compile("^Running On-Demand (.+) instances$", Pattern.CASE_INSENSITIVE);
  private static final Pattern SPOT =
      Pattern.compile("^All (.+) Spot Instance Requests$", Pattern.CASE_INSENSITIVE);

  private QuotaNames() {}

  /** True when the quota code is one we know, so it wins over a name-derived one. */
  static boolean known(String code) {
    return code != null && CODES.containsKey(code);
  }

  /** The bucket a quota counts, or empty for quotas that are not vCPU quotas we plan against. */
  static Optional<QuotaKey> keyOf(String code, String name) {
    if (known(code)) {
      return Optional.of(CODES.get(code));
    }
    if (name == null) {
      return Optional.empty();
    }
    Matcher od = ON_DEMAND.matcher(name.trim());
    if (od.matches()) {
      return quotaClass(od.group(1)).map(c -> new QuotaKey(c, Market.ON_DEMAND));
    }
    Matcher spot = SPOT.matcher(name.trim());
    if (spot.matches()) {
      return quotaClass(spot.group(1)).map(c -> new QuotaKey(c, Market.SPOT));
    }
    return Optional.empty();
  }

  /**
   * "Standard (A, C, ...)" -> standard, "G and VT" -> g, "P4, P3 and P2" -> p, "High Memory" ->
   * high-memory (the U types, a quota of their own: L-43DA4232, see {@link AwsTaxonomy}).
   */
  static Optional<String> quotaClass(String descriptor) {
    String first = descriptor.trim().split("[\\s,(]+")[0].toLowerCase(Locale.ROOT);
    if (first.equals("high")) {
      return Optional.of("high-memory");
    }
    String letters = first.replaceAll("[^a-z]", "");
    return CLASSES.contains(letters) ? Optional.of(letters) : Optional.empty();
  }
}
