package dev.aether.core.plan;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * prov.psv: one line per instance, {@code TYPE|PROCESSORS|RAM|STORAGE|BIDDABLE|BID|ZONE}. The first
 * five columns are the seed's; readers take 5 or more columns, and the 2017 files whose fifth
 * column is a provider ({@code aws}, {@code azure}: a spot instance on that provider).
 */
public final class ProvisioningFile {
  private ProvisioningFile() {}

  /** The instances of a plan, one per instance, in the plan's order. */
  public static List<ProvisionedInstance> instancesOf(Plan plan) {
    List<ProvisionedInstance> instances = new ArrayList<>();
    for (PlanLine line : plan.lines()) {
      InstanceType t = line.offer().type();
      boolean spot = line.offer().market() == Market.SPOT;
      Optional<String> zone =
          line.offer().zone().isEmpty() ? Optional.empty() : Optional.of(line.offer().zone());
      for (int i = 0; i < line.count(); i++) {
        instances.add(new ProvisionedInstance(t.name(), t.vcpus(), t.memoryGib(), t.hasStorage(),
            spot, spot ? Optional.of(line.offer().bid()) : Optional.empty(), zone,
            Optional.empty()));
      }
    }
    return instances;
  }

  public static String format(List<ProvisionedInstance> instances) {
    StringBuilder out = new StringBuilder();
    for (ProvisionedInstance i : instances) {
      out.append(formatLine(i)).append('\n');
    }
    return out.toString();
  }

  /** One instance as one line: {@code TYPE|PROCESSORS|RAM|STORAGE|BIDDABLE|BID|ZONE}. */
  public static String formatLine(ProvisionedInstance i) {
    return i.type() + '|' + i.processors() + '|'
        + BigDecimal.valueOf(i.ramGb()).stripTrailingZeros().toPlainString() + '|'
        + i.hasStorage() + '|' + i.biddable() + '|'
        + i.bid().map(BigDecimal::toPlainString).orElse("") + '|' + i.zone().orElse("");
  }

  public static void write(List<ProvisionedInstance> instances, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, format(instances));
    } catch (IOException e) {
      throw AetherException.invalidInput(
          "-L/--provisioning-file " + file + ": cannot write (" + e.getMessage() + ")");
    }
  }

  public static List<ProvisionedInstance> read(Path file) {
    return readNumbered(file).stream().map(Numbered::instance).toList();
  }

  /** An instance and the line of the file it is on (1-based). */
  public record Numbered(int line, ProvisionedInstance instance) {}

  /**
   * The saved plan, refused (exit 2, naming the line) when an instance cannot run one job of
   * {@code processors} cores and {@code memoryGb} GB: a plan saved for other jobs, or edited by
   * hand, would start machines that only wait.
   */
  public static List<ProvisionedInstance> readFor(Path file, int processors, double memoryGb) {
    List<Numbered> numbered = readNumbered(file);
    for (Numbered n : numbered) {
      ProvisionedInstance i = n.instance();
      long slots = Math.min(i.processors() / processors,
          (long) Math.floor(i.ramGb() / memoryGb + 1e-9));
      if (slots < 1) {
        throw AetherException.invalidInput(String.format(java.util.Locale.ROOT,
            "%s: line %d: %s (%d vCPUs, %s GB) cannot run one job of %d cores and %s GB"
                + " (-P/-M): remove the line or bid again without -L",
            file, n.line(), i.type(), i.processors(), plain(i.ramGb()), processors,
            plain(memoryGb)));
      }
    }
    return numbered.stream().map(Numbered::instance).toList();
  }

  private static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  /** The instances with their line numbers; any problem is an exit-2 error naming the line. */
  public static List<Numbered> readNumbered(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw AetherException.invalidInput(
          "-L/--provisioning-file " + file + ": cannot read (" + e.getClass().getSimpleName()
              + ": " + e.getMessage() + ")");
    }
    List<Numbered> instances = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        instances.add(new Numbered(n + 1, parseLine(line)));
      } catch (IllegalArgumentException e) {
        throw AetherException.invalidInput(
            file + ": line " + (n + 1) + ": " + e.getMessage()
                + " (expected TYPE|PROCESSORS|RAM|STORAGE|BIDDABLE[|BID|ZONE])");
      }
    }
    if (instances.isEmpty()) {
      throw AetherException.invalidInput(file + ": no instances in the provisioning file");
    }
    return instances;
  }

  /**
   * The line a provider keeps in a machine's tag (so a later list can tell what a node was
   * started as and which pool it came from), read back as started by {@code provider}; empty
   * when the tag is not such a line (one edited by hand may not be).
   */
  public static java.util.Optional<ProvisionedInstance> parseTag(String line, String provider) {
    if (line == null) {
      return java.util.Optional.empty();
    }
    try {
      ProvisionedInstance p = parseLine(line);
      return java.util.Optional.of(new ProvisionedInstance(p.type(), p.processors(), p.ramGb(),
          p.hasStorage(), p.biddable(), p.bid(), p.zone(), java.util.Optional.of(provider)));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  /**
   * One line (5 or more columns, the 2017 files' {@code aws}/{@code azure} 5th column too).
   *
   * @throws IllegalArgumentException naming the column at fault
   */
  public static ProvisionedInstance parseLine(String line) {
    String[] c = line.split("\\|", -1);
    if (c.length < 5) {
      throw new IllegalArgumentException("has " + c.length + " columns, needs at least 5");
    }
    int processors;
    double ram;
    try {
      processors = Integer.parseInt(c[1].strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("PROCESSORS '" + c[1] + "' is not a whole number");
    }
    try {
      ram = Double.parseDouble(c[2].strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("RAM '" + c[2] + "' is not a number");
    }
    boolean storage = bool("STORAGE", c[3]);
    String fifth = c[4].strip().toLowerCase(Locale.ROOT);
    boolean biddable;
    Optional<String> provider = Optional.empty();
    if (fifth.equals("aws") || fifth.equals("azure")) {
      biddable = true; // the 2017 code bid for every instance as spot on that provider
      provider = Optional.of(fifth);
    } else {
      biddable = bool("BIDDABLE", c[4]);
    }
    Optional<BigDecimal> bid = Optional.empty();
    if (c.length > 5 && !c[5].isBlank()) {
      try {
        bid = Optional.of(new BigDecimal(c[5].strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("BID '" + c[5] + "' is not a number");
      }
    }
    Optional<String> zone = c.length > 6 && !c[6].isBlank() ? Optional.of(c[6].strip())
        : Optional.empty();
    return new ProvisionedInstance(c[0].strip(), processors, ram, storage, biddable, bid, zone,
        provider);
  }

  private static boolean bool(String column, String value) {
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new IllegalArgumentException(column + " '" + value + "' is not true or false");
    }
  }
}
