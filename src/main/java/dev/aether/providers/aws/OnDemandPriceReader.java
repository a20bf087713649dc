package dev.aether.providers.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aether.core.AetherException;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.pricing.model.Filter;
import software.amazon.awssdk.services.pricing.model.FilterType;
import software.amazon.awssdk.services.pricing.model.GetProductsRequest;

/**
 * Reads on-demand Linux prices for a region from the Price List Query API (GetProducts, all pages).
 * Each result is a JSON document as a string; the price is under
 * {@code terms.OnDemand.<offer>.priceDimensions.<dimension>.pricePerUnit.USD} with unit {@code Hrs}.
 * See https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
 * and https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-ec2.html
 */
final class OnDemandPriceReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PricingClient pricing;

  OnDemandPriceReader(PricingClient pricing) {
    this.pricing = pricing;
  }

  /** USD per hour by instance type name. */
  Map<String, BigDecimal> read(String region) {
    GetProductsRequest request =
        GetProductsRequest.builder()
            .serviceCode("AmazonEC2")
            .filters(
                term("regionCode", region),
                term("operatingSystem", "Linux"),
                term("tenancy", "Shared"),
                // no SQL Server or other licensed software on the image
                term("preInstalledSw", "NA"),
                // "Used" is the running-instance price; "Reserved"/"UnusedCapacityReservation"
                // price capacity reservations
                term("capacitystatus", "Used"),
                // on-demand rows only: the same products are also listed for capacity blocks
                // and other purchase options at other prices
                term("marketoption", "OnDemand"))
            .build();
    Map<String, BigDecimal> prices = new TreeMap<>();
    pricing.getProductsPaginator(request).priceList().forEach(doc -> add(prices, doc));
    return prices;
  }

  private static Filter term(String field, String value) {
    return Filter.builder().type(FilterType.TERM_MATCH).field(field).value(value).build();
  }

  /** Adds one product's hourly price; the lowest wins when two products name the same type. */
  static void add(Map<String, BigDecimal> prices, String document) {
    JsonNode root;
    try {
      root = JSON.readTree(document);
    } catch (IOException e) {
      throw new AetherException(
          AetherException.UNEXPECTED_STATE,
          "AWS Price List returned a product that is not JSON: " + e.getMessage(), e);
    }
    String type = root.path("product").path("attributes").path("instanceType").asText("");
    if (type.isEmpty()) {
      return;
    }
    for (JsonNode offer : root.path("terms").path("OnDemand")) {
      for (JsonNode dimension : offer.path("priceDimensions")) {
        String usd = dimension.path("pricePerUnit").path("USD").asText("");
        if (!"Hrs".equals(dimension.path("unit").asText()) || usd.isEmpty()) {
          continue;
        }
        BigDecimal price = new BigDecimal(usd).stripTrailingZeros();
        // $0 rows are placeholders (e.g. types not yet sold here); they would make free offers
        if (price.signum() > 0) {
          prices.merge(type, price, BigDecimal::min);
        }
      }
    }
  }
}
