package dev.aether.providers.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.aether.core.AetherException;
import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a WireMock stub of the Retail Prices API, answering with pages in the documented format
 * (https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices) and
 * nothing else: a request no stub matches gets a 404, and every test ends by checking there was
 * none.
 */
class RetailPricesTest {
  private static final String PATH = "/api/retail/prices";
  private static final String EASTUS_FILTER = "serviceName eq 'Virtual Machines' and armRegionName"
      + " eq 'eastus' and priceType eq 'Consumption'";
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

  private WireMockServer server;
  private RetailPrices prices;

  @BeforeEach
  void start() {
    server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    prices = new RetailPrices(HttpClient.newHttpClient(),
        URI.create(server.baseUrl() + PATH), CLOCK);
  }

  @AfterEach
  void stop() {
    try {
      assertThat(server.findAllUnmatchedRequests()).as("requests no stub expected").isEmpty();
    } finally {
      server.stop();
    }
  }

  /** The first page: the documented query, no $skip. */
  private static MappingBuilder firstPage(String filter) {
    return get(urlPathEqualTo(PATH))
        .withQueryParam("api-version", equalTo(RetailPrices.API_VERSION))
        .withQueryParam("meterRegion", equalTo("'primary'"))
        .withQueryParam("$filter", equalTo(filter))
        .withQueryParam("$skip", absent());
  }

  private void stubEastUs() {
    server.stubFor(firstPage(EASTUS_FILTER)
        .willReturn(json(page("eastus-page-1.json"))));
    server.stubFor(get(urlPathEqualTo(PATH))
        .withQueryParam("api-version", equalTo(RetailPrices.API_VERSION))
        .withQueryParam("$filter", equalTo(EASTUS_FILTER))
        .withQueryParam("$skip", equalTo("100"))
        .willReturn(json(page("eastus-page-2.json"))));
  }

  @Test
  void readsLinuxPayAsYouGoAndSpotPricesFromEveryPage() {
    stubEastUs();
    Map<String, RetailPrices.SizePrices> read = prices.read("eastus");

    assertThat(read).containsOnlyKeys(
        "Standard_D2s_v5", "Standard_D4s_v5", "Standard_F2s_v2", "Standard_Z2s_v9");
    // Windows rows and the non-primary duplicate ignored
    assertThat(read.get("Standard_D2s_v5")).isEqualTo(new RetailPrices.SizePrices(
        Optional.of(new BigDecimal("0.096")), Optional.of(new BigDecimal("0.0096"))));
    // the Low Priority price (0.02) is neither its Spot nor its pay-as-you-go price; from page 2
    assertThat(read.get("Standard_D4s_v5")).isEqualTo(new RetailPrices.SizePrices(
        Optional.of(new BigDecimal("0.192")), Optional.of(new BigDecimal("0.03"))));
    assertThat(read.get("Standard_F2s_v2").spot()).isEmpty();
    server.verify(2, getRequestedFor(urlPathEqualTo(PATH)));
  }

  @Test
  void catalogHasSnapshotSizesOnlyWithSpotRiskAtPayAsYouGo() {
    stubEastUs();
    Catalog catalog = prices.catalog("eastus");

    assertThat(catalog.source()).isEqualTo("Azure Retail Prices API, eastus (fetched 2026-12-01)");
    Map<String, Offer> byKey = catalog.offers().stream()
        .collect(Collectors.toMap(Offer::key, o -> o));
    // Standard_Z2s_v9 is not in the snapshot (no vCPUs or memory): left out; Standard_F4s_v2 has
    // only a Windows price here: left out
    assertThat(byKey).containsOnlyKeys(
        "Standard_D2s_v5/eastus/spot", "Standard_D2s_v5/eastus/on-demand",
        "Standard_D4s_v5/eastus/spot", "Standard_D4s_v5/eastus/on-demand",
        "Standard_F2s_v2/eastus/on-demand");
    Offer spot = byKey.get("Standard_D2s_v5/eastus/spot");
    assertThat(spot.market()).isEqualTo(Market.SPOT);
    assertThat(spot.price()).isEqualByComparingTo("0.0096");
    assertThat(spot.riskPrice()).isEqualByComparingTo("0.096");
    assertThat(spot.type().vcpus()).isEqualTo(2);
    assertThat(spot.type().memoryGib()).isEqualTo(8.0);
    assertThat(byKey.get("Standard_F2s_v2/eastus/on-demand").type().memoryGib()).isEqualTo(4.0);
  }

