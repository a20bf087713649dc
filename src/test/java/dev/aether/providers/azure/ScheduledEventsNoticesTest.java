package dev.aether.providers.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a WireMock stub of the instance metadata service's Scheduled Events, answering in the
 * documented shape (https://learn.microsoft.com/azure/virtual-machines/linux/scheduled-events)
 * only to a GET with {@code Metadata: true} and the API version; anything else is unmatched, and
 * every test ends by checking there was none.
 */
class ScheduledEventsNoticesTest {
  private static final String VM = "aether-w-3k9x0q2m7a";
  private static final String PATH = "/metadata/scheduledevents";
  private WireMockServer imds;

  @BeforeEach
  void start() {
    imds = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    imds.start();
  }

  @AfterEach
  void stop() {
    try {
      assertThat(imds.findAllUnmatchedRequests()).as("requests no stub expected").isEmpty();
    } finally {
      imds.stop();
    }
  }

  private void answer(int status, String body) {
    imds.stubFor(get(urlPathEqualTo(PATH))
        .withQueryParam("api-version", equalTo(ScheduledEventsNotices.API_VERSION))
        .withHeader("Metadata", equalTo("true"))
        .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
            .withBody(body)));
  }

  private static String events(String type, String... resources) {
    StringBuilder r = new StringBuilder();
    for (String s : resources) {
      r.append(r.length() == 0 ? "" : ",").append('"').append(s).append('"');
    }
    return "{\"DocumentIncarnation\":2,\"Events\":[{\"EventId\":\"602d9444-d2cd-49c7-8624-8643e7171297\","
        + "\"EventStatus\":\"Scheduled\",\"EventType\":\"" + type + "\",\"ResourceType\":"
        + "\"VirtualMachine\",\"Resources\":[" + r + "],\"NotBefore\":"
        + "\"Mon, 30 Nov 2026 18:29:47 GMT\",\"Description\":\"\",\"EventSource\":\"Platform\","
        + "\"DurationInSeconds\":-1}]}";
  }

  private ScheduledEventsNotices notices() {
    return new ScheduledEventsNotices(URI.create(imds.baseUrl()), VM, Duration.ofMillis(50));
  }

  @Test
  void aPreemptOfThisVmIsTheNoticeWithItsTime() {
    answer(200, events("Preempt", VM));
    assertThat(notices().poll()).contains("Spot eviction (Preempt, not before Mon, 30 Nov 2026"
        + " 18:29:47 GMT)");
  }

  @Test
  void maintenanceAndOtherVmsEvictionsAreNoNotice() {
    for (String body : List.of(events("Freeze", VM), events("Reboot", VM),
        events("Redeploy", VM), events("Preempt", "aether-w-someoneelse"),
        "{\"DocumentIncarnation\":1,\"Events\":[]}")) {
      imds.resetAll();
      answer(200, body);
      assertThat(notices().poll()).as(body).isEmpty();
    }
  }

  @Test
  void anUnreadableOrFailedAnswerIsReadAgainLaterNotANotice() {
    answer(500, "{\"error\":\"Internal error\"}");
    assertThat(notices().poll()).isEmpty();
    imds.resetAll();
    answer(200, "not json");
    assertThat(notices().poll()).isEmpty();
  }

  @Test
  void watchingTellsTheNoticeOnceAndNothingAfterClose() throws Exception {
    answer(200, "{\"DocumentIncarnation\":1,\"Events\":[]}");
    List<String> told = new CopyOnWriteArrayList<>();
    try (ScheduledEventsNotices n = notices()) {
      n.watch(told::add);
      Thread.sleep(200);
      assertThat(told).isEmpty();
      answer(200, events("Preempt", VM));
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (told.isEmpty() && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      Thread.sleep(200); // more polls would tell it again if it were not once
    }
    assertThat(told).singleElement().asString().startsWith("Spot eviction (Preempt");
  }
}
