package dev.aether.core.spi;

import dev.aether.core.AetherException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where a node learns that its provider is about to take it away (on AWS, the two-minute spot
 * interruption notice from the instance metadata service). The agent watches it and, on a notice,
 * stops taking work and hands its leases back; see docs/interruptions.md.
 */
public interface InterruptionNotices extends AutoCloseable {
  /** How often a node asks for a notice, in whole seconds (tests ask every second). */
  String POLL_ENV = "AETHER_INTERRUPTION_POLL_SECONDS";

  /** {@link #POLL_ENV} when set (whole seconds, 1 to 60), else the provider's {@code usual}. */
  static Duration pollInterval(Map<String, String> env, Duration usual) {
    String value = env.get(POLL_ENV);
    if (value == null || value.isBlank()) {
      return usual;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      if (seconds >= 1 && seconds <= 60) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw AetherException.invalidInput(POLL_ENV + "='" + value + "' is not a number of seconds"
        + " from 1 to 60");
  }

  /** Never tells of a notice: machines that are not interrupted (the local provider). */
  InterruptionNotices NONE = new InterruptionNotices() {
    @Override
    public void watch(Consumer<String> onNotice) {}

    @Override
    public void close() {}
  };

  /**
   * Starts watching. {@code onNotice} is called at most once, on a thread of the source, with a
   * short description for the log (e.g. {@code terminate at 2026-11-25T08:22:00Z}).
   */
  void watch(Consumer<String> onNotice);

  /** Stops watching; no notice is told after this returns. */
  @Override
  void close();
}
