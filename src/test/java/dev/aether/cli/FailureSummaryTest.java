package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.pipeline.run.PipelineResult.FailedJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The end-of-run summary a user scans for what went wrong. */
class FailureSummaryTest {
  private static FailedJob failed(int n, String args, Optional<Integer> exit) {
    return new FailedJob(n, n, args, 3, exit, "/b/logs/" + n + ".log");
  }

  @Test
  void groupsFailedJobsByHowTheyEndedWithTheirArgsAndWhatTheCodeMeans() {
    List<FailedJob> jobs = List.of(failed(1, "sample1", Optional.of(127)),
        failed(2, "sample2", Optional.of(127)), failed(4, "sample4", Optional.of(137)),
        failed(5, "sample5", Optional.empty()));
    String summary = PipelineConsole.summary(new PipelineResult(new LedgerCounts(0, 0, 1, 4),
        jobs, "/b", Duration.ZERO));

    assertThat(summary)
        .contains("2 jobs failed with exit 127 (command not found): sample1, sample2\n")
        .contains("1 job failed with exit 137 (killed (SIGKILL: often out of memory)): sample4")
        .contains("1 job failed because their node went silent: sample5")
        .contains("FAILED job 1 (args line 1, 3 attempts, exit 127): /b/logs/1.log");
  }

  @Test
  void aThousandFailuresAreCountedNotListed() {
    List<FailedJob> jobs = new ArrayList<>();
    for (int n = 1; n <= 1000; n++) {
      jobs.add(failed(n, "s" + n, Optional.of(1)));
    }
    String summary = PipelineConsole.summary(new PipelineResult(new LedgerCounts(0, 0, 0, 1000),
        jobs, "/b", Duration.ZERO));

    assertThat(summary).contains("1000 jobs failed with exit 1 (error): s1, s2,")
        .contains("... (980 more)").contains("... and 980 more failed jobs");
    assertThat(summary.lines().count()).isLessThan(30);
  }
}
