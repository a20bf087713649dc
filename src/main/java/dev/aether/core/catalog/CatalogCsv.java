package dev.aether.core.catalog;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.aether.core.AetherException;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Reads a price catalog CSV (the {@code --catalog} format, also the embedded snapshot's).
 *
 * <p>A header row names the columns; order does not matter. Required: {@code instance_type,
 * vcpus, memory_gib, region, on_demand_price}. Optional: {@code zone, arch, storage_gb,
 * spot_price, spot_max_price, interruption_rate, burstable, accelerated, previous_generation,
 * quota_class}. Units: vCPUs (count), GiB, GB, USD per hour, probability per hour. Each row gives
 * an on-demand offer, and a spot offer when {@code spot_price} is not empty; the spot offer's risk
 * price is {@code spot_max_price}, or the on-demand price when that is empty, capped at on-demand.
 * The provider's facts about a type ({@code burstable, accelerated, previous_generation}: {@code
 * true}/{@code false}, empty = false; {@code quota_class}: empty = {@code standard}) are taken as
 * given: nothing is derived from type names. {@code spot_price_estimated} (true/false) marks a
 * spot price that is an estimate rather than an observed price. See docs/catalog.md.
 */
public final class CatalogCsv {
  static final List<String> REQUIRED =
      List.of("instance_type", "vcpus", "memory_gib", "region", "on_demand_price");
  static final Set<String> OPTIONAL =
      Set.of("zone", "arch", "storage_gb", "spot_price", "spot_max_price", "interruption_rate",
          "burstable", "accelerated", "previous_generation", "quota_class",
          "spot_price_estimated");
  /** The columns {@link #write} writes, in this order. */
  static final String HEADER = "instance_type,vcpus,memory_gib,arch,storage_gb,region,zone,"
      + "on_demand_price,spot_price,spot_max_price,interruption_rate,burstable,accelerated,"
      + "previous_generation,quota_class,spot_price_estimated";

  private static final CsvFactory FACTORY = CsvFactory.builder()
      .enable(CsvParser.Feature.TRIM_SPACES)
      .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
      .build();

  private static final java.util.regex.Pattern QUOTA_CLASS =
      java.util.regex.Pattern.compile("[A-Za-z0-9_.-]+");

  private CatalogCsv() {}

  /** Reads a catalog file; any problem is an exit-2 error naming the file, line and column. */
  public static Catalog read(Path file) {
    try (Reader in = Files.newBufferedReader(file)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw AetherException.invalidInput(
          "--catalog " + file + ": cannot read (" + e.getClass().getSimpleName() + ": "
              + e.getMessage() + ")");
    }
  }

  /**
   * Reads catalog rows from {@code in}; {@code name} is used in messages and as the source.
   * Jackson's streaming CSV parser, not its data binding: binding costs most of a second to start,
   * more than a whole dry run may take.
   */
  public static Catalog read(Reader in, String name) throws IOException {
    List<Offer> offers = new ArrayList<>();
    try (CsvParser parser = FACTORY.createParser(in)) {
      parser.setSchema(CsvSchema.emptySchema().withHeader());
      boolean headerChecked = false;
      Map<String, String> row = new HashMap<>();
      while (true) {
        JsonToken token;
        try {
          token = parser.nextToken();
          if (token == JsonToken.FIELD_NAME) {
            String column = parser.currentName();
            parser.nextToken();
            row.put(column, parser.getText());
            continue;
          }
        } catch (IOException | RuntimeException e) {
          throw AetherException.invalidInput(
              name + ": line " + parser.currentLocation().getLineNr() + ": not valid CSV ("
                  + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
        }
        if (token == null) {
          break;
        }
        if (token == JsonToken.START_OBJECT) {
          row.clear();
        } else if (token == JsonToken.END_OBJECT) {
          if (!headerChecked) {
            checkHeader(name, row.keySet());
            headerChecked = true;
          }
          // The row's last token (its END_OBJECT) stands on the row's own line.
          int line = parser.currentTokenLocation().getLineNr();
          offers.addAll(new RowReader(name, line, new HashMap<>(row)).offers());
        }
      }
    }
    if (offers.isEmpty()) {
      throw AetherException.invalidInput(name + ": no instance types in the catalog");
    }
    return new Catalog(name, offers);
  }

  /**
   * Reads a catalog that this program wrote itself and that has no quoted field (the embedded
   * snapshot; a test checks it has none), by splitting lines at commas: a dry run must start in
   * well under a second, and Jackson's parser costs a good part of that to load. Rows are checked
   * as strictly as {@link #read(Reader, String)} checks them.
   */
  static Catalog readPlain(java.io.BufferedReader in, String name) throws IOException {
    String header = in.readLine();
    if (header == null) {
      throw AetherException.invalidInput(name + ": no instance types in the catalog");
    }
    String[] columns = header.split(",", -1);
    for (int i = 0; i < columns.length; i++) {
      columns[i] = columns[i].strip();
    }
    checkHeader(name, Set.of(columns));
    List<Offer> offers = new ArrayList<>();
    String line;
    for (int n = 2; (line = in.readLine()) != null; n++) {
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (cells.length > columns.length || line.indexOf('"') >= 0) {
        throw AetherException.invalidInput(name + ": line " + n + ": not a plain CSV row");
      }
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < cells.length; i++) {
        row.put(columns[i], cells[i].strip());
      }
      offers.addAll(new RowReader(name, n, row).offers());
    }
    if (offers.isEmpty()) {
      throw AetherException.invalidInput(name + ": no instance types in the catalog");
    }
    return new Catalog(name, offers);
  }

