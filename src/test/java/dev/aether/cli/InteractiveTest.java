package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.catalog.Market;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.LimitsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InteractiveTest {
  @TempDir Path dir;

  @Test
  void asksForWhatIsMissingAndAcceptsPipedAnswers() throws Exception {
    Path args = dir.resolve("args.txt");
    Files.writeString(args, "a\nb\nc\n");
    Path psv = dir.resolve("prov.psv");
    String answers = String.join("\n",
        args.toString(),   // args file
        "",                // project name: default demo
        "zero",            // cores: not a number -> asked again
        "2",               // cores
        "-1",              // memory: invalid -> asked again
        "4",               // memory
        "",                // region: default us-east-1
        "",                // weeks: default
        "") + "\n";
    CliRun run = CliRun.withInput(answers, "-I", "--dry-run", "-L", psv.toString(),
        "--limits", writeNoLimits().toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.out())
        .contains("Cores per job [1]: ")
        .contains("is not a whole number; please try again.")
        .contains("memory must be > 0 GB; please try again.")
        .contains("Plan for 3 jobs of 2 cores and 4 GB each");
    assertThat(psv).exists();
  }

  @Test
  void asksForLimitsAndSavesThemForLaterRuns() throws Exception {
    Path args = dir.resolve("args.txt");
    Files.writeString(args, "a\n");
    Path psv = dir.resolve("prov.psv");
    Path cwdLimits = BidRequest.DEFAULT_LIMITS;
    // The limits file is saved in the current folder; this test must not leave one behind.
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(cwdLimits),
        "an instances.json already exists in the working folder");
    try {
      String answers = String.join("\n", args.toString(), "", "1", "1", "", "",
          "c5.large=3 m5.large=bad", "c5.large=3 m5.large=1", "16", "") + "\n";
      CliRun run = CliRun.withInput(answers, "-I", "--dry-run", "-L", psv.toString());
      assertThat(run.status()).as(run.err()).isEqualTo(0);
      assertThat(run.out()).contains("'bad' is not a whole number");
      Limits saved = LimitsFile.read(cwdLimits);
      assertThat(saved.perType()).containsEntry("c5.large", 3).containsEntry("m5.large", 1);
      assertThat(saved.vcpuQuota("standard", Market.ON_DEMAND)).contains(16);
      assertThat(saved.vcpuQuota("standard", Market.SPOT)).isEmpty();
    } finally {
      Files.deleteIfExists(cwdLimits);
    }
  }

  @Test
  void endOfInputBeforeAnAnswerIsInvalidInput() throws Exception {
    CliRun run = CliRun.withInput("", "-I", "--dry-run", "-L", dir.resolve("p.psv").toString());
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("standard input ended");
  }

  private Path writeNoLimits() throws Exception {
    Path f = dir.resolve("limits.json");
    Files.writeString(f, "{}");
    return f;
  }
}
