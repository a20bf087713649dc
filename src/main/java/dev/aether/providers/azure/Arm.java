package dev.aether.providers.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.policy.ExponentialBackoff;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.polling.PollResult;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.azure.resourcemanager.authorization.AuthorizationManager;
import com.azure.resourcemanager.authorization.fluent.AuthorizationManagementClient;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.ComputeManagementClient;
import com.azure.resourcemanager.msi.MsiManager;
import com.azure.resourcemanager.msi.fluent.ManagedServiceIdentityClient;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.fluent.NetworkManagementClient;
import com.azure.resourcemanager.resources.ResourceManager;
import com.azure.resourcemanager.resources.fluent.ResourceManagementClient;
import com.azure.resourcemanager.resources.fluentcore.utils.HttpPipelineProvider;
import com.azure.resourcemanager.storage.StorageManager;
import com.azure.resourcemanager.storage.fluent.StorageManagementClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Azure Resource Manager clients of one subscription, all on one HTTP pipeline (the default
 * credential's bearer token, a short retry) pointed at {@link AzureEndpoints#arm()}. Aether calls
 * the SDK's generated clients ({@code serviceClient()}): one documented REST operation per call,
 * nothing made behind our back. Making this sends nothing.
 */
final class Arm {
  private final String subscription;
  private final ComputeManager compute;
  private final MsiManager msi;
  private final ResourceManager resources;

  /**
   * @param http the HTTP client, when not the SDK's default (tests trust their own certificate)
   */
  Arm(TokenCredential credential, String subscription, AzureEndpoints endpoints,
      Optional<HttpClient> http) {
    this.subscription = subscription;
    Map<String, String> urls = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    urls.put("resourceManagerEndpointUrl", endpoints.arm().toString());
    AzureProfile profile = new AzureProfile(null, subscription, new AzureEnvironment(urls));
    // Azure throttles with 429 and Retry-After, which the policy honours; give up after 4 tries.
    RetryPolicy retry = new RetryPolicy(new ExponentialBackoff(4, Duration.ofSeconds(1),
        Duration.ofSeconds(20)));
    HttpPipeline pipeline = HttpPipelineProvider.buildHttpPipeline(credential, profile, null,
        new HttpLogOptions(), null, retry, List.of(), http.orElse(null));
    this.compute = ComputeManager.authenticate(pipeline, profile);
    this.msi = MsiManager.authenticate(pipeline, profile);
    this.resources = ResourceManager.authenticate(pipeline, profile).withSubscription(subscription);
  }

  /**
   * Waits up to {@code limit} for a long-running operation and returns its result; a failed
   * operation throws Azure's error, one that takes longer a timeout.
   */
  static <T, U> U finish(SyncPoller<PollResult<T>, U> poller, Duration limit) {
    PollResponse<PollResult<T>> last = poller.waitForCompletion(limit);
    if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
      throw failure(last);
    }
    return poller.getFinalResult();
  }

  /** A failed operation's error ({@code {"status": "Failed", "error": {code, message}}}). */
  private static <T> ManagementException failure(PollResponse<PollResult<T>> last) {
    PollResult.Error error = last.getValue() == null ? null : last.getValue().getError();
    String code = "OperationFailed";
    String message = "the operation ended " + last.getStatus();
    if (error != null) {
      message = error.getMessage();
      try {
        JsonNode body = JSON.readTree(error.getResponseBody() == null ? "{}"
            : error.getResponseBody());
        JsonNode e = body.has("error") ? body.path("error") : body;
        code = e.path("code").asText(code);
        message = e.path("message").asText(message);
      } catch (java.io.IOException ignored) {
        // keep the SDK's message
      }
    }
    return new ManagementException(message, null, new ManagementError(code, message));
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  String subscription() {
    return subscription;
  }

  ComputeManagementClient compute() {
    return compute.serviceClient();
  }

  NetworkManagementClient network() {
    return compute.networkManager().serviceClient();
  }

  StorageManagementClient storage() {
    return compute.storageManager().serviceClient();
  }

  AuthorizationManagementClient authorization() {
    return compute.authorizationManager().roleServiceClient();
  }

  ManagedServiceIdentityClient msi() {
    return msi.serviceClient();
  }

  ResourceManagementClient resources() {
    return resources.serviceClient();
  }
}
