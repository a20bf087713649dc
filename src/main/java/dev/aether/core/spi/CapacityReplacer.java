package dev.aether.core.spi;

/**
 * Asks a provider for machines that make up for an interrupted node. The coordinator calls it on
 * a thread of its own (never on the thread that owns leases, never on a request thread), one call
 * at a time, after the interrupted node's jobs are back in the ledger as PENDING: so a replacement
 * that is slow, fails, or never comes delays jobs but never loses one.
 */
public interface CapacityReplacer extends AutoCloseable {
  /** Replaces nothing: providers whose machines are not interrupted (the local provider). */
  CapacityReplacer NONE = lost -> {};

  /** Starts machines for {@code lost}; failures are the replacer's to log, not to throw. */
  void replace(LostCapacity lost);

  /**
   * Called when the coordinator closes, after the batch: stops the machines this replacer started
   * (the launcher stops only the nodes it started itself).
   */
  @Override
  default void close() {}
}
