package dev.aether.core.pipeline.run;

import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a batch ended.
 *
 * @param counts jobs per state at the end
 * @param failed the FAILED jobs, in job order
 * @param bucket where the results are (bucket location)
 * @param elapsed how long this run took
 */
public record PipelineResult(LedgerCounts counts, List<FailedJob> failed, String bucket,
    Duration elapsed) {
  public PipelineResult {
    failed = List.copyOf(failed);
  }

  /** Every job is DONE. */
  public boolean succeeded() {
    return counts.done() == counts.total();
  }

  /**
   * @param number job number (names the log)
   * @param line the args file line it came from
   * @param args the job's line
   * @param attempts runs it had
   * @param exitCode the last run's exit code; empty when its node went silent
   * @param log where its log is: bucket location + {@code /logs/<number>.log}
   */
  public record FailedJob(int number, int line, String args, int attempts,
      Optional<Integer> exitCode, String log) {}

  /** The result as the ledger holds it now. */
  public static PipelineResult from(JobLedger ledger, String bucket, Duration elapsed) {
    List<FailedJob> failed = ledger.jobs(JobState.FAILED).stream()
        .map(j -> new FailedJob(j.number(), j.line(), j.args(), j.attempts(), j.exitCode(),
            bucket + "/" + j.logKey()))
        .toList();
    return new PipelineResult(ledger.counts(), failed, bucket, elapsed);
  }
}
