package dev.aether.core.spi;

import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.limits.Limits;
import java.util.Optional;
import java.util.Set;

/**
 * One kind of machine Aether can run a batch on (this machine, AWS, the user's SSH hosts, a
 * Slurm cluster, Azure). Everything the rest of Aether knows of a provider goes through here; a
 * new kind of machine is one new package under {@code providers/} implementing this, and one line
 * in the CLI's registry.
 */
public interface Provider {
  /** The name users give to {@code --provider}: {@code local}, {@code aws}, ... */
  String name();

  /** What it can do; callers decide by these, never by {@link #name()}. */
  Set<Capability> capabilities();

  default boolean can(Capability capability) {
    return capabilities().contains(capability);
  }

  /**
   * Whether this machine has credentials for the provider (environment, config files): looked
   * for, not used, so that the CLI can choose a provider without a network call.
   */
  boolean credentialsFound();

  /**
   * Opens project {@code name} on this provider: its bucket, its machines and its administration.
   * Opening creates nothing; the bucket is made when the batch starts.
   */
  ProviderProject open(String name);

  /** Where a node of this provider learns who it is (id, address, size, interruption notices). */
  NodeEnvironment nodeEnvironment(NodeOptions options);

  /**
   * The price snapshot shipped inside Aether that the bidder uses when it reads no live prices (a
   * dry run, {@code --offline}): AWS's unless the provider has its own (it also prices what a
   * batch on this machine would cost on a cloud).
   */
  default Catalog embeddedCatalog() {
    return EmbeddedCatalog.load();
  }

  /** The account's live prices, when the provider has them ({@link Capability#LIVE_PRICES}). */
  default Optional<PriceSource> prices() {
    return Optional.empty();
  }

  /** The account's vCPU quotas, when the provider can read them. */
  default Optional<QuotaSource> quotas() {
    return Optional.empty();
  }

  /**
   * Checks that a run could start on this account before anything costs money (see
   * {@link Preflight}); empty for providers with nothing to check.
   */
  default Optional<Preflight> preflight() {
    return Optional.empty();
  }

  /**
   * The offers of {@code catalog} this provider can start and boot: the bidder bids only these
   * (on AWS, not the a1 types, which the Amazon Linux 2023 image nodes run does not support).
   */
  default Catalog startable(Catalog catalog) {
    return catalog;
  }

  /** Reads the live price catalog. */
  interface PriceSource {
    /** @param weeks the spot price look-back window */
    Catalog load(int weeks);
  }

  /** Reads the account's limits (per-type limits, vCPU quotas). */
  interface QuotaSource {
    Limits read();
  }
}
