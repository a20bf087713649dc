package dev.aether.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmbeddedCatalogTest {
  private final Catalog catalog = EmbeddedCatalog.load();

  @Test
  void coversBothSnapshotRegions() {
    assertThat(catalog.regions()).containsExactly("us-east-1", "us-west-2");
  }

  @Test
  void hasObservedPerZoneSpotPricesBelowOnDemand() {
    Offer spot = catalog.offers().stream()
        .filter(o -> o.type().name().equals("c5.large") && o.market() == Market.SPOT
            && o.zone().equals("use1-az1"))
        .findFirst().orElseThrow();
    Offer onDemand = catalog.offers().stream()
        .filter(o -> o.type().name().equals("c5.large") && o.market() == Market.ON_DEMAND
            && o.zone().equals("use1-az1"))
        .findFirst().orElseThrow();
    assertThat(spot.price()).isLessThan(onDemand.price());
    // No price history in the snapshot: a spot offer risks the on-demand price.
    assertThat(spot.riskPrice()).isEqualByComparingTo(onDemand.price());
  }

  @Test
  void knowsInstanceStorageOfNvmeFamilies() {
    assertThat(catalog.offers()).filteredOn(o -> o.type().name().equals("i3.large"))
        .allSatisfy(o -> assertThat(o.type().storageGb()).isEqualTo(475));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}: {1} GB")
  @org.junit.jupiter.params.provider.CsvSource({
    "d3.xlarge, 5940", "d3en.12xlarge, 335520", "h1.16xlarge, 16000", "i3en.24xlarge, 60000",
    "i7ie.48xlarge, 120000", "m7gd.12xlarge, 2850", "r8gd.48xlarge, 11400", "c6gd.medium, 59",
    "g6e.12xlarge, 3800", "gr6.8xlarge, 900", "x2iedn.xlarge, 118", "z1d.12xlarge, 1800",
    "m1.small, 160", "p5.48xlarge, 30400", "c5.large, 0", "m5.16xlarge, 0"})
  void knowsInstanceStorageOfEveryFamilyThatHasIt(String type, double gb) {
    assertThat(catalog.offers()).filteredOn(o -> o.type().name().equals(type)).isNotEmpty()
        .allSatisfy(o -> assertThat(o.type().storageGb()).isEqualTo(gb));
  }

  @Test
  void gr6IsAGpuTypeInTheGClass() {
    assertThat(catalog.offers()).filteredOn(o -> o.type().name().startsWith("gr6."))
        .isNotEmpty()
        .allSatisfy(o -> {
          assertThat(o.type().accelerated()).isTrue();
          assertThat(o.type().quotaClass()).isEqualTo("g");
        });
  }

  @Test
  void spotOffersCarryTheAdvisorsBandAsAnHourlyRate() {
    Offer spot = catalog.offers().stream()
        .filter(o -> o.type().name().equals("c5.large") && o.market() == Market.SPOT
            && o.zone().equals("use1-az1"))
        .findFirst().orElseThrow();
    // c5.large in us-east-1 is in the advisor's lowest band (<5% a month).
    assertThat(spot.interruptionRate()).hasValue(0.000035163003967);
    assertThat(InterruptionBands.bandOf(spot.interruptionRate().getAsDouble())).isZero();
    assertThat(catalog.offers()).filteredOn(o -> o.market() == Market.SPOT)
        .allSatisfy(o -> o.interruptionRate().ifPresent(r -> assertThat(r).isCloseTo(
            InterruptionBands.hourlyRate(InterruptionBands.bandOf(r)),
            org.assertj.core.api.Assertions.within(1e-14))));
    assertThat(catalog.offers()).filteredOn(o -> o.market() == Market.SPOT)
        .filteredOn(o -> o.interruptionRate().isPresent()).hasSizeGreaterThan(2000);
  }

  @Test
  void tellsBurstableTypesApart() {
    assertThat(catalog.withoutBurstable().offers())
        .isNotEmpty()
        .noneMatch(o -> o.type().name().startsWith("t3a.") || o.type().name().startsWith("t2.")
            || o.type().name().startsWith("m7i-flex."))
        .anyMatch(o -> o.type().name().startsWith("trn1.")); // Trainium is not burstable
  }

  @Test
  void tellsAcceleratedTypesApart() {
    assertThat(catalog.withoutAccelerators().offers())
        .isNotEmpty()
        .noneMatch(o -> o.type().name().matches("(g4dn|p3|inf1|trn1|f1|dl1)\\..*"))
        .anyMatch(o -> o.type().name().startsWith("x2idn."))
        .anyMatch(o -> o.type().name().startsWith("c5."));
  }

  @Test
  void tellsPreviousGenerationTypesApart() {
    assertThat(catalog.withoutPreviousGeneration().offers())
        .isNotEmpty()
        .noneMatch(o -> o.type().name().matches("(m1|m3|c4|r3|i2)\\..*"))
        .anyMatch(o -> o.type().name().startsWith("m5."));
    assertThat(catalog.offers()).anyMatch(o -> o.type().name().equals("m1.small"));
  }

  @Test
  void isAPlainCsvThatJacksonReadsTheSame() throws Exception {
    // The snapshot is read by splitting lines (fast); Jackson's parser must agree.
    try (var in = EmbeddedCatalog.class.getResourceAsStream(EmbeddedCatalog.RESOURCE)) {
      String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(text).doesNotContain("\"");
      Catalog jackson = CatalogCsv.read(new java.io.StringReader(text), "snapshot");
      assertThat(jackson.offers()).isEqualTo(catalog.offers());
    }
  }

  @Test
  void leavesOutLocalZones() {
    assertThat(catalog.offers()).noneMatch(o -> o.zone().contains("-atl") || o.zone().contains("-lax"));
  }

  @Test
  void filtersByArchitecture() {
    assertThat(catalog.withArch("arm64").offers())
        .isNotEmpty()
        .allSatisfy(o -> assertThat(o.type().arch()).isEqualTo("arm64"));
    assertThat(catalog.withArch("any").offers()).hasSameSizeAs(catalog.offers());
  }
}
