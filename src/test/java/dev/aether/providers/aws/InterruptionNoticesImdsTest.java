package dev.aether.providers.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InterruptionNoticesImdsTest {
  private final AwsStubs imds = new AwsStubs();
  private final List<String> told = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    imds.close();
  }

  @Test
  void tellsTheAgentOnceWhenTheMetadataServiceHasANotice() throws Exception {
    imds.server.stubFor(put(urlEqualTo("/latest/api/token"))
        .withHeader("X-aws-ec2-metadata-token-ttl-seconds", matching("\\d+"))
        .willReturn(aResponse().withStatus(200).withBody("imds-session-token")
            .withHeader("X-aws-ec2-metadata-token-ttl-seconds", "300")));
    imds.server.stubFor(get(urlEqualTo(SpotInterruptionWatcher.PATH))
        .willReturn(aResponse().withStatus(404)));
    try (InterruptionNoticesImds notices =
        new InterruptionNoticesImds(URI.create(imds.server.baseUrl()), Duration.ofMillis(20))) {
      notices.watch(told::add);
      Thread.sleep(150);
      assertThat(told).isEmpty();

      imds.server.stubFor(get(urlEqualTo(SpotInterruptionWatcher.PATH))
          .willReturn(aResponse().withStatus(200)
              .withBody("{\"action\": \"terminate\", \"time\": \"2026-11-25T08:22:00Z\"}")));
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (told.isEmpty() && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      Thread.sleep(100);
    }
    assertThat(told).containsExactly("terminate at 2026-11-25T08:22:00Z");
  }
}
