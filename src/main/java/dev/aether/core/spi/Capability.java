package dev.aether.core.spi;

/** What a provider's machines can do beyond running jobs. */
public enum Capability {
  /** Can buy interruptible spot capacity at a bid. */
  SPOT,
  /** A job can attach extra disk to its node. */
  ATTACH_STORAGE,
  /** Nodes can be interrupted and must watch for notices. */
  INTERRUPTIONS
}
