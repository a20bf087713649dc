package dev.aether.providers.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeEnvironment;
import dev.aether.core.spi.NodeOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AzureProviderTest {
  @TempDir Path home;

  @ParameterizedTest
  @ValueSource(strings = {"us-east-1", "East US", "", "e"})
  void aRegionThatIsNoAzureRegionNameIsBadInputNamingTheOption(String region) {
    assertThatThrownBy(() -> AzureProvider.Settings.in(region))
        .isInstanceOf(AetherException.class).hasMessageStartingWith("-R/--region: '" + region + "'")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
  }

  @Test
  void aCoordinatorPortOutOfRangeIsBadInput() {
    assertThatThrownBy(() -> new AzureProvider.Settings("eastus", Optional.empty(), 70000))
        .hasMessageContaining("--coordinator-port must be 1 to 65535, got 70000");
  }

  @Test
  void withoutALoginNoQuotasAreAskedForAndNothingIsFound() {
    AzureProvider p = new AzureProvider(AzureProvider.Settings.in("eastus"), Map.of(), home,
        Optional.empty(), null);
    assertThat(p.credentialsFound()).isFalse();
    assertThat(p.quotas()).isEmpty();
    assertThat(p.prices()).isPresent();
  }

  @Test
  void openingAProjectWithNoSubscriptionAnywhereSaysHowToChooseOne() {
    // the metadata service of "this VM" is a closed port: this is no Azure VM
    AzureProvider p = new AzureProvider(AzureProvider.Settings.in("eastus"),
        Map.of(AzureEndpoints.IMDS_ENV, "http://127.0.0.1:9"), home, Optional.empty(), null);
    assertThatThrownBy(() -> p.open("demo")).isInstanceOf(AetherException.class)
        .hasMessageContaining("no Azure subscription").hasMessageContaining("az login")
        .hasMessageContaining("--subscription");
  }

  @Test
  void aNodeKnowsItselfFromTheMetadataServiceAndItsBucketFromItsRegion() {
    WireMockServer imds = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    imds.start();
    try {
      imds.stubFor(get(urlPathEqualTo("/metadata/instance"))
          .withQueryParam("api-version", equalTo(InstanceMetadata.API_VERSION))
          .withHeader("Metadata", equalTo("true"))
          .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("""
              {"compute": {"name": "aether-w-3k9x0q2m7a", "location": "westus2",
                "subscriptionId": "8f4e2a10-5b3c-4d6e-9f70-1a2b3c4d5e6f",
                "resourceGroupName": "aether-demo", "vmSize": "Standard_D2s_v5"},
               "network": {"interface": [{"ipv4": {"ipAddress": [
                 {"privateIpAddress": "10.42.0.5", "publicIpAddress": ""}]}}]}}
              """)));
      AzureProvider p = new AzureProvider(AzureProvider.Settings.in("eastus"),
          Map.of(AzureEndpoints.IMDS_ENV, imds.baseUrl()), home, Optional.empty(), null);
      try (NodeEnvironment me = p.nodeEnvironment(new NodeOptions("demo", "demo",
          Optional.of("westus2"), Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty()))) {
        assertThat(me.nodeId()).isEqualTo("aether-w-3k9x0q2m7a");
        assertThat(me.address()).isEqualTo("10.42.0.5");
        String account = new AzureNames("8f4e2a10-5b3c-4d6e-9f70-1a2b3c4d5e6f", "westus2",
            "demo").account();
        assertThat(me.storage().location())
            .isEqualTo("https://" + account + ".blob.core.windows.net/demo");
      }
      assertThat(imds.findAllUnmatchedRequests()).isEmpty();
    } finally {
      imds.stop();
    }
  }
}
