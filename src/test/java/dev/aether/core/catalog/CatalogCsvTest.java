package dev.aether.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CatalogCsvTest {
  private static Catalog read(String csv) throws Exception {
    return CatalogCsv.read(new StringReader(csv), "test.csv");
  }

  @Test
  void readsColumnsByNameInAnyOrder() throws Exception {
    Catalog c = read("""
        region,on_demand_price,memory_gib,vcpus,instance_type,spot_price,zone,storage_gb
        us-east-1,0.17,8,2,m5d.large,0.05,use1-az1,75
        """);
    assertThat(c.offers()).hasSize(2);
    Offer spot = c.offers().stream().filter(o -> o.market() == Market.SPOT).findFirst().get();
    assertThat(spot.type()).isEqualTo(new InstanceType("m5d.large", 2, 8, 75, "x86_64"));
    assertThat(spot.zone()).isEqualTo("use1-az1");
    assertThat(spot.price()).isEqualByComparingTo("0.05");
  }

  @Test
  void spotRiskPriceIsHistoricalMaxCappedAtOnDemandOrOnDemandWithoutHistory() throws Exception {
    Catalog c = read("""
        instance_type,vcpus,memory_gib,region,on_demand_price,spot_price,spot_max_price
        a.large,2,4,r1,0.10,0.03,0.06
        b.large,2,4,r1,0.10,0.03,0.25
        c.large,2,4,r1,0.10,0.03,
        """);
    assertThat(riskOfSpot(c, "a.large")).isEqualByComparingTo("0.06");
    assertThat(riskOfSpot(c, "b.large")).isEqualByComparingTo("0.10");
    assertThat(riskOfSpot(c, "c.large")).isEqualByComparingTo("0.10");
  }

  @Test
  void emptySpotPriceMeansNoSpotOffer() throws Exception {
    Catalog c = read("""
        instance_type,vcpus,memory_gib,region,on_demand_price,spot_price
        a.large,2,4,r1,0.10,
        """);
    assertThat(c.offers()).extracting(Offer::market).containsExactly(Market.ON_DEMAND);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "vcpus not a number    | a.large,two,4,r1,0.1   | line 2, column vcpus",
    "vcpus fractional      | a.large,2.5,4,r1,0.1   | line 2, column vcpus",
    "negative price        | a.large,2,4,r1,-0.1    | line 2, column on_demand_price",
    "empty region          | a.large,2,4,,0.1       | line 2, column region",
    "zero memory           | a.large,2,0,r1,0.1     | line 2, column instance_type",
  })
  void rejectsMalformedRowWithLineAndColumn(String why, String row, String expected) {
    String csv = "instance_type,vcpus,memory_gib,region,on_demand_price\n" + row + "\n";
    assertThatThrownBy(() -> read(csv))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("test.csv")
        .hasMessageContaining(expected)
        .extracting(e -> ((AetherException) e).exitStatus()).isEqualTo(2);
  }

  @Test
  void takesTheProvidersFactsAndInterruptionRateFromTheirColumns() throws Exception {
    Catalog c = read("""
        instance_type,vcpus,memory_gib,region,on_demand_price,spot_price,interruption_rate,burstable,accelerated,previous_generation,quota_class,storage_gb
        gx.large,2,4,r1,0.50,0.20,0.0004,false,TRUE,false,g,37.5
        tx.small,2,2,r1,0.02,0.01,,true,,,,
        """);
    Offer gpu = spotOf(c, "gx.large");
    assertThat(gpu.type().accelerated()).isTrue();
    assertThat(gpu.type().quotaClass()).isEqualTo("g");
    assertThat(gpu.type().storageGb()).isEqualTo(37.5);
    assertThat(gpu.interruptionRate()).hasValue(0.0004);
    Offer small = spotOf(c, "tx.small");
    assertThat(small.type().burstable()).isTrue();
    assertThat(small.type().previousGeneration()).isFalse();
    assertThat(small.type().quotaClass()).isEqualTo("standard");
    assertThat(small.interruptionRate()).isEmpty();
  }

  @Test
  void namesNoFactsFromTheTypeNameWhenTheColumnsAreAbsent() throws Exception {
    Catalog c = read("""
        instance_type,vcpus,memory_gib,region,on_demand_price
        g4dn.xlarge,4,16,r1,0.526
        """);
    InstanceType t = c.offers().get(0).type();
    assertThat(t.accelerated()).isFalse();
    assertThat(t.quotaClass()).isEqualTo("standard");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "not a boolean          | a.large,2,4,r1,0.1,0.05,,yes,,,     | line 2, column burstable",
    "rate of 1              | a.large,2,4,r1,0.1,0.05,1,,,,       | line 2, column interruption_rate",
    "negative rate          | a.large,2,4,r1,0.1,0.05,-0.1,,,,    | line 2, column interruption_rate",
    "quota class with space | a.large,2,4,r1,0.1,0.05,,,,,my class | line 2, column quota_class",
  })
  void rejectsMalformedFactsWithLineAndColumn(String why, String row, String expected) {
    String csv = "instance_type,vcpus,memory_gib,region,on_demand_price,spot_price,"
        + "interruption_rate,burstable,accelerated,previous_generation,quota_class\n" + row + "\n";
    assertThatThrownBy(() -> read(csv))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining(expected)
        .extracting(e -> ((AetherException) e).exitStatus()).isEqualTo(2);
  }

  @Test
  void comparesOfferKeysAsTheirStringsCompare() {
    java.util.List<Offer> offers = EmbeddedCatalog.load().offers();
    java.util.Random rnd = new java.util.Random(3);
    for (int i = 0; i < 20_000; i++) {
      Offer a = offers.get(rnd.nextInt(offers.size()));
      Offer b = offers.get(rnd.nextInt(offers.size()));
      assertThat(Integer.signum(Offer.compareKeys(a, b)))
          .isEqualTo(Integer.signum(a.key().compareTo(b.key())));
    }
    InstanceType shortName = new InstanceType("c5.large", 2, 4, 0, null);
    InstanceType longName = new InstanceType("c5.large2", 2, 4, 0, null);
    Offer x = new Offer(shortName, "r", "z", Market.SPOT, BigDecimal.ONE, null);
    Offer y = new Offer(longName, "r", "z", Market.SPOT, BigDecimal.ONE, null);
    assertThat(Integer.signum(Offer.compareKeys(x, y)))
        .isEqualTo(Integer.signum(x.key().compareTo(y.key())));
  }

  private static Offer spotOf(Catalog c, String type) {
    return c.offers().stream()
        .filter(o -> o.type().name().equals(type) && o.market() == Market.SPOT)
        .findFirst().orElseThrow();
  }

  @Test
  void writesWhatItReads() throws Exception {
    Catalog embedded = EmbeddedCatalog.load().inRegion("us-west-2");
    Catalog again = read(CatalogCsv.write(embedded));
    assertThat(again.offers()).isEqualTo(embedded.offers());
  }

  @Test
  void rejectsMissingRequiredColumn() {
    assertThatThrownBy(() -> read("instance_type,vcpus,region,on_demand_price\na,2,r1,0.1\n"))
        .hasMessageContaining("missing column 'memory_gib'");
  }

  @Test
  void namesTheLineOfALaterBadRow() {
    String csv = "instance_type,vcpus,memory_gib,region,on_demand_price\n"
        + "a.large,2,4,r1,0.1\n" + "b.large,2,4,r1,0.1\n" + "c.large,2,4,r1,oops"; // no newline at the end
    assertThatThrownBy(() -> read(csv)).hasMessageContaining("line 4, column on_demand_price");
  }

  @Test
  void unreadableFileIsInvalidInputNamingTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.csv");
    assertThatThrownBy(() -> CatalogCsv.read(missing))
        .hasMessageContaining("--catalog " + missing);
  }

  @Test
  void readsAFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.csv");
    Files.writeString(f, "instance_type,vcpus,memory_gib,region,on_demand_price\na.large,2,4,r1,0.1\n");
    assertThat(CatalogCsv.read(f).offers()).hasSize(1);
  }

  private static BigDecimal riskOfSpot(Catalog c, String type) {
    return c.offers().stream()
        .filter(o -> o.type().name().equals(type) && o.market() == Market.SPOT)
        .findFirst().orElseThrow().riskPrice();
  }
}
