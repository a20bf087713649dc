package dev.aether.providers.azure;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Offer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Azure price snapshot shipped inside Aether: Linux pay-as-you-go and Spot prices of 800-odd VM
 * sizes in 9 US regions (centralus, eastus, eastus2, northcentralus, southcentralus,
 * westcentralus, westus, westus2, westus3), built by {@code tools/make-azure-catalog.py} from
 * {@code ../shared/catalog/azure-vms.csv}. Used for dry runs and {@code --offline}, and as the
 * list of VM sizes (vCPUs, memory, architecture) that live prices are joined with: the Retail
 * Prices API has no sizes, and the live list (Resource SKUs API) needs a login.
 *
 * <p>No zones (Azure picks one) and no price history: a Spot offer's risk price is the
 * pay-as-you-go price, which is also what a Spot VM with max price -1 pays at most. Besides the
 * catalog columns the file has {@code burstable, accelerated, previous_generation, quota_class,
 * interruption_rate} (the last one empty for now).
 */
final class AzureCatalogs {
  static final String RESOURCE = "azure-catalog.csv";
  static final String SOURCE = "embedded Azure price snapshot";

  private AzureCatalogs() {}

  /** Read once per process: the snapshot does not change while Aether runs. */
  private static volatile Catalog embedded;
  private static volatile Map<String, Facts> facts;

  /** Every offer of the snapshot, all regions. */
  static Catalog embedded() {
    if (embedded == null) {
      embedded = EmbeddedCatalog.fromResource(AzureCatalogs.class, RESOURCE, SOURCE);
    }
    return embedded;
  }

  /**
   * What the snapshot says of a size beyond its shape (columns {@code burstable, accelerated,
   * previous_generation, quota_class}), read here so the Azure provider can use them whatever
   * the core catalog makes of them.
   *
   * @param quotaFamily the vCPU quota family as the Compute usage API names it, e.g.
   *     {@code standardDSv5Family}
   */
  record Facts(boolean burstable, boolean accelerated, boolean previousGeneration,
      String quotaFamily) {}

  /** The facts of every size of the snapshot, by ARM name. */
  static Map<String, Facts> facts() {
    if (facts == null) {
      facts = readFacts();
    }
    return facts;
  }

  private static Map<String, Facts> readFacts() {
    Map<String, Facts> facts = new TreeMap<>();
    CsvMapper mapper = new CsvMapper();
    try (InputStream in = AzureCatalogs.class.getResourceAsStream(RESOURCE);
        MappingIterator<Map<String, String>> rows = mapper.readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader()).readValues(in)) {
      while (rows.hasNextValue()) {
        Map<String, String> r = rows.nextValue();
        facts.putIfAbsent(r.get("instance_type"), new Facts(Boolean.parseBoolean(r.get("burstable")),
            Boolean.parseBoolean(r.get("accelerated")),
            Boolean.parseBoolean(r.get("previous_generation")), r.get("quota_class")));
      }
      return java.util.Collections.unmodifiableMap(facts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The VM sizes the snapshot knows, by ARM name ({@code Standard_D2s_v5}). */
  static Map<String, InstanceType> sizes() {
    Map<String, InstanceType> sizes = new TreeMap<>();
    for (Offer offer : embedded().offers()) {
      sizes.putIfAbsent(offer.type().name(), offer.type());
    }
    return sizes;
  }
}
