package dev.aether.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.AccessToken;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** vCPU quotas from the Compute usage API, in the bidder's terms. */
class AzureQuotasTest {
  private static final Map<String, AzureCatalogs.Facts> FACTS = AzureCatalogs.facts();

  private static InstanceType size(String name) {
    return AzureCatalogs.sizes().get(name);
  }

  @Test
  void payAsYouGoIsBoundByTheFamilyAndTheRegionSpotByTheRegionsSpotVcpus() {
    InstanceType d2s = size("Standard_D2s_v5");
    Limits limits = AzureQuotas.limits(Map.of("cores", 90, "lowprioritycores", 50,
        "standarddsv5family", 16), List.of(d2s), FACTS);

    assertThat(limits.vcpuQuota(d2s.quotaClass(), Market.ON_DEMAND)).contains(16);
    assertThat(limits.vcpuQuota(d2s.quotaClass(), Market.SPOT)).contains(50);
    assertThat(limits.perType()).isEmpty();
  }

  @Test
  void theRegionBindsWhenLessOfItIsLeftThanOfTheFamily() {
    InstanceType d2s = size("Standard_D2s_v5");
    Limits limits = AzureQuotas.limits(Map.of("cores", 5, "standarddsv5family", 16),
        List.of(d2s), FACTS);
    assertThat(limits.vcpuQuota(d2s.quotaClass(), Market.ON_DEMAND)).contains(5);
    assertThat(limits.vcpuQuota(d2s.quotaClass(), Market.SPOT)).as("no Spot quota listed")
        .isEmpty();
  }

  @Test
  void aFamilyTheUsageApiDoesNotListIsBoundByTheRegionAlone() {
    InstanceType d2s = size("Standard_D2s_v5");
    Limits limits = AzureQuotas.limits(Map.of("cores", 40), List.of(d2s), FACTS);
    assertThat(limits.vcpuQuota(d2s.quotaClass(), Market.ON_DEMAND)).contains(40);
  }

  @Test
  void readsWhatIsLeftOfEachQuotaFromTheSubscription() throws Exception {
    try (FakeArm fake = new FakeArm()) {
      fake.usages.put("cores", new int[] {100, 10});
      fake.usages.put("lowPriorityCores", new int[] {50, 0});
      fake.usages.put("standardDSv5Family", new int[] {20, 4});
      fake.usages.put("standardDASv5Family", new int[] {8, 8});
      fake.usages.put("availabilitySets", new int[] {2500, 0});
      Arm arm = new Arm(ctx -> Mono.just(new AccessToken(FakeVm.jwt(
          "https://management.azure.com", AzureEndToEnd.USER_OID),
          OffsetDateTime.now().plusHours(1))), FakeArm.SUBSCRIPTION, new AzureEndpoints(
          fake.endpoint(), Optional.empty(), URI.create("http://127.0.0.1:9"),
          URI.create("http://127.0.0.1:9")), Optional.of(TestTls.get().azureHttpClient()));
      List<Offer> eastus = AzureCatalogs.embedded().inRegion("eastus").offers();

      Limits limits = new AzureQuotas(arm, "eastus", eastus).read();

      assertThat(fake.calls("GET", "/providers/Microsoft.Compute/locations/eastus/usages"))
          .hasSize(1);
      assertThat(fake.unknown).isEmpty();
      InstanceType d2s = size("Standard_D2s_v5");
      InstanceType d2as = size("Standard_D2as_v5");
      // every class of the region's sizes is bounded: by the region's 90 vCPUs left at most,
      // and the full DASv5 family leaves its sizes nothing once they have a class of their own
      for (Offer o : eastus) {
        assertThat(limits.vcpuQuota(o.type().quotaClass(), Market.ON_DEMAND)).isPresent()
            .hasValueSatisfying(q -> assertThat(q).isBetween(0, 90));
        assertThat(limits.vcpuQuota(o.type().quotaClass(), Market.SPOT)).contains(50);
      }
      if (!d2s.quotaClass().equals(d2as.quotaClass())) {
        assertThat(limits.vcpuQuota(d2s.quotaClass(), Market.ON_DEMAND)).contains(16);
        assertThat(limits.vcpuQuota(d2as.quotaClass(), Market.ON_DEMAND)).contains(0);
      }
    }
  }
}
