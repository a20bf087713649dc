package dev.aether.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a login and a subscription on this machine without a network call. */
class AzureLoginTest {
  private static final String SUB = "8f4e2a10-5b3c-4d6e-9f70-1a2b3c4d5e6f";
  @TempDir Path home;

  private void azLogin(boolean tokenCache) throws Exception {
    Path azure = Files.createDirectories(home.resolve(".azure"));
    // as the CLI writes it: with a byte-order mark, the default subscription flagged
    Files.writeString(azure.resolve("azureProfile.json"), "\uFEFF{\"subscriptions\":["
        + "{\"id\":\"00000000-1111-2222-3333-444444444444\",\"isDefault\":false},"
        + "{\"id\":\"" + SUB.toUpperCase() + "\",\"isDefault\":true}]}");
    if (tokenCache) {
      Files.writeString(azure.resolve("msal_token_cache.json"), "{}");
    }
  }

  @Test
  void anAzLoginIsFoundAndNamesTheDefaultSubscription() throws Exception {
    azLogin(true);
    assertThat(AzureLogin.found(Map.of(), home)).isTrue();
    assertThat(AzureLogin.subscription(Optional.empty(), Map.of(), home)).contains(SUB);
  }

  @Test
  void aProfileWithoutTokensIsNoLoginButStillNamesTheSubscription() throws Exception {
    azLogin(false);
    assertThat(AzureLogin.found(Map.of(), home)).isFalse();
    assertThat(AzureLogin.subscription(Optional.empty(), Map.of(), home)).contains(SUB);
  }

  @Test
  void theCliFolderCanBeMovedWithAzureConfigDir() throws Exception {
    azLogin(true);
    Path moved = Files.move(home.resolve(".azure"), home.resolve("elsewhere"));
    assertThat(AzureLogin.found(Map.of(), home)).isFalse();
    assertThat(AzureLogin.found(Map.of("AZURE_CONFIG_DIR", moved.toString()), home)).isTrue();
  }

  @Test
  void aServicePrincipalNeedsItsIdTenantAndASecretCertificateOrFederatedToken() {
    Map<String, String> id = Map.of("AZURE_CLIENT_ID", "c", "AZURE_TENANT_ID", "t");
    assertThat(AzureLogin.found(id, home)).isFalse();
    for (String secret : new String[] {"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_FEDERATED_TOKEN_FILE"}) {
      Map<String, String> env = new java.util.HashMap<>(id);
      env.put(secret, "x");
      assertThat(AzureLogin.found(env, home)).as(secret).isTrue();
    }
    assertThat(AzureLogin.found(Map.of("AZURE_CLIENT_SECRET", "x"), home)).isFalse();
  }

  @Test
  void theSubscriptionGivenWinsOverTheEnvironmentWhichWinsOverTheCli() throws Exception {
    azLogin(true);
    String env = "11111111-2222-3333-4444-555555555555";
    String given = "99999999-8888-7777-6666-555555555555";
    assertThat(AzureLogin.subscription(Optional.empty(), Map.of("AZURE_SUBSCRIPTION_ID", env),
        home)).contains(env);
    assertThat(AzureLogin.subscription(Optional.of(given), Map.of("AZURE_SUBSCRIPTION_ID", env),
        home)).contains(given);
    assertThat(AzureLogin.subscription(Optional.empty(), Map.of(), home.resolve("nobody")))
        .isEmpty();
  }

  @Test
  void aSubscriptionThatIsNoGuidIsBadInputNamingWhereItCameFrom() {
    assertThatThrownBy(() -> AzureLogin.subscription(Optional.of("my-sub"), Map.of(), home))
        .isInstanceOf(AetherException.class).hasMessageContaining("--subscription: 'my-sub'")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
    assertThatThrownBy(() -> AzureLogin.subscription(Optional.empty(),
        Map.of("AZURE_SUBSCRIPTION_ID", "nope"), home))
        .hasMessageContaining("AZURE_SUBSCRIPTION_ID: 'nope'");
  }
}
