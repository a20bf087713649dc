package dev.aether.core.spi;

import dev.aether.core.plan.ProvisionedInstance;
import java.util.Objects;

/**
 * An instance the provider could not start because of where it was to be bought, not because of
 * anything wrong with the batch: the pool had no capacity, the price was above the bid, the quota
 * of its kind is used up, or its zone cannot take it. Another pool may well have room, so the
 * caller leaves this one out and plans the missing slots elsewhere.
 *
 * @param instance what could not start (its prov.psv line)
 * @param reason why, in the boundary's words
 * @param message what the provider said, for the user (one line)
 */
public record Unavailable(ProvisionedInstance instance, Reason reason, String message) {
  public Unavailable {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /** Why a pool could not give an instance; decides what is left out. */
  public enum Reason {
    /** No spare capacity of this type in this zone now: leave out this pool. */
    CAPACITY,
    /** The spot price is above the bid: leave out this pool. */
    PRICE,
    /**
     * The quota of this kind of instance (its quota class on its market) is used up: leave out
     * every type that counts against the same quota.
     */
    QUOTA,
    /** The zone cannot take it (not offered there, no subnet, no free address): this pool. */
    ZONE
  }
}
