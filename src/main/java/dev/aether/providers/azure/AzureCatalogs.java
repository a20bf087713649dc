package dev.aether.providers.azure;

import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Offer;
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

  /** Every offer of the snapshot, all regions. */
  static Catalog embedded() {
    return EmbeddedCatalog.fromResource(AzureCatalogs.class, RESOURCE, SOURCE);
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
