package dev.aether.bench;

import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The verdict of bench/chaos.sh (not a test): reads the ledger, the runs each job recorded
 * ({@code RUNS/<number>}: "ATTEMPT START_MILLIS" per run) and the bucket's outputs, and prints
 * jobs done, lost, runs, duplicate AETHER_ATTEMPTs and runs started after their job was DONE.
 * Exits 1 when anything was lost or a rule broken.
 *
 * <pre>ChaosCheck LEDGER RUNS OUTPUT</pre>
 */
public final class ChaosCheck {
  private ChaosCheck() {}

  public static void main(String[] a) throws Exception {
    Path runsDir = Path.of(a[1]);
    Path output = Path.of(a[2]);
    int total;
    int done = 0;
    int missingOutput = 0;
    int runs = 0;
    int duplicateAttempts = 0;
    int afterDone = 0;
    try (JobLedger ledger = JobLedger.openExisting(Path.of(a[0]))) {
      total = ledger.counts().total();
      for (Job job : ledger.jobs(JobState.DONE)) {
        done++;
        if (!Files.exists(output.resolve("out-" + job.number()))) {
          missingOutput++;
        }
        Path f = runsDir.resolve(Integer.toString(job.number()));
        List<String> lines = Files.exists(f) ? Files.readAllLines(f) : List.of();
        Set<String> attempts = new HashSet<>();
        long doneAt = job.endedAt().orElseThrow().toEpochMilli();
        for (String line : lines) {
          String[] w = line.trim().split(" ");
          if (w.length < 2) {
            continue; // a run killed while it wrote its line
          }
          runs++;
          if (!attempts.add(w[0])) {
            duplicateAttempts++;
          }
          if (Long.parseLong(w[1]) > doneAt) {
            afterDone++;
          }
        }
      }
    }
    int lost = total - done;
    System.out.printf("jobs %d, done %d, lost %d, missing outputs %d; runs %d (%d more than"
            + " jobs: killed or duplicated runs), duplicate AETHER_ATTEMPT %d, runs started after"
            + " DONE %d%n", total, done, lost, missingOutput, runs, runs - done,
        duplicateAttempts, afterDone);
    System.exit(lost == 0 && missingOutput == 0 && duplicateAttempts == 0 && afterDone == 0
        ? 0 : 1);
  }
}
