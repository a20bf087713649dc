package dev.aether.core.pipeline.ledger;

/**
 * Where a job is in its life. PENDING -> LEASED -> DONE, or back to PENDING (non-zero exit or an
 * expired lease, while attempts remain), or FAILED once {@code maxAttempts} leases have ended badly.
 * DONE and FAILED are final: nothing moves a job out of them except a {@code restart}.
 */
public enum JobState {
  PENDING,
  LEASED,
  DONE,
  FAILED;

  public boolean isFinal() {
    return this == DONE || this == FAILED;
  }
}
