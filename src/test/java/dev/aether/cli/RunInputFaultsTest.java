package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults 7 and 8 of issue 16 at the command line: an args line no system call can pass, a data
 * folder link that leaves the folder, a bad --job-timeout: one line naming it, exit 2, nothing
 * uploaded and nothing started.
 */
class RunInputFaultsTest {
  @TempDir Path home;
  @TempDir Path in;
  private Path script;
  private Path plan;

  @BeforeEach
  void files() throws Exception {
    script = Files.writeString(in.resolve("job.sh"), "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    plan = Files.writeString(in.resolve("prov.psv"), "c5.large|2|4|false|false\n");
  }

  private CliRun run(Path args, String... more) {
    String[] base = {"-L", plan.toString(), "-A", args.toString(), "-S", script.toString(),
        "-N", "inputs", "-P", "1", "-M", "0.5", "--provider", "local", "--aether-home",
        home.toString()};
    return CliRun.of(Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new));
  }

  private void assertNothingRan(CliRun run, String named) throws Exception {
    assertThat(run.status()).as(run.out() + run.err()).isEqualTo(2);
    assertThat(run.err().strip()).doesNotContain("\n").startsWith("aether: ").contains(named);
    Path bucket = home.resolve("projects/inputs");
    if (Files.exists(bucket)) {
      try (Stream<Path> files = Files.walk(bucket)) {
        assertThat(files.filter(Files::isRegularFile)).as("nothing uploaded").isEmpty();
      }
    }
    assertThat(home.resolve("work/inputs/nodes")).as("no agent started").doesNotExist();
  }

  @Test
  void refusesAnArgsLineOf200KibNamingIt() throws Exception {
    Path args = Files.writeString(in.resolve("args.txt"),
        "short\n" + "z".repeat(200 * 1024) + "\nshort too\n");
    assertNothingRan(run(args), "line 2 of the args file (-A) is 204800 bytes long");
  }

  @Test
  void refusesADataFolderLinkThatLeavesItNamingIt() throws Exception {
    Path args = Files.writeString(in.resolve("args.txt"), "a\n");
    Path data = Files.createDirectories(in.resolve("data"));
    Files.writeString(data.resolve("ok.txt"), "fine");
    Path outside = Files.writeString(in.resolve("credentials"), "secret");
    Files.createSymbolicLink(data.resolve("creds"), outside);
    assertNothingRan(run(args, "-D", data.toString()),
        data.resolve("creds") + " -> " + outside.toRealPath());
  }

  @Test
  void refusesAJobTimeoutThatIsNotADuration() throws Exception {
    Path args = Files.writeString(in.resolve("args.txt"), "a\n");
    assertNothingRan(run(args, "--job-timeout", "ten minutes"), "--job-timeout: 'ten minutes'");
    assertNothingRan(run(args, "--job-timeout", "0s"), "--job-timeout must be more than 0");
  }
}
