package dev.aether.core.pipeline.ledger;

/** How many jobs are in each state. */
public record LedgerCounts(int pending, int leased, int done, int failed) {
  public int total() {
    return pending + leased + done + failed;
  }

  /** Every job is DONE or FAILED: the batch is over. */
  public boolean finished() {
    return pending == 0 && leased == 0;
  }
}
