package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.Provider;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderRegistryTest {
  @TempDir Path home;

  private ProviderChoice choice(String name) {
    return new ProviderChoice(Optional.ofNullable(name),
        ProviderRegistry.defaultRegion(Optional.ofNullable(name)), Optional.empty(),
        Optional.empty(), "aether-node", 7070, new ProjectDirs(home));
  }

  @Test
  void namesEveryProviderAndBuildsEachByName() {
    assertThat(ProviderRegistry.names()).contains("local", "aws", "azure");
    for (String name : ProviderRegistry.names().split(", ")) {
      assertThat(ProviderRegistry.resolve(choice(name)).name()).isEqualTo(name);
    }
  }

  @Test
  void anUnknownProviderIsBadInputNamingTheChoices() {
    assertThatThrownBy(() -> ProviderRegistry.resolve(choice("gcp")))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("--provider: 'gcp' is not one of: ")
        .hasMessageContaining("local")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
  }

  @Test
  void capabilitiesSayWhatEachProviderCanDo() {
    Provider local = ProviderRegistry.resolve(choice("local"));
    Provider aws = ProviderRegistry.resolve(choice("aws"));
    assertThat(local.capabilities()).doesNotContain(Capability.SPOT, Capability.BIDS,
        Capability.REMOTE_COORDINATOR);
    assertThat(local.credentialsFound()).isTrue();
    assertThat(aws.capabilities()).contains(Capability.SPOT, Capability.INTERRUPTIONS,
        Capability.ATTACH_STORAGE, Capability.REMOTE_COORDINATOR, Capability.LIVE_PRICES,
        Capability.BIDS);
  }

  @Test
  void azureBidsSpotWithEvictionsAndRunsItsCoordinatorOnAVmInItsOwnDefaultRegion() {
    Provider azure = ProviderRegistry.resolve(choice("azure"));
    assertThat(azure.capabilities()).contains(Capability.SPOT, Capability.INTERRUPTIONS,
        Capability.REMOTE_COORDINATOR, Capability.LIVE_PRICES, Capability.BIDS)
        .doesNotContain(Capability.ATTACH_STORAGE);
    assertThat(ProviderRegistry.defaultRegion(Optional.of("azure"))).isEqualTo("eastus");
    assertThat(ProviderRegistry.defaultRegion(Optional.empty())).isEqualTo("us-east-1");
    assertThat(azure.embeddedCatalog().source()).contains("Azure");
  }

  @Test
  void keysGivenOnTheCommandLineChooseAwsWithoutTheDefaultChain() {
    ProviderChoice withKeys = new ProviderChoice(Optional.empty(), "us-east-1",
        Optional.of("AKIAIOSFODNN7EXAMPLE"), Optional.of("secret"), "aether-node", 7070,
        new ProjectDirs(home));
    Provider p = ProviderRegistry.resolve(withKeys);
    assertThat(p.name()).isEqualTo("aws");
    assertThat(withKeys.toString()).doesNotContain("secret").doesNotContain("AKIA");
  }
}
