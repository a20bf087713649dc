package dev.aether.core.spi;

import java.util.function.Consumer;

/**
 * Where a node learns that its provider is about to take it away (on AWS, the two-minute spot
 * interruption notice from the instance metadata service). The agent watches it and, on a notice,
 * stops taking work and hands its leases back; see docs/interruptions.md.
 */
public interface InterruptionNotices extends AutoCloseable {
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