  /**
   * Writes a catalog in this format, one row per type, region and zone; reading it back gives the
   * same offers. Used to hand the prices a plan was made with to the coordinator node.
   */
  public static String write(Catalog catalog) {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    Map<String, Offer[]> rows = new java.util.TreeMap<>();
    for (Offer o : catalog.offers()) {
      Offer[] row = rows.computeIfAbsent(
          o.type().name() + "," + o.region() + "," + o.zone(), k -> new Offer[2]);
      row[o.market() == Market.ON_DEMAND ? 0 : 1] = o;
    }
    for (Offer[] row : rows.values()) {
      Offer any = row[0] != null ? row[0] : row[1];
      if (row[0] == null) {
        throw new IllegalArgumentException(any.key() + ": a spot offer without an on-demand"
            + " price cannot be written in the catalog format");
      }
      InstanceType t = any.type();
      Offer spot = row[1];
      out.append(t.name()).append(',').append(t.vcpus()).append(',')
          .append(plain(t.memoryGib())).append(',').append(t.arch()).append(',')
          .append(plain(t.storageGb())).append(',')
          .append(any.region()).append(',').append(any.zone()).append(',')
          .append(row[0].price().toPlainString()).append(',')
          .append(spot == null ? "" : spot.price().toPlainString()).append(',')
          .append(spot == null ? "" : spot.riskPrice().toPlainString()).append(',')
          .append(spot == null || spot.interruptionRate().isEmpty() ? ""
              : plain(spot.interruptionRate().getAsDouble())).append(',')
          .append(t.burstable()).append(',').append(t.accelerated()).append(',')
          .append(t.previousGeneration()).append(',').append(t.quotaClass()).append(',')
          .append(spot != null && spot.priceEstimated()).append('\n');
    }
    return out.toString();
  }

  /** A double as the shortest decimal that reads back as the same double, without exponent. */
  private static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static void checkHeader(String name, Set<String> columns) {
    for (String required : REQUIRED) {
      if (!columns.contains(required)) {
        throw AetherException.invalidInput(
            name + ": line 1: missing column '" + required + "' (required: "
                + String.join(", ", REQUIRED) + ")");
      }
    }
  }

  /** Turns one row into offers, naming the line and column of any bad value. */
  private record RowReader(String name, int line, Map<String, String> row) {
    List<Offer> offers() {
      InstanceType type;
      String quotaClass = text("quota_class", false);
      if (!quotaClass.isEmpty() && !QUOTA_CLASS.matcher(quotaClass).matches()) {
        throw bad("quota_class", "'" + quotaClass + "' is not a class name (letters, digits,"
            + " '-', '_' and '.')");
      }
      try {
        type = new InstanceType(
            text("instance_type", true), integer("vcpus", true), decimal("memory_gib", true)
                .doubleValue(), storage(), text("arch", false), bool("burstable"),
            bool("accelerated"), bool("previous_generation"), quotaClass);
      } catch (IllegalArgumentException e) {
        throw bad("instance_type", e.getMessage());
      }
      String region = text("region", true);
      String zone = text("zone", false);
      BigDecimal onDemand = decimal("on_demand_price", true);
      List<Offer> offers = new ArrayList<>();
      offers.add(new Offer(type, region, zone, Market.ON_DEMAND, onDemand, onDemand));
      BigDecimal spot = decimal("spot_price", false);
      // The rate describes the spot offer; on a row without one it has nothing to describe.
      BigDecimal rate = decimal("interruption_rate", false);
      if (rate != null && rate.compareTo(BigDecimal.ONE) >= 0) {
        throw bad("interruption_rate", "'" + row.get("interruption_rate") + "' is not a"
            + " probability per hour below 1");
      }
      if (spot != null) {
        BigDecimal max = decimal("spot_max_price", false);
        BigDecimal risk = max == null ? onDemand : max.min(onDemand);
        offers.add(new Offer(type, region, zone, Market.SPOT, spot, risk,
            rate == null ? OptionalDouble.empty() : OptionalDouble.of(rate.doubleValue()),
            bool("spot_price_estimated")));
      }
      return offers;
    }

    private double storage() {
      BigDecimal gb = decimal("storage_gb", false);
      return gb == null ? 0 : gb.doubleValue();
    }

    private boolean bool(String column) {
      String value = text(column, false);
      if (value.isEmpty() || value.equalsIgnoreCase("false")) {
        return false;
      }
      if (value.equalsIgnoreCase("true")) {
        return true;
      }
      throw bad(column, "'" + value + "' is not true or false");
    }

    private String text(String column, boolean required) {
      String value = row.get(column);
      if (value == null || value.isEmpty()) {
        if (required) {
          throw bad(column, "empty");
        }
        return "";
      }
      return value;
    }

    private int integer(String column, boolean required) {
      BigDecimal value = decimal(column, required);
      if (value.stripTrailingZeros().scale() > 0) {
        throw bad(column, "'" + row.get(column) + "' is not a whole number");
      }
      return value.intValueExact();
    }

    private BigDecimal decimal(String column, boolean required) {
      String value = text(column, required);
      if (value.isEmpty()) {
        return null;
      }
      try {
        BigDecimal number = new BigDecimal(value);
        if (number.signum() < 0) {
          throw bad(column, "'" + value + "' is negative");
        }
        return number;
      } catch (NumberFormatException e) {
        throw bad(column, "'" + value + "' is not a number");
      }
    }

    private AetherException bad(String column, String why) {
      return AetherException.invalidInput(name + ": line " + line + ", column " + column + ": " + why);
    }
  }
}
