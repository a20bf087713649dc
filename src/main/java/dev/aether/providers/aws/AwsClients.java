package dev.aether.providers.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Builds the SDK clients the AWS provider uses, all alike: one region, one credentials provider,
 * one retry strategy, and (for tests or a local emulator) one endpoint that replaces AWS's.
 *
 * <p>Credentials come from the SDK's default chain (environment, profile, SSO, instance role); we
 * never read, print or store them ourselves.
 *
 * @param region the region to work in, e.g. {@code us-east-1}
 * @param endpoint when present, every client sends its requests here instead of to AWS
 * @param credentials where credentials come from
 * @param retries how throttled and failed calls are retried
 */
public record AwsClients(
    String region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
    RetryStrategy retries) {

  /**
   * The Price List API is served from a few regions only; us-east-1 answers for every region. See
   * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-price-list-query-api.html
   */
  static final String PRICING_REGION = "us-east-1";

  public AwsClients {
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("AWS region is empty; pass -R/--region, e.g. us-east-1");
    }
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(retries, "retries");
  }

  /**
   * Clients for real AWS in {@code region}: default credentials chain, and the SDK's standard retry
   * strategy, which backs off on throttling (RequestLimitExceeded and friends). See
   * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
   */
  public static AwsClients forRegion(String region) {
    return new AwsClients(
        region, Optional.empty(), DefaultCredentialsProvider.builder().build(),
        AwsRetryStrategy.standardRetryStrategy());
  }

  /** These clients, talking to {@code uri} instead of AWS (tests, emulators). */
  public AwsClients withEndpoint(URI uri) {
    return new AwsClients(region, Optional.of(uri), credentials, retries);
  }

  /** These clients with another retry strategy (tests use one with short back-off). */
  public AwsClients withRetries(RetryStrategy strategy) {
    return new AwsClients(region, endpoint, credentials, strategy);
  }

  public Ec2Client ec2() {
    return configure(Ec2Client.builder(), region).httpClientBuilder(http()).build();
  }

  public PricingClient pricing() {
    return configure(PricingClient.builder(), PRICING_REGION).httpClientBuilder(http()).build();
  }

  public ServiceQuotasClient serviceQuotas() {
    return configure(ServiceQuotasClient.builder(), region).httpClientBuilder(http()).build();
  }

  public SsmClient ssm() {
    return configure(SsmClient.builder(), region).httpClientBuilder(http()).build();
  }

  /** Path-style addressing when the endpoint is overridden: emulators have no per-bucket DNS. */
  public S3Client s3() {
    return configure(S3Client.builder(), region)
        .httpClientBuilder(http())
        .forcePathStyle(endpoint.isPresent())
        .build();
  }

  /** The asynchronous S3 client the Transfer Manager needs (Netty HTTP client, SDK default). */
  public S3AsyncClient s3Async() {
    return configure(S3AsyncClient.builder(), region)
        .forcePathStyle(endpoint.isPresent())
        .multipartEnabled(true)
        .build();
  }

  /**
   * Apache (HttpClient 5) rather than URLConnection: the JDK's client hides the body of a 401 answer, and with it
   * EC2's AuthFailure code and message.
   */
  private static Apache5HttpClient.Builder http() {
    return Apache5HttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(10))
        .socketTimeout(Duration.ofSeconds(60));
  }

  private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String clientRegion) {
    builder
        .region(Region.of(clientRegion))
        .credentialsProvider(credentials)
        .overrideConfiguration(
            ClientOverrideConfiguration.builder().retryStrategy(retries).build());
    endpoint.ifPresent(builder::endpointOverride);
    return builder;
  }
}
