package dev.aether.providers.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

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
 * @param serviceEndpoints per service ({@code s3}, {@code ec2}, {@code ssm}, {@code pricing},
 *     {@code service_quotas}): where that service's client sends its requests, before
 *     {@code endpoint}
 */
public record AwsClients(
    String region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
    RetryStrategy retries, Map<String, URI> serviceEndpoints) {

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
    serviceEndpoints = Map.copyOf(serviceEndpoints);
  }

  public AwsClients(String region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
      RetryStrategy retries) {
    this(region, endpoint, credentials, retries, Map.of());
  }

  /**
   * Clients for real AWS in {@code region}: default credentials chain, and {@link AwsRetries},
   * which backs off on throttling (RequestLimitExceeded and friends) up to 12 attempts. See
   * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
   */
  public static AwsClients forRegion(String region) {
    return forRegion(region, DefaultCredentialsProvider.builder().build(), System.getenv());
  }

  /**
   * Clients for {@code region} with these credentials, sent to the endpoints the SDK's standard
   * variables name when they are set ({@code AWS_ENDPOINT_URL}, and per service
   * {@code AWS_ENDPOINT_URL_S3}, {@code _EC2}, {@code _SSM}, {@code _PRICING},
   * {@code _SERVICE_QUOTAS}), for emulators such as LocalStack and for tests; S3 then uses
   * path-style addressing. See
   * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
   */
  public static AwsClients forRegion(String region, AwsCredentialsProvider credentials,
      Map<String, String> env) {
    Optional<URI> all = Optional.ofNullable(env.get("AWS_ENDPOINT_URL"))
        .filter(v -> !v.isBlank()).map(URI::create);
    Map<String, URI> perService = new java.util.HashMap<>();
    for (String service : new String[] {"s3", "ec2", "ssm", "pricing", "service_quotas", "sts",
        "iam"}) {
      String v = env.get("AWS_ENDPOINT_URL_" + service.toUpperCase(Locale.ROOT));
      if (v != null && !v.isBlank()) {
        perService.put(service, URI.create(v));
      }
    }
    return new AwsClients(region, all, credentials, AwsRetries.standard(), perService);
  }

  /** These clients, talking to {@code uri} instead of AWS (tests, emulators). */
  public AwsClients withEndpoint(URI uri) {
    return new AwsClients(region, Optional.of(uri), credentials, retries, serviceEndpoints);
  }

  /** These clients with another retry strategy (tests use one with short back-off). */
  public AwsClients withRetries(RetryStrategy strategy) {
    return new AwsClients(region, endpoint, credentials, strategy, serviceEndpoints);
  }

  public Ec2Client ec2() {
    return configure(Ec2Client.builder(), region, "ec2").httpClientBuilder(http()).build();
  }

  public PricingClient pricing() {
    return configure(PricingClient.builder(), PRICING_REGION, "pricing").httpClientBuilder(http()).build();
  }

  public ServiceQuotasClient serviceQuotas() {
    return configure(ServiceQuotasClient.builder(), region, "service_quotas").httpClientBuilder(http()).build();
  }

  public StsClient sts() {
    return configure(StsClient.builder(), region, "sts").httpClientBuilder(http()).build();
  }

  /** IAM is global: one endpoint for every region (aws-global). */
  public IamClient iam() {
    return configure(IamClient.builder(), Region.AWS_GLOBAL.id(), "iam").httpClientBuilder(http())
        .build();
  }

  public SsmClient ssm() {
    return configure(SsmClient.builder(), region, "ssm").httpClientBuilder(http()).build();
  }

  /** Path-style addressing when the endpoint is overridden: emulators have no per-bucket DNS. */
  public S3Client s3() {
    return configure(S3Client.builder(), region, "s3")
        .httpClientBuilder(http())
        .forcePathStyle(endpointFor("s3").isPresent())
        .build();
  }

  /** The asynchronous S3 client the Transfer Manager needs (Netty HTTP client, SDK default). */
  public S3AsyncClient s3Async() {
    return configure(S3AsyncClient.builder(), region, "s3")
        .forcePathStyle(endpointFor("s3").isPresent())
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

  private Optional<URI> endpointFor(String service) {
    return Optional.ofNullable(serviceEndpoints.get(service)).or(() -> endpoint);
  }

  private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String clientRegion,
      String service) {
    builder
        .region(Region.of(clientRegion))
        .credentialsProvider(credentials)
        .overrideConfiguration(
            ClientOverrideConfiguration.builder().retryStrategy(retries).build());
    endpointFor(service).ifPresent(builder::endpointOverride);
    return builder;
  }
}
