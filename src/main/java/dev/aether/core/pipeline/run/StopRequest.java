package dev.aether.core.pipeline.run;

import java.util.Optional;

/**
 * Asks a running {@link Pipeline#run} to end early, e.g. from a shutdown hook on SIGTERM or
 * SIGINT: it stops the nodes it started (and their jobs), writes a last checkpoint, keeps the
 * ledger as it is, and throws an {@code AetherException} saying how to resume. Thread-safe.
 */
public final class StopRequest {
  private volatile String reason;

  /** Asks for the stop; the first reason wins. */
  public void request(String why) {
    if (reason == null) {
      reason = why;
    }
  }

  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }
}
