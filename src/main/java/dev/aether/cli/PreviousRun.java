package dev.aether.cli;

import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.project.ProjectDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What an earlier run of the same project means for this one, decided before the bidder runs (so
 * nothing is rebid or rewritten for a batch that is over, and a changed args file is refused
 * before a plan is written).
 */
final class PreviousRun {
  private PreviousRun() {}

  /**
   * @return the line to print when every job is done already (nothing to run)
   * @throws dev.aether.core.AetherException exit 2 when the args file changed under the project
   */
  static Optional<String> check(ProjectDirs dirs, BidRequest request) {
    String name = request.name().orElseThrow();
    Path ledgerFile = dirs.ledger(name);
    if (!Files.exists(ledgerFile)) {
      return Optional.empty();
    }
    ArgsFile args = ArgsFile.read(request.argsFile().orElseThrow());
    try (JobLedger ledger = JobLedger.openForReading(ledgerFile)) {
      JobLedger.ArgsChange change = ledger.compare(args);
      if (change.kind() == JobLedger.ArgsChange.Kind.CHANGED) {
        throw JobLedger.changed(args, change);
      }
      LedgerCounts c = ledger.counts();
      if (change.kind() == JobLedger.ArgsChange.Kind.SAME && c.done() == c.total()) {
        String bucket = ledger.meta("bucket").orElse(dirs.bucket(name).toString());
        return Optional.of("Nothing to do: " + c.done() + " of " + c.total() + " jobs done in"
            + " project " + name + " (outputs in " + bucket + "/output/). Add lines to the args"
            + " file to run more, or --restart to run every job again.");
      }
      return Optional.empty();
    }
  }
}
