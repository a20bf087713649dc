package dev.aether.providers.azure;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aether.core.AetherException;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live Linux VM prices of one region from Azure's public Retail Prices API (no login), joined with
 * the VM sizes of the embedded snapshot ({@link AzureCatalogs#sizes()}): the API prices meters and
 * knows no vCPUs or memory, and the live size list (the Resource SKUs API) needs a login. Sizes
 * the snapshot does not know are left out.
 *
 * <p>One GET per page: {@code $filter=serviceName eq 'Virtual Machines' and armRegionName eq
 * '<region>' and priceType eq 'Consumption'}, primary meters only, following {@code NextPageLink}
 * until it is null. Of the items ({@code Items[]}), those used are hourly ({@code unitOfMeasure
 * "1 Hour"}), {@code type "Consumption"}, on the primary meter region, priced above $0, and
 * Linux: a {@code productName} ending in " Windows" is the Windows price. A {@code skuName} ending
 * in " Spot" is the Spot price of {@code armSkuName}, one ending in " Low Priority" is the
 * retired Batch low-priority price (skipped), any other the pay-as-you-go price. See
 * https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices
 *
 * <p>Offers: one pay-as-you-go offer per size (price = risk), and one Spot offer where there is a
 * Spot price, with the pay-as-you-go price as risk price (a Spot VM with max price -1 pays at
 * most that). A Spot price without a pay-as-you-go price is left out.
 */
final class RetailPrices {
  private static final Logger LOG = LoggerFactory.getLogger(RetailPrices.class);
  static final URI DEFAULT_BASE = URI.create("https://prices.azure.com/api/retail/prices");
  /** The API version whose filters and meterRegion parameter are documented on that page. */
  static final String API_VERSION = "2023-01-01-preview";
  /** Azure region names are lower-case letters and digits (eastus, westus2). */
  private static final Pattern REGION = Pattern.compile("^[a-z][a-z0-9]{1,39}$");
  /** Far more than the region's few thousand VM meters at 100 or 1000 per page: a loop guard. */
  private static final int MAX_PAGES = 500;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final HttpClient http;
  private final URI base;
  private final Clock clock;

  /** {@code base} is the API's address, e.g. {@link #DEFAULT_BASE}; tests point it at a stub. */
  RetailPrices(HttpClient http, URI base, Clock clock) {
    this.http = http;
    this.base = base;
    this.clock = clock;
  }

  static RetailPrices live() {
    return new RetailPrices(
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NEVER).build(),
        DEFAULT_BASE, Clock.systemUTC());
  }

  /** Pay-as-you-go and Spot prices of one size, USD per hour. */
  record SizePrices(Optional<BigDecimal> payAsYouGo, Optional<BigDecimal> spot) {
    SizePrices {
      payAsYouGo = payAsYouGo == null ? Optional.empty() : payAsYouGo;
      spot = spot == null ? Optional.empty() : spot;
    }

    static final SizePrices NONE = new SizePrices(Optional.empty(), Optional.empty());

    /** The lower of two prices for the same thing wins, as for AWS's duplicate products. */
    SizePrices with(Market market, BigDecimal price) {
      return market == Market.ON_DEMAND
          ? new SizePrices(Optional.of(payAsYouGo.map(p -> p.min(price)).orElse(price)), spot)
          : new SizePrices(payAsYouGo, Optional.of(spot.map(p -> p.min(price)).orElse(price)));
    }
  }

  /** The region's catalog, joined with the embedded snapshot's sizes. */
  Catalog catalog(String region) {
    return catalog(region, AzureCatalogs.sizes());
  }

  /**
   * The region's catalog, for the sizes in {@code sizes} (by ARM name).
   *
   * @throws AetherException exit 2 when {@code region} is not an Azure region name or the API has
   *     no VM prices for it; exit 1 when the API cannot be reached or answers with an error
   */
  Catalog catalog(String region, Map<String, InstanceType> sizes) {
    Map<String, SizePrices> prices = read(region);
    List<Offer> offers = offers(region, prices, sizes);
    if (offers.isEmpty()) {
      throw AetherException.invalidInput("-R/--region: the Azure Retail Prices API has no Linux VM"
          + " prices for '" + region + "' (region names look like eastus, westus2); or use the"
          + " embedded prices with --offline");
    }
    return new Catalog("Azure Retail Prices API, " + region + " (fetched "
        + LocalDate.now(clock.withZone(ZoneOffset.UTC)) + ")", offers);
  }

  static List<Offer> offers(
      String region, Map<String, SizePrices> prices, Map<String, InstanceType> sizes) {
    List<Offer> offers = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    prices.forEach((name, p) -> {
      InstanceType type = sizes.get(name);
      if (type == null) {
        unknown.add(name);
        return;
      }
      p.payAsYouGo().ifPresent(payg -> {
        offers.add(new Offer(type, region, "", Market.ON_DEMAND, payg, payg));
        p.spot().ifPresent(spot -> offers.add(new Offer(type, region, "", Market.SPOT, spot, payg)));
      });
    });
    if (!unknown.isEmpty()) {
      LOG.info("Azure prices for {} VM size(s) not in the embedded size list left out: {}",
          unknown.size(), String.join(", ", unknown));
    }
    return offers;
  }

  /** Prices by ARM size name ({@code Standard_D2s_v5}), from every page. */
  Map<String, SizePrices> read(String region) {
    if (region == null || !REGION.matcher(region).matches()) {
      throw AetherException.invalidInput("-R/--region: '" + region + "' is not an Azure region"
          + " name (lower-case letters and digits, e.g. eastus, westus2)");
    }
    String filter = "serviceName eq 'Virtual Machines' and armRegionName eq '" + region
        + "' and priceType eq 'Consumption'";
    URI next = URI.create(base + "?api-version=" + API_VERSION + "&meterRegion=" + encode("'primary'")
        + "&$filter=" + encode(filter));
    Map<String, SizePrices> prices = new TreeMap<>();
    Set<URI> seen = new HashSet<>();
    int pages = 0;
    while (next != null) {
      if (!seen.add(next) || ++pages > MAX_PAGES) {
        throw new AetherException(AetherException.UNEXPECTED_STATE, "Azure Retail Prices API: the"
            + " pages for " + region + " do not end (page " + pages + ": " + next + ")");
      }
      Page page = get(next);
      for (Item item : page.items()) {
        add(prices, item);
      }
      next = page.nextPageLink() == null || page.nextPageLink().isBlank() ? null
          : sameSite(link(page.nextPageLink()));
    }
    LOG.debug("Azure Retail Prices API: {} page(s), {} VM size(s) priced in {}",
        pages, prices.size(), region);
    return prices;
  }

  /** Adds one item's price, if it is a Linux, hourly, primary-meter price of a VM size. */
  static void add(Map<String, SizePrices> prices, Item item) {
    String sku = nonNull(item.skuName());
    if (item.armSkuName() == null || item.armSkuName().isBlank() || item.retailPrice() == null
        || item.retailPrice().signum() <= 0 // $0 meters are placeholders, not free VMs
        || !"1 Hour".equals(item.unitOfMeasure())
        || !"Consumption".equals(item.type())
        || (item.currencyCode() != null && !"USD".equals(item.currencyCode()))
        || Boolean.FALSE.equals(item.isPrimaryMeterRegion())
        || nonNull(item.productName()).endsWith(" Windows")
        || sku.endsWith(" Low Priority")) {
      return;
    }
    Market market = sku.endsWith(" Spot") ? Market.SPOT : Market.ON_DEMAND;
    prices.merge(item.armSkuName(), SizePrices.NONE.with(market, item.retailPrice()),
        (old, added) -> old.with(market, item.retailPrice()));
  }

  private Page get(URI uri) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .header("Accept", "application/json").GET().build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR, "Cannot reach the Azure Retail Prices API at "
          + uri.getHost() + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
          + "); check the network, or use the embedded prices with --offline", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "Interrupted while reading Azure prices", e);
    }
    if (response.statusCode() != 200) {
      String body = new String(response.body(), StandardCharsets.UTF_8);
      throw new AetherException(AetherException.ERROR, "The Azure Retail Prices API answered HTTP "
          + response.statusCode() + " for " + uri + ": "
          + body.substring(0, Math.min(300, body.length())).strip()
          + (response.statusCode() == 429 ? " (too many requests: try again in a minute, or use"
              + " --offline)" : ""));
    }
    try {
      Page page = JSON.readValue(response.body(), Page.class);
      if (page.items() == null) {
        throw new IOException("no Items array");
      }
      return page;
    } catch (IOException e) {
      throw new AetherException(AetherException.UNEXPECTED_STATE, "The Azure Retail Prices API"
          + " answered something that is not a price page for " + uri + ": " + e.getMessage(), e);
    }
  }

  private static URI link(String text) {
    try {
      return URI.create(text.strip().replace(" ", "%20"));
    } catch (IllegalArgumentException e) {
      throw new AetherException(AetherException.UNEXPECTED_STATE, "The Azure Retail Prices API"
          + " sent a next-page link that is not a URL: " + text, e);
    }
  }

  /** NextPageLink must point back at the API itself: prices come from nowhere else. */
  private URI sameSite(URI link) {
    if (!nonNull(link.getScheme()).equalsIgnoreCase(base.getScheme())
        || !nonNull(link.getHost()).equalsIgnoreCase(base.getHost())
        || port(link) != port(base)
        || !nonNull(link.getPath()).equals(base.getPath())) {
      throw new AetherException(AetherException.UNEXPECTED_STATE, "The Azure Retail Prices API"
          + " sent a next-page link away from " + base + ": " + link);
    }
    return link;
  }

  private static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  /** One page of the API's answer; fields not listed are ignored. Absent values are null. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Page(
      @JsonProperty("Items") List<Item> items,
      @JsonProperty("NextPageLink") String nextPageLink,
      @JsonProperty("Count") Integer count) {}

  /** One meter's price, as the API names its fields. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Item(
      String armSkuName,
      String skuName,
      String productName,
      String meterName,
      BigDecimal retailPrice,
      BigDecimal unitPrice,
      String unitOfMeasure,
      String type,
      @JsonProperty("isPrimaryMeterRegion") Boolean isPrimaryMeterRegion,
      String armRegionName,
      String currencyCode) {}
}
