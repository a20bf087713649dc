package dev.aether.providers.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.imds.Ec2MetadataClientException;

/**
 * Runs on a spot node and tells its listener, once, when AWS has scheduled the node's interruption
 * (a two-minute notice). It polls the instance metadata service with IMDSv2 (a session token from
 * {@code PUT /latest/api/token}, then {@code GET /latest/meta-data/spot/instance-action}, which is
 * 404 until a notice exists). AWS suggests polling every 5 seconds. See
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
 */
public final class SpotInterruptionWatcher implements AutoCloseable {
  /** The metadata service as seen from inside an instance. */
  public static final URI IMDS = Imds.DEFAULT;
  static final String PATH = "/latest/meta-data/spot/instance-action";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param action {@code terminate}, {@code stop} or {@code hibernate}
   * @param time when AWS will act, when given
   */
  public record Notice(String action, Optional<Instant> time) {}

  /** Called once, on the watcher's thread. */
  public interface Listener {
    void interrupted(Notice notice);
  }

  private final Ec2MetadataClient imds;
  private final Listener listener;
  private final AtomicBoolean told = new AtomicBoolean();
  private final ScheduledExecutorService timer;

  public SpotInterruptionWatcher(URI base, Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    // we poll again in seconds anyway; a failed poll is not worth a retry
    this.imds = Imds.client(base);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aether-spot-watcher");
      t.setDaemon(true);
      return t;
    });
  }

  /** Polls every {@code interval} until a notice is found or {@link #close()}. */
  public void start(Duration interval) {
    timer.scheduleWithFixedDelay(
        () -> {
          if (checkOnce()) {
            timer.shutdown();
          }
        },
        0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One poll; true once a notice was found (and the listener told). */
  boolean checkOnce() {
    if (told.get()) {
      return true;
    }
    Optional<Notice> notice = poll();
    if (notice.isPresent() && told.compareAndSet(false, true)) {
      listener.interrupted(notice.get());
    }
    return told.get();
  }

  private Optional<Notice> poll() {
    try {
      return Optional.of(parse(imds.get(PATH).asString()));
    } catch (Ec2MetadataClientException e) {
      // 404: no notice yet; other statuses: try again at the next poll
      return Optional.empty();
    } catch (SdkClientException e) {
      // metadata service unreachable for a moment: the next poll tries again
      return Optional.empty();
    }
  }

  static Notice parse(String body) {
    try {
      JsonNode root = JSON.readTree(body);
      String action = root.path("action").asText("terminate");
      Optional<Instant> time;
      try {
        time = root.hasNonNull("time") ? Optional.of(Instant.parse(root.get("time").asText())) : Optional.empty();
      } catch (DateTimeParseException e) {
        time = Optional.empty();
      }
      return new Notice(action, time);
    } catch (IOException e) {
      // a 200 answer is a notice even if we cannot read it: act on it
      return new Notice("terminate", Optional.empty());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    imds.close();
  }
}
