package dev.aether.providers.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aether.core.AetherException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Who this Azure VM is, from the instance metadata service: its name (the agent's node id, and
 * what Scheduled Events name it by), subscription, resource group, region and private address.
 * See https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service
 *
 * @param name the VM's name, e.g. {@code aether-w-3k9x0q2m7a}
 * @param subscription its subscription id
 * @param resourceGroup its resource group
 * @param location its region, e.g. {@code eastus}
 * @param privateIp its first private IPv4 address
 */
record InstanceMetadata(String name, String subscription, String resourceGroup, String location,
    String privateIp) {
  static final String API_VERSION = "2021-02-01";
  private static final ObjectMapper JSON = new ObjectMapper();

  static InstanceMetadata read(URI imds) {
    URI uri = URI.create(imds.toString().replaceAll("/+$", "")
        + "/metadata/instance?api-version=" + API_VERSION);
    try {
      String body = get(uri, Duration.ofSeconds(5));
      JsonNode root = JSON.readTree(body);
      JsonNode compute = root.path("compute");
      String ip = root.path("network").path("interface").path(0).path("ipv4").path("ipAddress")
          .path(0).path("privateIpAddress").asText("");
      InstanceMetadata m = new InstanceMetadata(compute.path("name").asText(""),
          compute.path("subscriptionId").asText(""), compute.path("resourceGroupName").asText(""),
          compute.path("location").asText(""), ip);
      if (m.name().isEmpty() || m.subscription().isEmpty() || m.privateIp().isEmpty()) {
        throw new IOException("no VM name, subscription or private address in " + body);
      }
      return m;
    } catch (IOException e) {
      throw new AetherException(AetherException.UNEXPECTED_STATE, "cannot read this VM's name and"
          + " address from the instance metadata service at " + imds + " (" + e.getMessage()
          + "); `aether agent --provider azure` and `aether coordinate --provider azure` run on"
          + " Azure VMs only", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "interrupted reading instance metadata", e);
    }
  }

  /** A GET with the {@code Metadata: true} header the service requires; the body on 200. */
  static String get(URI uri, Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
        .followRedirects(HttpClient.Redirect.NEVER).proxy(java.net.ProxySelector.of(null)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Metadata", "true").GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " for " + uri);
    }
    return r.body();
  }
}
