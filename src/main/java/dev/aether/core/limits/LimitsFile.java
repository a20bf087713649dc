package dev.aether.core.limits;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aether.core.AetherException;
import dev.aether.core.catalog.Market;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes {@code instances.json}, the account limits file (successor of the seed's
 * {@code instances.p}):
 *
 * <pre>
 * {
 *   "limits":     { "c5.large": 20, "m5.xlarge": 5 },          // instances per type, spot + on-demand
 *   "vcpuQuotas": { "on-demand": { "standard": 64 },           // vCPUs per quota class and market
 *                   "spot":      { "standard": 128, "g": 8 } }
 * }
 * </pre>
 *
 * Both sections are optional. A type without a limit is unlimited; a market without quotas is
 * unlimited, and once a market lists quotas its unlisted classes count as 0 ({@link
 * Limits#effectiveVcpuQuota}). Quota classes are the catalog's ({@link
 * dev.aether.core.catalog.InstanceType#quotaClass()}, compared exactly): {@link
 * #checkQuotaClasses} refuses a class the catalog does not know, such as {@code "Standard"}.
 */
public final class LimitsFile {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private LimitsFile() {}

  public static Limits read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw bad(file, "cannot read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
    return parse(text, file);
  }

  /** Limits from the file's text; {@code file} names it in messages. */
  public static Limits parse(String text, Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw bad(file, "not valid JSON (line " + e.getLocation().getLineNr() + ": "
          + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw bad(file, "expected a JSON object with \"limits\" and/or \"vcpuQuotas\"");
    }
    for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!key.equals("limits") && !key.equals("vcpuQuotas")) {
        throw bad(file, "unknown key \"" + key + "\" (expected \"limits\" and/or \"vcpuQuotas\")");
      }
    }
    Map<String, Integer> perType = new TreeMap<>();
    JsonNode limits = root.path("limits");
    if (!limits.isMissingNode()) {
      requireObject(file, limits, "limits");
      limits.fields().forEachRemaining(
          e -> perType.put(e.getKey(), count(file, "limits." + e.getKey(), e.getValue())));
    }
    Map<QuotaKey, Integer> quotas = new HashMap<>();
    JsonNode vcpu = root.path("vcpuQuotas");
    if (!vcpu.isMissingNode()) {
      requireObject(file, vcpu, "vcpuQuotas");
      vcpu.fields().forEachRemaining(market -> {
        Market m = market(file, market.getKey());
        String where = "vcpuQuotas." + market.getKey();
        requireObject(file, market.getValue(), where);
        market.getValue().fields().forEachRemaining(q -> quotas.put(
            new QuotaKey(q.getKey(), m), count(file, where + "." + q.getKey(), q.getValue())));
      });
    }
    return new Limits(perType, quotas);
  }

  /**
   * Refuses quota classes that no type of the catalog has: a misspelt class (such as {@code
   * "Standard"} for {@code "standard"}) would otherwise bound nothing while every class the user
   * meant counts as 0.
   *
   * @param known the quota classes of the catalog, before any filter (the whole provider's list)
   * @param file names the limits file in the message
   */
  public static void checkQuotaClasses(Limits limits, java.util.Set<String> known, Path file) {
    java.util.SortedSet<String> unknown = limits.quotaClassesNotIn(known);
    if (unknown.isEmpty()) {
      return;
    }
    String first = unknown.first();
    String hint = known.stream().filter(k -> k.equalsIgnoreCase(first)).findFirst()
        .map(k -> "; did you mean \"" + k + "\"?").orElse("");
    throw bad(file, "vcpuQuotas: unknown quota class " + unknown.stream()
        .map(c -> "\"" + c + "\"").collect(java.util.stream.Collectors.joining(", "))
        + " (the catalog's classes: " + String.join(", ", new java.util.TreeSet<>(known)) + ")"
        + hint);
  }

  public static void write(Limits limits, Path file) {
    try {
      Files.writeString(file, format(limits));
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "cannot write limits file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The limits as the file holds them. */
  public static String format(Limits limits) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode types = root.putObject("limits");
    new TreeMap<>(limits.perType()).forEach(types::put);
    if (!limits.vcpuQuotas().isEmpty()) {
      ObjectNode quotas = root.putObject("vcpuQuotas");
      limits.vcpuQuotas().entrySet().stream()
          .sorted(Map.Entry.comparingByKey(
              java.util.Comparator.comparing((QuotaKey k) -> k.market())
                  .thenComparing(QuotaKey::quotaClass)))
          .forEach(e -> {
            String market = e.getKey().market().label();
            ObjectNode m = quotas.has(market) ? (ObjectNode) quotas.get(market)
                : quotas.putObject(market);
            m.put(e.getKey().quotaClass(), e.getValue());
          });
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("limits cannot be written as JSON", e);
    }
  }

  private static Market market(Path file, String label) {
    for (Market m : Market.values()) {
      if (m.label().equals(label)) {
        return m;
      }
    }
    throw bad(file, "vcpuQuotas: unknown market \"" + label + "\" (expected \"on-demand\" or \"spot\")");
  }

  private static void requireObject(Path file, JsonNode node, String where) {
    if (!node.isObject()) {
      throw bad(file, where + ": expected an object");
    }
  }

  private static int count(Path file, String where, JsonNode value) {
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 0) {
      throw bad(file, where + ": expected a whole number >= 0, got " + value);
    }
    return value.intValue();
  }

  private static AetherException bad(Path file, String why) {
    return AetherException.invalidInput("--limits " + file + ": " + why);
  }
}
