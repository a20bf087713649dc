package dev.aether.core.pipeline.agent;

import dev.aether.core.pipeline.coordinator.Lease;
import dev.aether.core.pipeline.coordinator.Protocol;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.pipeline.coordinator.Protocol.CompleteReply;
import dev.aether.core.pipeline.coordinator.Protocol.CompleteRequest;
import dev.aether.core.pipeline.coordinator.Protocol.HeartbeatReply;
import dev.aether.core.pipeline.coordinator.Protocol.HeartbeatRequest;
import dev.aether.core.pipeline.coordinator.Protocol.LeaseReply;
import dev.aether.core.pipeline.coordinator.Protocol.LeaseRequest;
import dev.aether.core.pipeline.coordinator.Protocol.RegisterReply;
import dev.aether.core.pipeline.coordinator.Protocol.RegisterRequest;
import dev.aether.core.pipeline.coordinator.Protocol.ReleaseReply;
import dev.aether.core.pipeline.coordinator.Protocol.ReleaseRequest;
import dev.aether.core.pipeline.coordinator.Protocol.RunningJob;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Talks to a coordinator on behalf of one node (or a test). Thread-safe. */
public final class CoordinatorClient {
  private final URI base;
  private final Secret token;
  private final Duration timeout;
  private final HttpClient http;

  public CoordinatorClient(URI base, Secret token, Duration timeout) {
    this.base = base;
    this.token = token;
    this.timeout = timeout;
    // HTTP/1.1 on purpose: the JDK's server does not speak HTTP/2.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout).build();
  }

  public RegisterReply register(String node, int cores, double memoryGb) throws IOException {
    return post(Protocol.REGISTER, new RegisterRequest(node, cores, memoryGb), RegisterReply.class);
  }

  public LeaseReply lease(String node) throws IOException {
    return post(Protocol.LEASE, new LeaseRequest(node), LeaseReply.class);
  }

  public HeartbeatReply heartbeat(String node, List<RunningJob> jobs) throws IOException {
    return post(Protocol.HEARTBEAT, new HeartbeatRequest(node, jobs), HeartbeatReply.class);
  }

  public CompleteReply complete(String node, Lease lease, int exitCode) throws IOException {
    return post(Protocol.COMPLETE,
        new CompleteRequest(node, lease.number(), lease.attempt(), exitCode), CompleteReply.class);
  }

  /** Hands back the leases of runs this node has killed, and leaves (see {@link Protocol}). */
  public ReleaseReply release(String node, List<RunningJob> jobs) throws IOException {
    return post(Protocol.RELEASE, new ReleaseRequest(node, jobs), ReleaseReply.class);
  }


  private <T> T post(String path, Object body, Class<T> type) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(timeout)
        .header("Authorization", token.bearer())
        .header("Content-Type", "application/json")
        .POST(body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(Protocol.JSON.writeValueAsBytes(body)))
        .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling the coordinator", e);
    }
    if (response.statusCode() != 200) {
      throw new IOException("coordinator answered " + response.statusCode() + " to " + path + ": "
          + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return Protocol.JSON.readValue(response.body(), type);
  }
}
