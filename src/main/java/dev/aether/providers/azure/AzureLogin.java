package dev.aether.providers.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aether.core.AetherException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who Aether is on Azure, and in which subscription. Credentials are always the Azure SDK's
 * default chain ({@code DefaultAzureCredential}: a service principal or workload identity in the
 * environment, the VM's managed identity, then {@code az login}); Aether never reads, stores or
 * passes a secret itself. On a node that chain finds the node's user-assigned managed identity
 * (its client id is in {@code AZURE_CLIENT_ID}, which the SDK reads). See
 * https://learn.microsoft.com/azure/developer/java/sdk/authentication/credential-chains
 */
final class AzureLogin {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Subscription ids are GUIDs. */
  private static final Pattern GUID =
      Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  private AzureLogin() {}

  static TokenCredential credential() {
    return new DefaultAzureCredentialBuilder().build();
  }

  /**
   * Whether the default chain would find a login on this machine, looked for without a network
   * call: a service principal (client id, tenant and a secret, certificate or federated token
   * file) in the environment, or an {@code az login} (the Azure CLI's profile with a subscription
   * and its token cache) in {@code $AZURE_CONFIG_DIR} or {@code ~/.azure}. A VM's managed
   * identity cannot be seen without asking the metadata service, so it is not counted here.
   */
  static boolean found(Map<String, String> env, Path home) {
    boolean principal = has(env, "AZURE_CLIENT_ID") && has(env, "AZURE_TENANT_ID")
        && (has(env, "AZURE_CLIENT_SECRET") || has(env, "AZURE_CLIENT_CERTIFICATE_PATH")
            || has(env, "AZURE_FEDERATED_TOKEN_FILE"));
    if (principal) {
      return true;
    }
    Path dir = cliDir(env, home);
    return defaultSubscription(env, home).isPresent()
        && (Files.exists(dir.resolve("msal_token_cache.json"))
            || Files.exists(dir.resolve("msal_token_cache.bin"))
            || Files.exists(dir.resolve("accessTokens.json")));
  }

  /**
   * The subscription to work in: {@code --subscription}, else {@code AZURE_SUBSCRIPTION_ID},
   * else the Azure CLI's default ({@code az account set}).
   */
  static Optional<String> subscription(Optional<String> given, Map<String, String> env,
      Path home) {
    if (given.isPresent()) {
      return Optional.of(checkSubscription("--subscription", given.get()));
    }
    if (has(env, "AZURE_SUBSCRIPTION_ID")) {
      return Optional.of(checkSubscription("AZURE_SUBSCRIPTION_ID",
          env.get("AZURE_SUBSCRIPTION_ID").strip()));
    }
    return defaultSubscription(env, home);
  }

  static String checkSubscription(String where, String id) {
    if (!GUID.matcher(id).matches()) {
      throw AetherException.invalidInput(where + ": '" + id + "' is not an Azure subscription id"
          + " (a GUID such as 00000000-0000-0000-0000-000000000000; az account list shows yours)");
    }
    return id.toLowerCase(java.util.Locale.ROOT);
  }

  /** The subscription marked {@code isDefault} in the Azure CLI's {@code azureProfile.json}. */
  private static Optional<String> defaultSubscription(Map<String, String> env, Path home) {
    Path profile = cliDir(env, home).resolve("azureProfile.json");
    if (!Files.isRegularFile(profile)) {
      return Optional.empty();
    }
    try {
      // the CLI writes the file with a byte-order mark
      String text = Files.readString(profile, StandardCharsets.UTF_8).replace("\uFEFF", "");
      for (JsonNode s : JSON.readTree(text).path("subscriptions")) {
        String id = s.path("id").asText("");
        if (s.path("isDefault").asBoolean(false) && GUID.matcher(id).matches()) {
          return Optional.of(id.toLowerCase(java.util.Locale.ROOT));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // an unreadable profile is no login
    }
  }

  private static Path cliDir(Map<String, String> env, Path home) {
    return has(env, "AZURE_CONFIG_DIR") ? Path.of(env.get("AZURE_CONFIG_DIR"))
        : home.resolve(".azure");
  }

  private static boolean has(Map<String, String> env, String name) {
    String v = env.get(name);
    return v != null && !v.isBlank();
  }
}
