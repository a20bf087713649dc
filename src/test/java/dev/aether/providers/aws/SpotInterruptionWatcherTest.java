package dev.aether.providers.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SpotInterruptionWatcherTest {
  private AwsStubs imds;
  private final List<SpotInterruptionWatcher.Notice> notices = new CopyOnWriteArrayList<>();
  private SpotInterruptionWatcher watcher;

  @BeforeEach
  void start() {
    imds = new AwsStubs();
    imds.server.stubFor(put(urlEqualTo("/latest/api/token"))
        .withHeader("X-aws-ec2-metadata-token-ttl-seconds", matching("\\d+"))
        .willReturn(aResponse().withStatus(200).withBody("imds-session-token")
            .withHeader("X-aws-ec2-metadata-token-ttl-seconds", "300")));
    imds.server.stubFor(get(urlEqualTo(SpotInterruptionWatcher.PATH))
        .willReturn(aResponse().withStatus(404)));
    watcher = new SpotInterruptionWatcher(URI.create(imds.server.baseUrl()), notices::add);
  }

  @AfterEach
  void stop() {
    watcher.close();
    imds.close();
  }

  private void noticeArrives() {
    imds.server.stubFor(get(urlEqualTo(SpotInterruptionWatcher.PATH))
        .withHeader("X-aws-ec2-metadata-token", equalTo("imds-session-token"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/plain")
            .withBody("{\"action\": \"terminate\", \"time\": \"2026-11-25T08:22:00Z\"}")));
  }

  @Test
  void notFoundMeansNoNotice() {
    assertThat(watcher.checkOnce()).isFalse();
    assertThat(watcher.checkOnce()).isFalse();
    assertThat(notices).isEmpty();
    imds.server.verify(getRequestedFor(urlEqualTo(SpotInterruptionWatcher.PATH))
        .withHeader("X-aws-ec2-metadata-token", equalTo("imds-session-token")));
  }

  @Test
  void tellsTheListenerOnceWithTheActionAndTime() {
    assertThat(watcher.checkOnce()).isFalse();
    noticeArrives();

    assertThat(watcher.checkOnce()).isTrue();
    assertThat(watcher.checkOnce()).isTrue();
    assertThat(notices).containsExactly(new SpotInterruptionWatcher.Notice(
        "terminate", Optional.of(Instant.parse("2026-11-25T08:22:00Z"))));
  }

  @Test
  void pollsInTheBackgroundUntilANotice() throws Exception {
    watcher.start(Duration.ofMillis(20));
    Thread.sleep(150);
    assertThat(notices).isEmpty();
    noticeArrives();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (notices.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(100);
    assertThat(notices).hasSize(1);
  }

  @Test
  void anUnreachableMetadataServiceIsNoNotice() {
    try (SpotInterruptionWatcher nowhere =
        new SpotInterruptionWatcher(URI.create("http://127.0.0.1:9"), notices::add)) {
      assertThat(nowhere.checkOnce()).isFalse();
    }
    assertThat(notices).isEmpty();
  }

  @Test
  void anUnreadableNoticeStillCounts() {
    assertThat(SpotInterruptionWatcher.parse("not json").action()).isEqualTo("terminate");
    assertThat(SpotInterruptionWatcher.parse("{\"action\":\"stop\"}"))
        .isEqualTo(new SpotInterruptionWatcher.Notice("stop", Optional.empty()));
  }
}
