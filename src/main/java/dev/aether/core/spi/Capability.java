package dev.aether.core.spi;

/**
 * What a provider can do beyond running jobs. Callers read these instead of asking which provider
 * it is: the CLI, the pipeline and the agent decide by capability, never by name.
 */
public enum Capability {
  /** Buys interruptible spot capacity at a bid; the bidder plans spot offers for it. */
  SPOT,
  /** Its nodes can be taken away with a notice: agents watch for it, the coordinator replaces. */
  INTERRUPTIONS,
  /** A job can attach extra disk to its node ({@code bin/add_ebs_storage.sh}). */
  ATTACH_STORAGE,
  /** The coordinator runs on a node the provider starts, not on the launching machine. */
  REMOTE_COORDINATOR,
  /** Machines can join a running pipeline of this provider ({@code aether join}). */
  JOIN,
  /** It can read live prices (and quotas) from the account, not only the embedded snapshot. */
  LIVE_PRICES,
  /** Its machines are bought from a price catalog: the bidder's plan is what it starts. */
  BIDS,
  /**
   * It runs on machines the user already has (their SSH hosts, their cluster's agent jobs):
   * nothing is bought, so the bidder is skipped and the plan shows its {@code fixedNodes()}, as
   * read from those machines.
   */
  OWN_MACHINES
}
