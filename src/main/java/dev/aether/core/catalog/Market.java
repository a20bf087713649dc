package dev.aether.core.catalog;

/** How an instance is bought. */
public enum Market {
  /** Spare capacity at a market price; may be interrupted. The bid caps what we pay. */
  SPOT,
  /** Fixed price, not interrupted. */
  ON_DEMAND;

  /** The word used in files and tables: {@code spot} or {@code on-demand}. */
  public String label() {
    return this == SPOT ? "spot" : "on-demand";
  }
}
