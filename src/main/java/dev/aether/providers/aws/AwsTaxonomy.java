package dev.aether.providers.aws;

import dev.aether.core.catalog.InstanceType;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What AWS's instance type names say about a type, for the facts EC2's DescribeInstanceTypes does
 * not give: the vCPU quota class, and the burstable {@code -flex} and previous-generation families
 * when the API's own flags are missing. The same rules build the embedded snapshot
 * ({@code tools/make-embedded-catalog.py}); {@code AwsTaxonomyTest} checks the two agree on every
 * type of the snapshot.
 *
 * <p>Quota classes follow EC2's vCPU quotas
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html): the leading
 * letters of the family, before its first digit or hyphen, decide. {@code standard} (A, C, D, H,
 * I, M, R, T, Z, including Im and Is), {@code dl}, {@code f}, {@code g} (G, Gr, VT), {@code
 * high-memory} (U: {@code u-6tb1}, {@code u7i-12tb}; quota "Running On-Demand High Memory
 * instances"), {@code hpc}, {@code inf}, {@code p} ({@code p6-b200} too), {@code trn}, {@code x}.
 * Letters AWS has not used yet give a class of their own name: a market with quotas then counts
 * them as 0 rather than as standard.
 */
final class AwsTaxonomy {
  private static final Pattern LETTERS = Pattern.compile("^([a-z]+)");

  private static final Map<String, String> CLASS_OF_LETTERS = Map.ofEntries(
      Map.entry("a", "standard"), Map.entry("c", "standard"), Map.entry("d", "standard"),
      Map.entry("h", "standard"), Map.entry("i", "standard"), Map.entry("im", "standard"),
      Map.entry("is", "standard"), Map.entry("m", "standard"), Map.entry("r", "standard"),
      Map.entry("t", "standard"), Map.entry("z", "standard"),
      Map.entry("dl", "dl"), Map.entry("f", "f"), Map.entry("g", "g"), Map.entry("gr", "g"),
      Map.entry("vt", "g"), Map.entry("u", "high-memory"), Map.entry("hpc", "hpc"),
      Map.entry("inf", "inf"), Map.entry("p", "p"), Map.entry("trn", "trn"), Map.entry("x", "x"),
      Map.entry("mac", "mac"));

  /** The classes of accelerated computing: GPU, FPGA, Inferentia, Trainium, Gaudi. */
  static final Set<String> ACCELERATED_CLASSES = Set.of("dl", "f", "g", "inf", "p", "trn");

  /** AWS's previous-generation families (https://docs.aws.amazon.com/ec2/latest/instancetypes/pg.html). */
  static final Set<String> PREVIOUS_GENERATION = Set.of(
      "m1", "m2", "m3", "m4", "t1", "c1", "c3", "c4", "cc2", "cr1", "r3", "r4", "x1", "x1e",
      "d2", "hs1", "i2", "g2", "g3", "g3s", "p2");

  private AwsTaxonomy() {}

  /** The family, e.g. {@code p6-b200} for {@code p6-b200.48xlarge}. */
  static String family(String typeName) {
    String name = typeName.toLowerCase(Locale.ROOT);
    int dot = name.indexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }

  /** The vCPU quota class of a type name, as above. */
  static String quotaClass(String typeName) {
    Matcher m = LETTERS.matcher(family(typeName));
    String letters = m.find() ? m.group(1) : family(typeName);
    return CLASS_OF_LETTERS.getOrDefault(letters, letters);
  }

  /** Burstable by name: the T families and the {@code -flex} ones (m7i-flex, c7i-flex). */
  static boolean burstableByName(String typeName) {
    String family = family(typeName);
    return family.matches("t\\d+[a-z]*") || family.endsWith("-flex");
  }

  static boolean acceleratedByName(String typeName) {
    return ACCELERATED_CLASSES.contains(quotaClass(typeName));
  }

  static boolean previousGenerationByName(String typeName) {
    return PREVIOUS_GENERATION.contains(family(typeName));
  }

  /** A shape with every fact taken from its name. */
  static InstanceType byName(InstanceType shape) {
    String name = shape.name();
    return shape.withFacts(burstableByName(name), acceleratedByName(name),
        previousGenerationByName(name), quotaClass(name));
  }
}
