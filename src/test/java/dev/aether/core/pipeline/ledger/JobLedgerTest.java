package dev.aether.core.pipeline.ledger;

import dev.aether.core.pipeline.coordinator.Lease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobLedgerTest {
  private static final long LEASE = 1000;
  @TempDir Path dir;
  private JobLedger ledger;

  @BeforeEach
  void open() {
    ledger = JobLedger.open(dir.resolve("ledger.db"));
    ledger.load(ArgsFile.parse("a\n# c\nb\nc\n"), false);
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  @Test
  void leasesJobsInFileOrderNumberedAmongJobs() {
    assertThat(ledger.lease("n1", 0, LEASE)).contains(new Lease(1, 1, "a"));
    assertThat(ledger.lease("n1", 0, LEASE)).contains(new Lease(2, 1, "b"));
    assertThat(ledger.job(2).orElseThrow().line()).isEqualTo(3);
    assertThat(ledger.lease("n2", 0, LEASE)).contains(new Lease(3, 1, "c"));
    assertThat(ledger.lease("n2", 0, LEASE)).isEmpty();
    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(0, 3, 0, 0));
  }

  @Test
  void retriesANonZeroExitUntilMaxAttemptsThenFails() {
    for (int attempt = 1; attempt <= 2; attempt++) {
      Lease l = ledger.lease("n", 0, LEASE).orElseThrow();
      assertThat(l.attempt()).isEqualTo(attempt);
      assertThat(ledger.complete("n", 1, attempt, 7, 10, 3)).contains(JobState.PENDING);
    }
    ledger.lease("n", 0, LEASE);
    assertThat(ledger.complete("n", 1, 3, 7, 10, 3)).contains(JobState.FAILED);
    Job job = ledger.job(1).orElseThrow();
    assertThat(job.attempts()).isEqualTo(3);
    assertThat(job.exitCode()).contains(7);
  }

  @Test
  void ignoresCompletionsFromAnotherNodeOrAnOlderAttempt() {
    ledger.lease("n1", 0, LEASE);
    assertThat(ledger.complete("intruder", 1, 1, 0, 10, 3)).isEmpty();
    assertThat(ledger.complete("n1", 1, 2, 0, 10, 3)).isEmpty();
    assertThat(ledger.job(1).orElseThrow().state()).isEqualTo(JobState.LEASED);
    assertThat(ledger.complete("n1", 1, 1, 0, 10, 3)).contains(JobState.DONE);
    assertThat(ledger.complete("n1", 1, 1, 1, 10, 3)).as("DONE is final").isEmpty();
  }

  @Test
  void expiredLeaseReturnsToPendingAndCountsAsAnAttempt() {
    ledger.lease("n1", 0, LEASE);
    assertThat(ledger.renew("n1", 1, 1, 500, LEASE)).isTrue(); // now expires at 1500
    assertThat(ledger.expire(1400, 2)).isZero();
    assertThat(ledger.expire(1501, 2)).isEqualTo(1);
    assertThat(ledger.job(1).orElseThrow().state()).isEqualTo(JobState.PENDING);
    assertThat(ledger.renew("n1", 1, 1, 1600, LEASE)).as("lease gone").isFalse();

    Lease second = ledger.lease("n2", 2000, LEASE).orElseThrow();
    assertThat(second).isEqualTo(new Lease(1, 2, "a"));
    assertThat(ledger.complete("n1", 1, 1, 0, 2100, 2)).as("old holder").isEmpty();
    assertThat(ledger.expire(3001, 2)).isEqualTo(1);
    assertThat(ledger.job(1).orElseThrow().state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void keepsALateSuccessWhenTheJobWasNotLeasedAgain() {
    ledger.lease("n1", 0, LEASE);
    ledger.expire(LEASE + 1, 3);
    assertThat(ledger.complete("n1", 1, 1, 0, LEASE + 2, 3)).contains(JobState.DONE);
  }

  @Test
  void survivesReopeningAndGivesBackTheLeasesOfADeadCoordinator() {
    ledger.lease("n1", 0, LEASE);
    ledger.lease("n1", 0, LEASE);
    ledger.complete("n1", 1, 1, 0, 5, 3);
    ledger.close();

    ledger = JobLedger.open(dir.resolve("ledger.db"));
    ledger.load(ArgsFile.parse("a\nb\nc\n"), false);
    assertThat(ledger.recoverLeases()).isEqualTo(1);
    assertThat(ledger.job(1).orElseThrow().state()).isEqualTo(JobState.DONE);
    Job b = ledger.job(2).orElseThrow();
    assertThat(b.state()).isEqualTo(JobState.PENDING);
    assertThat(b.attempts()).as("not the job's fault").isZero();
    assertThat(ledger.lease("n2", 0, LEASE)).contains(new Lease(2, 1, "b"));
  }

  @Test
  void refusesAChangedJobListNamingTheJobAndRestartStartsOver() {
    ledger.lease("n", 0, LEASE);
    ledger.complete("n", 1, 1, 0, 1, 3);
    assertThatThrownBy(() -> ledger.load(ArgsFile.parse("a\nB\nc\nd\n"), false))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("job 2 was 'b', line 2 now reads 'B'")
        .hasMessageContaining("--restart")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(2, 0, 1, 0));

    ledger.load(ArgsFile.parse("a\nb\nc\nd\n"), true);
    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(4, 0, 0, 0));
  }

  @Test
  void linesAddedAtTheEndBecomeNewJobsAndDoneJobsStayDone() {
    ledger.lease("n", 0, LEASE);
    ledger.complete("n", 1, 1, 0, 1, 3);

    ledger.load(ArgsFile.parse("a\nb\nc\nd\ne\n"), false);

    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(4, 0, 1, 0));
    assertThat(ledger.job(1).orElseThrow().state()).isEqualTo(JobState.DONE);
    assertThat(ledger.job(5).orElseThrow().args()).isEqualTo("e");
    assertThat(ledger.compare(ArgsFile.parse("a\nb\nc\nd\ne\n")).kind())
        .isEqualTo(JobLedger.ArgsChange.Kind.SAME);
  }

  @Test
  void aRemovedLineIsAChangeNotAnAppend() {
    JobLedger.ArgsChange change = ledger.compare(ArgsFile.parse("a\nb\n"));
    assertThat(change.kind()).isEqualTo(JobLedger.ArgsChange.Kind.CHANGED);
    assertThat(change.firstDifferent()).isEqualTo(3);
    assertThatThrownBy(() -> ledger.load(ArgsFile.parse("a\nb\n"), false))
        .hasMessageContaining("job 3 was 'c', it is no longer in the file");
  }

  @Test
  void retryFailedGivesFailedJobsNewAttempts() {
    ledger.lease("n", 0, LEASE);
    ledger.complete("n", 1, 1, 2, 1, 1);
    assertThat(ledger.retryFailed()).isEqualTo(1);
    assertThat(ledger.job(1).map(Job::attempts)).isEqualTo(Optional.of(0));
    assertThat(ledger.job(1).map(Job::state)).contains(JobState.PENDING);
  }

  @Test
  void copiesAConsistentSnapshot() {
    ledger.lease("n", 0, LEASE);
    Path copy = dir.resolve("copy.db");
    ledger.copyTo(copy);
    ledger.copyTo(copy); // replaces
    try (JobLedger c = JobLedger.openExisting(copy)) {
      assertThat(c.counts()).isEqualTo(new LedgerCounts(2, 1, 0, 0));
    }
  }
}
