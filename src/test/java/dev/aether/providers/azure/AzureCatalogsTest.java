package dev.aether.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded Azure snapshot, read as the bidder reads it (through CatalogCsv). */
class AzureCatalogsTest {
  /** The snapshot's rows for eastus, by size, as raw columns (the taxonomy is not in Offer yet). */
  private static Map<String, Map<String, String>> eastus;

  @BeforeAll
  static void readRows() throws Exception {
    eastus = new HashMap<>();
    try (InputStream in = AzureCatalogs.class.getResourceAsStream(AzureCatalogs.RESOURCE);
        MappingIterator<Map<String, String>> rows = new CsvMapper().readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader()).readValues(in)) {
      while (rows.hasNext()) {
        Map<String, String> row = rows.next();
        if (row.get("region").equals("eastus")) {
          eastus.put(row.get("instance_type"), row);
        }
      }
    }
  }

  @Test
  void coversTheNineUsRegions() {
    Catalog catalog = AzureCatalogs.embedded();
    assertThat(catalog.source()).isEqualTo(AzureCatalogs.SOURCE);
    assertThat(catalog.regions()).containsExactly("centralus", "eastus", "eastus2",
        "northcentralus", "southcentralus", "westcentralus", "westus", "westus2", "westus3");
  }

  @Test
  void givesPayAsYouGoAndSpotOffersWithTheSnapshotPrices() {
    Map<String, Offer> offers = AzureCatalogs.embedded().inRegion("eastus").offers().stream()
        .collect(Collectors.toMap(Offer::key, o -> o));
    Offer payg = offers.get("Standard_D2s_v5/eastus/on-demand");
    Offer spot = offers.get("Standard_D2s_v5/eastus/spot");
    assertThat(payg.price()).isEqualByComparingTo("0.096");
    assertThat(spot.price()).isEqualByComparingTo("0.01056");
    assertThat(spot.riskPrice()).isEqualByComparingTo("0.096");
    assertThat(spot.type().vcpus()).isEqualTo(2);
    assertThat(spot.type().memoryGib()).isEqualTo(8.0);
    assertThat(spot.zone()).isEmpty();
  }

  @Test
  void aSizeWithoutASpotPriceHasOnlyAPayAsYouGoOffer() {
    List<Market> markets = AzureCatalogs.embedded().inRegion("eastus").offers().stream()
        .filter(o -> o.type().name().equals("Standard_B2s")).map(Offer::market).toList();
    assertThat(markets).containsExactly(Market.ON_DEMAND);
  }

  @Test
  void aSizeNotSoldPayAsYouGoIsLeftOut() {
    // Standard_G1 has no price at all in eastus in the source
    assertThat(eastus).doesNotContainKey("Standard_G1");
    assertThat(AzureCatalogs.embedded().inRegion("eastus").offers())
        .noneMatch(o -> o.type().name().equals("Standard_G1"));
  }

  @Test
  void knowsTheArmSizesWithVcpusMemoryAndArchitecture() {
    var sizes = AzureCatalogs.sizes();
    assertThat(sizes).hasSizeGreaterThan(700);
    assertThat(sizes.get("Standard_NC4as_T4_v3").vcpus()).isEqualTo(4);
    assertThat(sizes.get("Standard_D4ps_v5").arch()).isEqualTo("arm64");
    assertThat(sizes.get("Standard_D4s_v5").arch()).isEqualTo("x86_64");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      Standard_B2s          | true  | false | true  | standardBSFamily
      Standard_B2s_v2       | true  | false | false | standardBsv2Family
      Standard_B2pls_v2     | true  | false | false | standardBpsv2Family
      Standard_D2s_v5       | false | false | false | standardDSv5Family
      Standard_D2ads_v5     | false | false | false | standardDADSv5Family
      Standard_E4-2s_v5     | false | false | false | standardESv5Family
      Standard_D2_v2        | false | false | true  | standardDv2Family
      Standard_DS2_v2_Promo | false | false | true  | standardDSv2PromoFamily
      Standard_D2s_v3       | false | false | true  | standardDSv3Family
      Standard_D2s_v4       | false | false | false | standardDSv4Family
      Standard_A1_v2        | false | false | true  | standardAv2Family
      Basic_A1              | false | false | true  | basicAFamily
      Standard_F2s_v2       | false | false | true  | standardFSv2Family
      Standard_NC4as_T4_v3  | false | true  | false | standardNCASv3_T4Family
      Standard_NC6s_v3      | false | true  | true  | standardNCSv3Family
      Standard_NV36ads_A10_v5 | false | true | false | StandardNVADSA10v5Family
      Standard_NP10s        | false | true  | false | standardNPSFamily
      Standard_M8-2ms       | false | false | false | standardMSFamily
      Standard_HB120rs_v3   | false | false | false | standardHBv3Family
      """)
  void labelsTheTaxonomyColumns(String size, String burstable, String accelerated,
      String previousGeneration, String quotaClass) {
    Map<String, String> row = eastus.get(size);
    assertThat(row).as(size).isNotNull();
    assertThat(row.get("burstable")).isEqualTo(burstable);
    assertThat(row.get("accelerated")).isEqualTo(accelerated);
    assertThat(row.get("previous_generation")).isEqualTo(previousGeneration);
    assertThat(row.get("quota_class")).isEqualTo(quotaClass);
    assertThat(row.get("interruption_rate")).isEmpty();
  }
}
