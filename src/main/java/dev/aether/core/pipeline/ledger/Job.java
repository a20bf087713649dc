package dev.aether.core.pipeline.ledger;

import dev.aether.core.project.BucketLayout;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of the ledger: one job of the args file.
 *
 * @param number 1-based position among the args file's jobs (blank and {@code #} lines skipped);
 *     names its log, {@code logs/<number>.log}
 * @param line 1-based line of the args file it came from, for messages
 * @param args the line exactly as written, passed as {@code $1}
 * @param state where the job is
 * @param attempts leases that count towards the attempts limit (a run that was started, whatever
 *     its end; a lease given back by an interrupted node or a dead coordinator does not count)
 * @param leases leases handed out so far, counted or not: the last one's number, never reused
 *     ({@code AETHER_ATTEMPT} of the latest run)
 * @param leaseExpiresAt when the current lease ends unless renewed (LEASED only)
 * @param node the node that holds or last held it
 * @param exitCode the last run's exit code, when a run reported one
 * @param startedAt when the last lease was handed out
 * @param endedAt when it last ended (exit reported or lease expired)
 */
public record Job(
    int number,
    int line,
    String args,
    JobState state,
    int attempts,
    int leases,
    Optional<Instant> leaseExpiresAt,
    Optional<String> node,
    Optional<Integer> exitCode,
    Optional<Instant> startedAt,
    Optional<Instant> endedAt) {

  /** The key of this job's log in the bucket. */
  public String logKey() {
    return logKey(number);
  }

  public static String logKey(int number) {
    return BucketLayout.log(number);
  }
}
