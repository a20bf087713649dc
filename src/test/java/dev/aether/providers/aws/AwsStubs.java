package dev.aether.providers.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.retries.api.BackoffStrategy;

/**
 * A WireMock server that answers like AWS's APIs, in their documented wire formats: EC2's Query
 * API (form-encoded POST with {@code Action=...}, XML answers) and the JSON 1.1 APIs (Pricing,
 * SSM, Service Quotas) selected by their {@code X-Amz-Target} header. Nothing leaves the machine.
 */
final class AwsStubs implements AutoCloseable {
  static final String REGION = "us-east-1";

  final WireMockServer server;

  AwsStubs() {
    server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
  }

  /** Clients pointed at this server, with fake credentials and a quick retry back-off. */
  AwsClients clients() {
    return clientsFor(URI.create(server.baseUrl()));
  }

  /** Clients pointed at {@code endpoint}, with fake credentials and a quick retry back-off. */
  static AwsClients clientsFor(URI endpoint) {
    return new AwsClients(
        REGION,
        Optional.of(endpoint),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFAKEFORTESTS", "fake-secret")),
        // the production rules (what is retried, what not), with 3 attempts 5 ms apart
        AwsRetries.strategy(3, BackoffStrategy.fixedDelay(Duration.ofMillis(5)),
            BackoffStrategy.fixedDelay(Duration.ofMillis(5))));
  }

  /** An EC2 action; {@code page} null = the first page (no NextToken sent). */
  static MappingBuilder ec2(String action, String nextToken) {
    MappingBuilder m = post("/").withRequestBody(containing("Action=" + action + "&"));
    return nextToken == null
        ? m.withRequestBody(notContaining("NextToken="))
        : m.withRequestBody(containing("NextToken=" + nextToken));
  }

  /** A JSON 1.1 API call such as {@code AWSPriceListService.GetProducts}. */
  static MappingBuilder json(String target) {
    return post("/").withHeader("X-Amz-Target", equalTo(target));
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder xml(String resource) {
    return aResponse().withStatus(200).withHeader("Content-Type", "text/xml;charset=UTF-8")
        .withBody(resource(resource));
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ec2Error(
      int status, String code, String message) {
    return aResponse().withStatus(status).withHeader("Content-Type", "text/xml;charset=UTF-8")
        .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code
            + "</Code><Message>" + message + "</Message></Error></Errors>"
            + "<RequestID>41111111-2222-3333-4444-555555555555</RequestID></Response>");
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder jsonBody(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
        .withBody(body);
  }

  static String resource(String name) {
    try (InputStream in = AwsStubs.class.getResourceAsStream("/aws/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /aws/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }

  /** An embedded S3Mock on plain HTTP with a fresh store of its own (see below). */
  static com.adobe.testing.s3mock.junit5.S3MockExtension s3Mock() {
    return com.adobe.testing.s3mock.junit5.S3MockExtension.builder().silent()
        .withSecureConnection(false).withRetainFilesOnExit(false)
        .withRootFolder(freshS3MockRoot()).build();
  }

  /**
   * A new, empty folder under target/ for an embedded S3Mock: S3Mock keeps its buckets between
   * runs in its folder, and creates only the last level of a folder that is missing.
   */
  private static String freshS3MockRoot() {
    try {
      return java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "s3mock",
          java.util.UUID.randomUUID().toString())).toAbsolutePath().toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
