package dev.aether.providers.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AwsCatalogTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @TempDir Path cacheDir;
  private AwsStubs aws;

  @BeforeEach
  void start() {
    aws = new AwsStubs();
    aws.server.stubFor(AwsStubs.ec2("DescribeInstanceTypes", null)
        .willReturn(AwsStubs.xml("ec2/describe-instance-types-1.xml")));
    aws.server.stubFor(AwsStubs.ec2("DescribeInstanceTypes", "types-page-2")
        .willReturn(AwsStubs.xml("ec2/describe-instance-types-2.xml")));
    aws.server.stubFor(AwsStubs.ec2("DescribeSpotPriceHistory", null)
        .willReturn(AwsStubs.xml("ec2/describe-spot-price-history-1.xml")));
    aws.server.stubFor(AwsStubs.ec2("DescribeSpotPriceHistory", "spot-page-2")
        .willReturn(AwsStubs.xml("ec2/describe-spot-price-history-2.xml")));
    aws.server.stubFor(AwsStubs.json("AWSPriceListService.GetProducts")
        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.notContaining("NextToken"))
        .willReturn(AwsStubs.jsonBody(AwsStubs.resource("pricing/get-products-1.json"))));
    aws.server.stubFor(AwsStubs.json("AWSPriceListService.GetProducts")
        .withRequestBody(containing("\"NextToken\":\"pricing-page-2\""))
        .willReturn(AwsStubs.jsonBody(AwsStubs.resource("pricing/get-products-2.json"))));
  }

  private void advisorFeed(int status, String body) {
    aws.server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
        urlEqualTo("/spot-advisor-data.json")).willReturn(
            com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(status)
                .withBody(body)));
  }

  @Test
  void spotOffersCarryTheSpotAdvisorsBandAsAnHourlyRate() {
    advisorFeed(200, "{\"spot_advisor\": {\"us-east-1\": {\"Linux\": {"
        + "\"m5.large\": {\"s\": 60, \"r\": 3}}}, \"us-west-2\": {\"Linux\": {"
        + "\"c5d.large\": {\"s\": 70, \"r\": 0}}}}}");

    Catalog catalog = load(NOW);
    Map<String, Offer> offers = byKey(catalog);

    assertThat(offers.get("m5.large/us-east-1a/spot").interruptionRate())
        .hasValue(dev.aether.core.catalog.InterruptionBands.hourlyRate(3));
    // rated in another region only: unknown here
    assertThat(offers.get("c5d.large/us-east-1b/spot").interruptionRate()).isEmpty();
    assertThat(catalog.source()).doesNotContain("not reachable");
  }

  @Test
  void aFeedThatCannotBeReadLeavesTheRatesUnknownAndSaysSo() {
    advisorFeed(403, "denied");

    Catalog catalog = load(NOW);

    assertThat(catalog.offers()).filteredOn(o -> o.market() == Market.SPOT).isNotEmpty()
        .allSatisfy(o -> assertThat(o.interruptionRate()).isEmpty());
    assertThat(catalog.source()).contains("Spot Advisor not reachable");
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private Catalog load(Instant now) {
    return new AwsCatalog(aws.clients(), cacheDir, Clock.fixed(now, ZoneOffset.UTC)).load(2);
  }

  private static Map<String, Offer> byKey(Catalog catalog) {
    return catalog.offers().stream().collect(Collectors.toMap(Offer::key, Function.identity()));
  }

  @Test
  void readsTypesFromEveryPageAndConvertsMemoryToGib() {
    Map<String, Offer> offers = byKey(load(NOW));

    Offer m5 = offers.get("m5.large/us-east-1/on-demand");
    assertThat(m5.type().vcpus()).isEqualTo(2);
    assertThat(m5.type().memoryGib()).isEqualTo(8.0);
    assertThat(m5.type().storageGb()).isZero();
    assertThat(m5.type().arch()).isEqualTo("x86_64");
    assertThat(offers.get("c5d.large/us-east-1/on-demand").type().storageGb()).isEqualTo(50);
    // second page of DescribeInstanceTypes and of GetProducts
    assertThat(offers.get("m6g.large/us-east-1/on-demand").type().arch()).isEqualTo("arm64");
    assertThat(offers.get("m6g.large/us-east-1/on-demand").price()).isEqualByComparingTo("0.077");
    // Mac types have no Linux AMI for us
    assertThat(offers.keySet()).noneMatch(k -> k.startsWith("mac1"));
  }

  @Test
  void onDemandOffersCostTheListPriceAndRiskNothingMore() {
    Offer m5 = byKey(load(NOW)).get("m5.large/us-east-1/on-demand");
    assertThat(m5.market()).isEqualTo(Market.ON_DEMAND);
    assertThat(m5.zone()).isEmpty();
    // the $0 duplicate on page 2 is ignored
    assertThat(m5.price()).isEqualByComparingTo("0.096");
    assertThat(m5.riskPrice()).isEqualByComparingTo("0.096");
  }

  @Test
  void spotOffersUseTheLatestPriceAndTheWindowMaximumPerZone() {
    Map<String, Offer> offers = byKey(load(NOW));

    Offer a = offers.get("m5.large/us-east-1a/spot");
    assertThat(a.price()).isEqualByComparingTo("0.035");
    assertThat(a.riskPrice()).isEqualByComparingTo("0.052"); // from page 2 of the history
    Offer b = offers.get("m5.large/us-east-1b/spot");
    assertThat(b.price()).isEqualByComparingTo("0.037");
    assertThat(b.riskPrice()).isEqualByComparingTo("0.037");
  }

  @Test
  void spotRiskIsCappedAtTheOnDemandPrice() {
    Offer c5d = byKey(load(NOW)).get("c5d.large/us-east-1b/spot");
    assertThat(c5d.price()).isEqualByComparingTo("0.031");
    // history peaked at 0.15, above on-demand 0.096: we never bid above on-demand
    assertThat(c5d.riskPrice()).isEqualByComparingTo("0.096");
  }

  @Test
  void asksForLinuxSpotHistoryOverTheWholeWindow() {
    load(NOW);
    aws.server.verify(postRequestedFor(urlEqualTo("/"))
        .withRequestBody(containing("Action=DescribeSpotPriceHistory"))
        .withRequestBody(containing("ProductDescription.1=Linux%2FUNIX"))
        .withRequestBody(containing("StartTime=2026-11-11T12%3A00%3A00Z")));
    aws.server.verify(postRequestedFor(urlEqualTo("/"))
        .withHeader("X-Amz-Target", com.github.tomakehurst.wiremock.client.WireMock.equalTo(
            "AWSPriceListService.GetProducts"))
        .withRequestBody(containing("\"Field\":\"regionCode\",\"Value\":\"us-east-1\""))
        .withRequestBody(containing("\"Field\":\"capacitystatus\",\"Value\":\"Used\""))
        // on-demand rows only (the Price List also lists capacity blocks and other options)
        .withRequestBody(containing("\"Field\":\"marketoption\",\"Value\":\"OnDemand\"")));
  }

  @Test
  void servesFromTheCacheForADayThenFetchesAgain() {
    Catalog first = load(NOW);
    int calls = aws.server.getAllServeEvents().size();

    Catalog cached = load(NOW.plusSeconds(23 * 3600));
    assertThat(aws.server.getAllServeEvents()).hasSize(calls);
    assertThat(cached).isEqualTo(first);
    assertThat(Files.exists(cacheDir.resolve("aws-us-east-1-2w.json"))).isTrue();

    load(NOW.plusSeconds(25 * 3600));
    assertThat(aws.server.getAllServeEvents().size()).isGreaterThan(calls);
  }

  @Test
  void deniedCredentialsBecomeAClearError() {
    aws.server.resetAll();
    aws.server.stubFor(AwsStubs.ec2("DescribeInstanceTypes", null)
        .willReturn(AwsStubs.ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials")));

    assertThatThrownBy(() -> load(NOW))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("reading the AWS price catalog for us-east-1")
        .hasMessageContaining("AuthFailure")
        .hasMessageContaining("docs/aws.md");
  }

  @Test
  void rejectsALookBackOfLessThanAWeek() {
    assertThatThrownBy(() -> new AwsCatalog(aws.clients(), cacheDir, Clock.systemUTC()).load(0))
        .isInstanceOf(AetherException.class)
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
  }

  static BigDecimal usd(String s) {
    return new BigDecimal(s);
  }
}
