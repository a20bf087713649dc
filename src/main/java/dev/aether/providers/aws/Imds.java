package dev.aether.providers.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.imds.Ec2MetadataRetryPolicy;

/**
 * The one way Aether reaches the EC2 instance metadata service (IMDSv2): where it is, and a
 * client with short timeouts and no retries (every caller asks again on its own schedule, or fails
 * at once off EC2). See
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 */
final class Imds {
  /** The metadata service as seen from inside an instance. */
  static final URI DEFAULT = URI.create("http://169.254.169.254");

  private Imds() {}

  /** The SDK's {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} when set, else {@link #DEFAULT}. */
  static URI endpoint(Map<String, String> env) {
    String given = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    return given == null || given.isBlank() ? DEFAULT : URI.create(given);
  }

  /** A client of the service at {@code endpoint}; close it when done. */
  static Ec2MetadataClient client(URI endpoint) {
    return Ec2MetadataClient.builder()
        .endpoint(endpoint)
        .tokenTtl(Duration.ofMinutes(5))
        .retryPolicy(Ec2MetadataRetryPolicy.none())
        .httpClient(Apache5HttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(1))
            .socketTimeout(Duration.ofSeconds(2)))
        .build();
  }
}
