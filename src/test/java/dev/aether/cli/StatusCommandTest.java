package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
  @Test
  @Timeout(120)
  void listsEachFailedJobWithItsAttemptsExitCodeAndLog(@TempDir Path home, @TempDir Path in)
      throws Exception {
    Path script = in.resolve("job.sh");
    Files.writeString(script, "#!/bin/bash\necho \"attempt $AETHER_ATTEMPT of '$1'\"\n"
        + "[ \"$1\" = ok ] || exit 3\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path args = in.resolve("args.txt");
    Files.writeString(args, "ok\nbad\n");

    CliRun batch = CliRun.of("-A", args.toString(), "-S", script.toString(), "-N", "failing",
        "-P", "1", "-M", "1", "--provider", "local", "--aether-home", home.toString(),
        "-L", in.resolve("prov.psv").toString());
    assertThat(batch.status()).as(batch.out() + batch.err()).isEqualTo(1);
    Path log = home.resolve("projects/failing/logs/2.log");
    assertThat(batch.out()).contains("1 of 2 jobs done, 1 failed")
        .contains("FAILED job 2 (args line 2, 3 attempts, exit 3): " + log);

    CliRun status = CliRun.of("status", "--name", "failing", "--aether-home", home.toString());
    assertThat(status.status()).as("failed jobs make status exit 1").isEqualTo(1);
    assertThat(status.out()).contains("1 of 2 jobs done, 1 failed")
        .contains("FAILED job 2 (args line 2, 3 attempts, exit 3): " + log)
        .contains("Cost so far: nothing (the local provider does not bill).");
  }

  @Test
  void aProjectThatNeverRanIsSaidInOneLine(@TempDir Path home) {
    CliRun status = CliRun.of("status", "--name", "never-ran", "--aether-home", home.toString());
    assertThat(status.status()).isNotZero();
    assertThat(status.err().strip()).startsWith("aether: ").doesNotContain("\n");
  }
}
