package dev.aether.providers.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aether.core.spi.InterruptionNotices;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spot eviction notice of an Azure node, for its agent: the instance metadata service's
 * Scheduled Events ({@code GET /metadata/scheduledevents}) polled every few seconds; a
 * {@code Preempt} event naming this VM is the notice (Azure gives at least 30 seconds). Other
 * events (Freeze, Reboot, Redeploy: maintenance the VM lives through) are not notices. A
 * pay-as-you-go node never gets a Preempt event, so every Azure node may watch. See
 * https://learn.microsoft.com/azure/virtual-machines/linux/scheduled-events and
 * https://learn.microsoft.com/azure/virtual-machines/spot-vms#eviction-policy
 *
 * <p>The answer's shape: {@code {"DocumentIncarnation": 2, "Events": [{"EventId": "...",
 * "EventType": "Preempt", "ResourceType": "VirtualMachine", "Resources": ["aether-w-..."],
 * "EventStatus": "Scheduled", "NotBefore": "Mon, 19 Sep 2016 18:29:47 GMT", ...}]}}.
 */
final class ScheduledEventsNotices implements InterruptionNotices {
  private static final Logger log = LoggerFactory.getLogger(ScheduledEventsNotices.class);
  static final String API_VERSION = "2020-07-01";
  /** 30 seconds of notice at the least: read it often. */
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI events;
  private final String vm;
  private final Duration interval;
  private final AtomicBoolean told = new AtomicBoolean();
  private volatile boolean closed;
  private ScheduledExecutorService timer;

  /**
   * @param imds the metadata service, e.g. {@code http://169.254.169.254}
   * @param vm this VM's name, as events name their resources
   */
  ScheduledEventsNotices(URI imds, String vm, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("poll interval must be > 0, got " + interval);
    }
    this.events = URI.create(imds.toString().replaceAll("/+$", "")
        + "/metadata/scheduledevents?api-version=" + API_VERSION);
    this.vm = vm;
    this.interval = interval;
  }

  @Override
  public synchronized void watch(Consumer<String> onNotice) {
    if (timer != null) {
      throw new IllegalStateException("already watching");
    }
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aether-scheduled-events");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> {
      Optional<String> notice = poll();
      if (notice.isPresent() && !closed && told.compareAndSet(false, true)) {
        onNotice.accept(notice.get());
        timer.shutdown();
      }
    }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One read: the notice, when a Preempt event for this VM is out. */
  Optional<String> poll() {
    try {
      return preempt(InstanceMetadata.get(events, Duration.ofSeconds(3)), vm);
    } catch (IOException e) {
      // the service is briefly unreachable, or not ready (the first call can take a while)
      log.debug("scheduled events not read: {}", e.getMessage());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The notice in a Scheduled Events document, for {@code vm}. */
  static Optional<String> preempt(String body, String vm) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return Optional.empty(); // unreadable: read again at the next poll
    }
    for (JsonNode event : root.path("Events")) {
      if (!"Preempt".equals(event.path("EventType").asText())) {
        continue;
      }
      boolean mine = false;
      for (JsonNode r : event.path("Resources")) {
        mine |= vm.equalsIgnoreCase(r.asText());
      }
      if (mine) {
        String when = event.path("NotBefore").asText("");
        return Optional.of("Spot eviction (Preempt" + (when.isBlank() ? "" : ", not before " + when)
            + ")");
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
