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
