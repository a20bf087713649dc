package dev.aether.providers.aws;

import dev.aether.core.spi.InterruptionNotices;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The spot interruption notice of an EC2 node, for its agent: {@link SpotInterruptionWatcher}
 * polling the instance metadata service (IMDSv2) every 5 seconds, as AWS suggests in
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html.
 * On an on-demand node the notice never comes (the path stays 404), so every AWS node may use it.
 */
public final class InterruptionNoticesImds implements InterruptionNotices {
  /** How often AWS suggests reading the notice. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  private final URI imds;
  private final Duration interval;
  private SpotInterruptionWatcher watcher;

  /**
   * The metadata service as seen from inside an instance (or the SDK's
   * {@code AWS_EC2_METADATA_SERVICE_ENDPOINT}, as {@link NodeIdentity} reads it), polled every 5
   * seconds.
   */
  public InterruptionNoticesImds() {
    this(DEFAULT_INTERVAL);
  }

  /** As above, polled every {@code interval} (tests poll faster). */
  public InterruptionNoticesImds(Duration interval) {
    this(Imds.endpoint(System.getenv()), interval);
  }

  InterruptionNoticesImds(URI imds, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("poll interval must be > 0, got " + interval);
    }
    this.imds = imds;
    this.interval = interval;
  }

  @Override
  public synchronized void watch(Consumer<String> onNotice) {
    if (watcher != null) {
      throw new IllegalStateException("already watching");
    }
    watcher = new SpotInterruptionWatcher(imds, n -> onNotice.accept(
        n.action() + n.time().map(t -> " at " + t).orElse("")));
    watcher.start(interval);
  }

  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.close();
    }
  }
}
