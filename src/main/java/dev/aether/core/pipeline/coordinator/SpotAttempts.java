package dev.aether.core.pipeline.coordinator;

import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.spi.LostCapacity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code --spot-attempts K} rule, and the one place it is written (the {@link Coordinator}
 * and the simulator in {@code dev.aether.core.sim} both call it): a job spot capacity lost K
 * times waits for an on-demand node while one is alive, and the slots of an interrupted node that
 * such jobs need are bought on-demand unless an on-demand node is there to take them. See
 * docs/interruptions.md.
 *
 * @param attempts K; empty = the rule is off (every job may run on spot capacity)
 */
public record SpotAttempts(OptionalInt attempts) {
  public SpotAttempts {
    if (attempts.isPresent() && attempts.getAsInt() < 1) {
      throw new IllegalArgumentException("spot attempts must be at least 1, got "
          + attempts.getAsInt());
    }
  }

  /**
   * The next lease for {@code node}: a spot node is not given a job interrupted K times while an
   * on-demand node is alive; with none alive the job runs where it can rather than wait for
   * capacity that may not come.
   */
  public Optional<Lease> lease(JobLedger ledger, String node, boolean spotNode,
      boolean onDemandAlive, long nowMillis, long leaseMillis) {
    return attempts.isPresent() && spotNode && onDemandAlive
        ? ledger.lease(node, nowMillis, leaseMillis, attempts.getAsInt())
        : ledger.lease(node, nowMillis, leaseMillis);
  }

  /**
   * What to buy for an interrupted node of {@code nodeSlots} slots, after its leases went back
   * to PENDING: at most as many slots as jobs wait (near the end of a batch the remaining nodes
   * finish the rest), the ones for jobs interrupted K times on-demand unless an on-demand node
   * is alive. Empty when nothing waits.
   */
  public List<LostCapacity> replacements(JobLedger ledger, String node, int nodeSlots,
      boolean onDemandAlive) {
    int slots = Math.min(nodeSlots, ledger.counts().pending());
    if (slots <= 0) {
      return List.of();
    }
    int onDemand = attempts.isPresent() && !onDemandAlive
        ? Math.min(slots, ledger.pendingInterrupted(attempts.getAsInt())) : 0;
    List<LostCapacity> lost = new ArrayList<>();
    if (slots - onDemand > 0) {
      lost.add(new LostCapacity(node, slots - onDemand));
    }
    if (onDemand > 0) {
      lost.add(new LostCapacity(node, onDemand, true));
    }
    return lost;
  }
}
