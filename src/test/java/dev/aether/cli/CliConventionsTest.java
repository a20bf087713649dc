package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.AetherException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line follows the conventions users know from git, docker and kubectl. */
class CliConventionsTest {
  @Test
  void noArgumentsPrintsTheUsageNotAnError() {
    CliRun run = CliRun.of();
    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("Usage: aether", "-P, --processors");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void helpIsInSectionsAndStatesTheProjectNameRule() {
    String help = CliRun.of("--help").out();
    assertThat(help).contains("The job:", "The bidder:", "Where it runs:", "Credentials");
    String job = section(help, "The job:");
    assertThat(job).contains("-P, --processors", "-M, --memory", "-A, --input-file")
        .doesNotContain("--max-cost");
    assertThat(section(help, "The bidder:")).contains("--max-cost", "--objective")
        .doesNotContain("--processors");
    assertThat(section(help, "Where it runs:")).contains("--provider", "-R, --region");
    assertThat(help).contains("3 to 63 lowercase letters, digits and single hyphens");
    assertThat(help).doesNotContain("--agent-jar").doesNotContain("<");
  }

  /** The lines of one section, from its heading to the next blank line. */
  private static String section(String help, String heading) {
    int start = help.indexOf(heading);
    assertThat(start).as(heading).isNotNegative();
    int end = help.indexOf("\n\n", start);
    return help.substring(start, end < 0 ? help.length() : end);
  }

  @Test
  void helpOfACommandWorksLikeGitHelp() {
    CliRun run = CliRun.of("help", "status");
    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("Usage: aether status", "-N, --name", "--aether-home");
  }

  @Test
  void sharedOptionsReadTheSameEverywhere() {
    for (String command : new String[] {"status", "down"}) {
      assertThat(CliRun.of("help", command).out()).as(command)
          .contains("-N, --name=NAME", "--aether-home=DIR");
    }
    assertThat(CliRun.of("help", "down").out()).contains("-R, --region=REGION");
  }

  @Test
  void printsABashCompletionScriptThatKnowsTheOptions() {
    CliRun run = CliRun.of("completion", "bash");
    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("complete -F").contains("--processors").contains("status");
    assertThat(CliRun.of("completion", "fish").status()).isEqualTo(AetherException.INVALID_INPUT);
  }

  @Test
  void generatesAManPageForEveryCommandFromTheirOwnOptions(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("gen-manpage", "--outdir", dir.toString());
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(Files.readString(dir.resolve("aether.adoc")))
        .contains("--processors", "--max-cost", "--provider", "== Synopsis", "== Options");
    assertThat(dir.resolve("aether-status.adoc")).exists();
    assertThat(dir.resolve("aether-down.adoc")).exists();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
    "-P two;          -P;          'two' is not a whole number",
    "-M lots;         -M;          'lots' is not a number",
    "--max-cost x;    --max-cost;  'x' is not a number"})
  void wrongTypesAreSaidInTheUsersWords(String options, String named, String words,
      @TempDir Path dir) throws Exception {
    Path args = dir.resolve("args.txt");
    Files.writeString(args, "1\n");
    String[] given = ("--dry-run -A " + args + " -P 1 -M 1 " + options).split(" ");
    CliRun run = CliRun.of(given);
    assertThat(run.status()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(run.err().strip()).doesNotContain("\n").contains(words)
        .doesNotContain(" int").doesNotContain("BigDecimal").doesNotContain("java.");
  }

  @Test
  void anExportModelIntoAMissingFolderIsBadInputInOneLine(@TempDir Path dir) throws Exception {
    Path args = dir.resolve("args.txt");
    Files.writeString(args, "1\n");
    CliRun run = CliRun.of("--dry-run", "-A", args.toString(), "-P", "1", "-M", "1",
        "-L", dir.resolve("p.psv").toString(), "--export-model", "/nonexistent/x.lp");
    assertThat(run.status()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(run.err().strip()).doesNotContain("\n").contains("--export-model")
        .contains("/nonexistent");
  }

  @Test
  void downWithoutCredentialsSaysSoInOneLine(@TempDir Path home) {
    // A HOME without ~/.aws and no AWS_* variables is what this test JVM is expected to have.
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null
        && System.getenv("AWS_PROFILE") == null
        && !Files.exists(Path.of(System.getProperty("user.home"), ".aws")),
        "this machine has AWS credentials");
    CliRun run = CliRun.of("down", "--name", "demo", "--aether-home", home.toString());
    assertThat(run.status()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(run.err().strip()).doesNotContain("\n").contains("no aws credentials");
  }
}