  @Test
  void cheapestPlanOverLivePricesUsesTheSpotPriceOfAKnownSize() {
    stubEastUs();
    Catalog catalog = prices.catalog("eastus");
    Requirements fourJobs = new Requirements(2, 4.0, 4, Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Objective.COST, BigDecimal.ZERO);

    Plan plan = new Bidder().solve(fourJobs, catalog.offers(), Limits.NONE);

    // 4 x D2s_v5 Spot ($0.0096 a slot) beats 2 x D4s_v5 Spot ($0.015 a slot), the F2s_v2 at
    // pay-as-you-go, and the unknown Z2s_v9's $0.0001 and the D4s_v5 Low Priority price
    assertThat(plan.lines()).hasSize(1);
    assertThat(plan.lines().get(0).offer().key()).isEqualTo("Standard_D2s_v5/eastus/spot");
    assertThat(plan.lines().get(0).count()).isEqualTo(4);
    assertThat(plan.hourlyCost()).isEqualByComparingTo("0.0384");
  }

  @Test
  void aRegionWithNoPricesIsBadInput() {
    String filter = "serviceName eq 'Virtual Machines' and armRegionName eq 'marsnorth' and"
        + " priceType eq 'Consumption'";
    server.stubFor(firstPage(filter).willReturn(json("{\"BillingCurrency\":\"USD\","
        + "\"CustomerEntityId\":\"Default\",\"CustomerEntityType\":\"Retail\",\"Items\":[],"
        + "\"NextPageLink\":null,\"Count\":0}")));

    assertThatThrownBy(() -> prices.catalog("marsnorth"))
        .isInstanceOf(AetherException.class)
        .hasMessageStartingWith("-R/--region: the Azure Retail Prices API has no Linux VM prices"
            + " for 'marsnorth'")
        .extracting(e -> ((AetherException) e).exitStatus()).isEqualTo(AetherException.INVALID_INPUT);
  }

  @Test
  void aRegionThatIsNotARegionNameIsRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> prices.read("eastus' or serviceName eq 'Storage"))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("is not an Azure region name")
        .extracting(e -> ((AetherException) e).exitStatus()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(server.getAllServeEvents()).isEmpty();
  }

  @Test
  void anErrorAnswerNamesTheStatus() {
    server.stubFor(firstPage(EASTUS_FILTER).willReturn(aResponse().withStatus(429)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"Error\":{\"Code\":\"TooManyRequests\"}}")));

    assertThatThrownBy(() -> prices.read("eastus"))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("answered HTTP 429")
        .hasMessageContaining("try again in a minute")
        .extracting(e -> ((AetherException) e).exitStatus()).isEqualTo(AetherException.ERROR);
  }

  @Test
  void aNextPageLinkToAnotherSiteIsNotFollowed() {
    server.stubFor(firstPage(EASTUS_FILTER).willReturn(json(page("eastus-page-1.json")
        .replace(server.baseUrl(), "http://127.0.0.2:" + server.port()))));

    assertThatThrownBy(() -> prices.read("eastus"))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("next-page link away from");
    server.verify(1, getRequestedFor(urlPathEqualTo(PATH)));
  }

  private String page(String name) {
    String path = "/azure/retail-prices/" + name;
    try (InputStream in = RetailPricesTest.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("{{BASE}}", server.baseUrl());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
        .withBody(body);
  }
}
