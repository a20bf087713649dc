package dev.aether.providers.azure;

import dev.aether.core.AetherException;
import java.net.URI;
import java.util.Map;

/**
 * Where Aether reaches Azure: Resource Manager, Blob storage, the instance metadata service (on a
 * node) and the Retail Prices API. Azure's public cloud unless an {@code AETHER_AZURE_*_ENDPOINT}
 * variable says otherwise; the tests point them at their fakes on loopback, as AWS's tests do with
 * the SDK's {@code AWS_ENDPOINT_URL_*}. (Managed identity tokens come from the metadata service
 * through the Azure SDK, which reads its own {@code AZURE_POD_IDENTITY_AUTHORITY_HOST}.)
 *
 * @param arm Resource Manager, e.g. {@code https://management.azure.com/}
 * @param blobBase when set, blobs of account A are at {@code blobBase/A} (an emulator's path
 *     style); else at {@code https://A.blob.core.windows.net}
 * @param imds the instance metadata service as a node sees it
 * @param retailPrices the Retail Prices API
 */
record AzureEndpoints(URI arm, java.util.Optional<URI> blobBase, URI imds, URI retailPrices) {
  static final String ARM_ENV = "AETHER_AZURE_ARM_ENDPOINT";
  static final String BLOB_ENV = "AETHER_AZURE_BLOB_ENDPOINT";
  static final String IMDS_ENV = "AETHER_AZURE_IMDS_ENDPOINT";
  static final String PRICES_ENV = "AETHER_AZURE_PRICES_ENDPOINT";

  static final URI PUBLIC_ARM = URI.create("https://management.azure.com/");
  static final URI PUBLIC_IMDS = URI.create("http://169.254.169.254");

  static AzureEndpoints from(Map<String, String> env) {
    return new AzureEndpoints(
        uri(env, ARM_ENV).orElse(PUBLIC_ARM),
        uri(env, BLOB_ENV),
        uri(env, IMDS_ENV).orElse(PUBLIC_IMDS),
        uri(env, PRICES_ENV).orElse(RetailPrices.DEFAULT_BASE));
  }

  /** The Blob service of storage account {@code account}. */
  String blob(String account) {
    return blobBase.map(b -> b.toString().replaceAll("/+$", "") + "/" + account)
        .orElse("https://" + account + ".blob.core.windows.net");
  }

  private static java.util.Optional<URI> uri(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return java.util.Optional.empty();
    }
    try {
      URI uri = URI.create(value.strip());
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return java.util.Optional.of(uri);
    } catch (IllegalArgumentException e) {
      throw AetherException.invalidInput(name + "='" + value + "' is not a URL");
    }
  }
}
