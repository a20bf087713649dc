package dev.aether.providers.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.aether.cli.Main;
import dev.aether.core.AetherException;
import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.BruteForceOptimum;
import dev.aether.core.bidder.InfeasibleException;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bidding on Azure: a dry run from the embedded snapshot makes no network call; one with live
 * prices reads them from the Retail Prices API (here a strict WireMock stub answering pages built
 * from real snapshot prices) and nothing else; and on small Azure catalogs the plan costs exactly
 * the brute-force optimum.
 */
class AzureDryRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PATH = "/api/retail/prices";
  private static final List<Offer> EASTUS = AzureCatalogs.embedded().inRegion("eastus").offers()
      .stream().filter(o -> o.type().vcpus() <= 8 && o.type().memoryGib() <= 32).toList();

  @TempDir Path tmp;
  private WireMockServer prices;

  @BeforeEach
  void start() {
    prices = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    prices.start();
  }

  @AfterEach
  void stop() {
    try {
      assertThat(prices.findAllUnmatchedRequests()).as("requests no stub expected").isEmpty();
    } finally {
      prices.stop();
    }
  }

  /** A small Azure catalog (3 to 5 real eastus offers) and a request to plan over it. */
  record Case(long seed, List<Offer> offers, Requirements requirements, Limits limits) {}

  static Case smallCase(long seed) {
    return smallCase(seed, EASTUS);
  }

  static Case smallCase(long seed, List<Offer> from) {
    Random rnd = new Random(seed);
    List<String> sizes = from.stream().map(o -> o.type().name()).distinct().sorted().toList();
    List<Offer> offers = new ArrayList<>();
    while (offers.size() < 3) {
      String size = sizes.get(rnd.nextInt(sizes.size()));
      for (Offer o : from) {
        if (o.type().name().equals(size) && offers.size() < 5 && !offers.contains(o)) {
          offers.add(o);
        }
      }
    }
    int p = 1 + rnd.nextInt(2);
    double m = new double[] {1, 2, 4}[rnd.nextInt(3)];
    int slots = 1 + rnd.nextInt(6);
    Objective objective = seed % 2 == 0 ? Objective.SEED : Objective.COST;
    BigDecimal step = rnd.nextBoolean() ? BigDecimal.ZERO : new BigDecimal("0.1");
    Map<QuotaKey, Integer> quotas = new HashMap<>();
    if (rnd.nextInt(3) == 0) {
      // a regional Spot quota, as AzureQuotas gives one: for every class of the catalog
      int spot = 2 + rnd.nextInt(12);
      offers.forEach(o -> quotas.put(new QuotaKey(o.type().quotaClass(), Market.SPOT), spot));
    }
    return new Case(seed, offers, Requirements.of(p, m, slots).withBid(objective, step,
        Optional.empty()), new Limits(Map.of(), quotas));
  }

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 24);
  }

  /** The Retail Prices API's two pages for these offers (pay-as-you-go and Spot meters). */
  private void serve(List<Offer> offers) throws Exception {
    ArrayNode items = JSON.createArrayNode();
    for (Offer o : offers) {
      String sku = o.type().name().replace("Standard_", "").replace('_', ' ');
      ObjectNode i = items.addObject();
      i.put("currencyCode", "USD").put("retailPrice", o.price()).put("unitPrice", o.price())
          .put("armRegionName", "eastus").put("location", "US East")
          .put("meterName", sku + (o.market() == Market.SPOT ? " Spot" : ""))
          .put("productName", "Virtual Machines Series")
          .put("skuName", sku + (o.market() == Market.SPOT ? " Spot" : ""))
          .put("serviceName", "Virtual Machines").put("unitOfMeasure", "1 Hour")
          .put("type", "Consumption").put("isPrimaryMeterRegion", true)
          .put("armSkuName", o.type().name());
    }
    int half = items.size() / 2;
    ObjectNode first = JSON.createObjectNode().put("BillingCurrency", "USD");
    ArrayNode one = first.putArray("Items");
    ObjectNode second = JSON.createObjectNode().put("BillingCurrency", "USD");
    ArrayNode two = second.putArray("Items");
    for (int k = 0; k < items.size(); k++) {
      (k < half ? one : two).add(items.get(k));
    }
    String filter = "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and"
        + " priceType eq 'Consumption'";
    first.put("NextPageLink", prices.baseUrl() + PATH + "?api-version=" + RetailPrices.API_VERSION
        + "&meterRegion='primary'&$filter=" + filter.replace(" ", "%20") + "&$skip=" + half);
    second.putNull("NextPageLink");
    prices.stubFor(get(urlPathEqualTo(PATH)).withQueryParam("$filter", equalTo(filter))
        .withQueryParam("$skip", absent())
        .willReturn(aResponse().withHeader("Content-Type", "application/json")
            .withBody(JSON.writeValueAsString(first))));
    prices.stubFor(get(urlPathEqualTo(PATH)).withQueryParam("$filter", equalTo(filter))
        .withQueryParam("$skip", equalTo(Integer.toString(half)))
        .willReturn(aResponse().withHeader("Content-Type", "application/json")
            .withBody(JSON.writeValueAsString(second))));
  }

  private AzureProvider provider() {
    return new AzureProvider(AzureProvider.Settings.in("eastus"),
        Map.of(AzureEndpoints.PRICES_ENV, prices.baseUrl() + PATH), tmp, Optional.empty(), null);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aPlanFromLiveAzurePricesCostsTheBruteForceOptimum(long seed) throws Exception {
    Case c = smallCase(seed);
    serve(c.offers());
    Catalog live = provider().prices().orElseThrow().load(4);
    // the live catalog is the offers as Azure prices them: no zones, Spot risk = pay-as-you-go
    assertThat(live.offers()).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(c.offers());

    Optional<BigDecimal> best = BruteForceOptimum.cost(c.requirements(), live.offers(),
        c.limits());
    if (best.isEmpty()) {
      assertThatThrownBy(() -> new Bidder().solve(c.requirements(), live.offers(), c.limits()))
          .as("%s", c).isInstanceOf(InfeasibleException.class);
      return;
    }
    Plan plan = new Bidder().solve(c.requirements(), live.offers(), c.limits());
    assertThat(plan.hourlyCost()).as("%s", c).isEqualByComparingTo(best.get());
    assertThat(plan.slots()).isGreaterThanOrEqualTo(c.requirements().slots());
  }

  @Test
  void mostSmallCasesAreFeasibleSoTheComparisonMeansSomething() {
    long feasible = seeds().mapToObj(AzureDryRunTest::smallCase)
        .filter(c -> BruteForceOptimum.cost(c.requirements(), c.offers(), c.limits()).isPresent())
        .count();
    assertThat(feasible).isGreaterThanOrEqualTo(16);
  }

  @Test
  void theDryRunCommandWithLivePricesPlansTheOptimumAndReadsNothingButPrices() throws Exception {
    // sizes the command's default filters keep (x86, current, no burst, no accelerator)
    Map<String, AzureCatalogs.Facts> facts = AzureCatalogs.facts();
    Case c = smallCase(7, EASTUS.stream().filter(o -> o.type().arch().equals("x86_64"))
        .filter(o -> !facts.get(o.type().name()).burstable()
            && !facts.get(o.type().name()).previousGeneration()
            && !facts.get(o.type().name()).accelerated()).toList());
    serve(c.offers());
    Requirements r = c.requirements();
    // one job per slot: the command plans no more jobs at once than there are jobs
    Path args = Files.write(tmp.resolve("args.txt"),
        java.util.stream.IntStream.rangeClosed(1, r.slots()).mapToObj(i -> "job-" + i).toList());
    Path prov = tmp.resolve("prov.psv");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "-cp", System.getProperty("java.class.path"),
        "dev.aether.cli.Main", "--dry-run", "--provider", "azure", "--live-prices",
        "-R", "eastus", "-A", args.toString(), "-P", Integer.toString(r.processorsPerJob()),
        "-M", Double.toString(r.memoryGbPerJob()), "--concurrency", Integer.toString(r.slots()),
        "--objective", r.objective().name().toLowerCase(), "--risk-step",
        r.riskStep().toPlainString(), "--max-pool-share", r.maxPoolShare().toPlainString(),
        "-L", prov.toString()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("AETHER_"));
    pb.environment().put("HOME", tmp.toString()); // no az login: no quotas are read
    pb.environment().put(AzureEndpoints.PRICES_ENV, prices.baseUrl() + PATH);
    pb.environment().put("JAVA_TOOL_OPTIONS", AzureEndToEnd.JVM);
    Process p = pb.start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("Azure Retail Prices API, eastus");

    BigDecimal cost = BigDecimal.ZERO;
    for (String line : Files.readAllLines(prov)) {
      String[] f = line.split("\\|");
      Market market = Boolean.parseBoolean(f[4]) ? Market.SPOT : Market.ON_DEMAND;
      cost = cost.add(c.offers().stream().filter(o -> o.type().name().equals(f[0])
          && o.market() == market).findFirst().orElseThrow().price());
    }
    assertThat(cost).as(out).isEqualByComparingTo(BruteForceOptimum.cost(
        r.withBid(r.objective(), r.riskStep(), Optional.empty()), c.offers(), Limits.NONE)
        .orElseThrow());
  }

  @Test
  void aDryRunFromTheEmbeddedSnapshotPlansAzureSizesWithoutTheNetwork() throws Exception {
    Path args = Files.writeString(tmp.resolve("args.txt"), "a\nb\nc\nd\n");
    Path prov = tmp.resolve("prov.psv");
    Run run = cli("--dry-run", "--provider", "azure", "-A", args.toString(), "-P", "2",
        "-M", "4", "-L", prov.toString());

    // nothing answers off loopback here: a call to Azure would have failed the run
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("embedded Azure price snapshot").contains("eastus");
    List<String> plan = Files.readAllLines(prov);
    assertThat(plan).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("Standard_"));
    // the default filters hold on Azure sizes too (taxonomy from the snapshot)
    Map<String, AzureCatalogs.Facts> facts = AzureCatalogs.facts();
    for (String line : plan) {
      AzureCatalogs.Facts f = facts.get(line.split("\\|")[0]);
      assertThat(f.accelerated()).as(line).isFalse();
    }
    assertThat(prices.getAllServeEvents()).isEmpty();
  }

  @Test
  void anAwsRegionNameOnAzureIsBadInputNamingTheOption() throws Exception {
    Path args = Files.writeString(tmp.resolve("args.txt"), "a\n");
    Run run = cli("--dry-run", "--provider", "azure", "-R", "us-east-1", "-A", args.toString(),
        "-P", "1", "-M", "1", "-L", tmp.resolve("p.psv").toString());
    assertThat(run.status()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(run.err().strip()).doesNotContain("\n").contains("-R/--region: 'us-east-1' is not"
        + " an Azure region name");
    assertThat(tmp.resolve("p.psv")).doesNotExist();
  }

  private record Run(int status, String out, String err) {}

  private static Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }
}
