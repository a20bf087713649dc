package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.AetherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Running a project again, as a user does day after day. */
class PreviousRunTest {
  @TempDir Path home;
  @TempDir Path in;
  Path script;
  Path args;
  Path plan;

  @BeforeEach
  void finishedProject() throws Exception {
    script = in.resolve("job.sh");
    Files.writeString(script, "#!/bin/bash\necho \"$1\" >> \"$5/ran-$1\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    args = in.resolve("args.txt");
    Files.writeString(args, "s1\ns2\n");
    plan = in.resolve("prov.psv");
    CliRun first = run();
    assertThat(first.status()).as(first.out() + first.err()).isZero();
  }

  private CliRun run(String... more) {
    String[] base = {"-A", args.toString(), "-S", script.toString(), "-N", "daily", "-P", "1",
        "-M", "1", "--provider", "local", "--aether-home", home.toString(), "-L",
        in.resolve("new-plan.psv").toString()};
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return CliRun.of(all);
  }

  @Test
  @Timeout(60)
  void aFinishedProjectSaysNothingToDoWithoutBiddingOrRewritingThePlan() throws Exception {
    Path written = in.resolve("new-plan.psv");
    Files.delete(written);

    CliRun again = run();

    assertThat(again.status()).isZero();
    assertThat(again.out()).contains("Nothing to do: 2 of 2 jobs done in project daily")
        .doesNotContain("Plan for");
    assertThat(written).as("no plan written").doesNotExist();
    assertThat(Files.readAllLines(home.resolve("projects/daily/output/ran-s1"))).hasSize(1);
  }

  @Test
  @Timeout(60)
  void aChangedLineIsRefusedBeforeAnyPlanIsWrittenNamingTheLine() throws Exception {
    Files.writeString(args, "s1\nS2\n");
    Path written = in.resolve("new-plan.psv");
    Files.delete(written);

    CliRun again = run();

    assertThat(again.status()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(again.err().strip()).doesNotContain("\n")
        .contains("job 2 was 's2', line 2 now reads 'S2'").contains("--restart");
    assertThat(again.out()).doesNotContain("Plan for");
    assertThat(written).doesNotExist();
  }

  @Test
  @Timeout(60)
  void appendedLinesRunWithoutRestartAndDoneJobsKeepTheirResults() throws Exception {
    Files.writeString(args, "s1\ns2\ns3\n");

    CliRun again = run();

    assertThat(again.status()).as(again.out() + again.err()).isZero();
    assertThat(again.out()).contains("3 of 3 jobs done");
    Path output = home.resolve("projects/daily/output");
    assertThat(Files.readAllLines(output.resolve("ran-s1"))).hasSize(1);
    assertThat(Files.readAllLines(output.resolve("ran-s3"))).hasSize(1);
  }
}
