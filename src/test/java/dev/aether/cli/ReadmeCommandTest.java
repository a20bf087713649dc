package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, run as a user runs it: a separate {@code aether} process with no
 * cloud credentials, from its own working folder, on the basic example.
 */
class ReadmeCommandTest {
  private static final Path EXAMPLE = Path.of("examples/basic").toAbsolutePath();
  @TempDir Path home;
  @TempDir Path cwd;

  @Test
  void runsTheBasicExampleOnThisMachineAndResumesWithoutRerunning() throws Exception {
    Result first = aether("-A", EXAMPLE.resolve("args.txt").toString(),
        "-S", EXAMPLE.resolve("script.sh").toString(), "-B", EXAMPLE.resolve("bin").toString(),
        "-N", "basic-demo", "-P", "1", "-M", "1");
    assertThat(first.status()).as(first.output()).isEqualTo(0);
    assertThat(first.output())
        .contains("No cloud credentials found: running on this machine (local provider)")
        .containsPattern("\\d+ jobs? at once \\(\\d+ cores and [0-9.]+ GB; each job 1 core and 1.0 GB\\)")
        .contains("8 of 8 jobs done");
    Path bucket = home.resolve("projects/basic-demo");
    for (int job = 1; job <= 8; job++) {
      assertThat(bucket.resolve("output/result-" + job + ".txt")).exists();
      assertThat(bucket.resolve("logs/" + job + ".log")).exists();
    }
    assertThat(cwd.resolve("prov.psv")).exists();
    long outputsBefore = Files.getLastModifiedTime(bucket.resolve("output/result-1.txt"))
        .toMillis();

    Result status = aether("status", "--name", "basic-demo");
    assertThat(status.status()).isEqualTo(0);
    assertThat(status.output()).contains("8 of 8 jobs done");

    Result again = aether("-A", EXAMPLE.resolve("args.txt").toString(),
        "-S", EXAMPLE.resolve("script.sh").toString(), "-B", EXAMPLE.resolve("bin").toString(),
        "-N", "basic-demo", "-P", "1", "-M", "1", "-L", cwd.resolve("prov.psv").toString());
    assertThat(again.status()).as(again.output()).isEqualTo(0);
    // A finished project is not bid for again: nothing is planned, started or rewritten.
    assertThat(again.output()).contains("Nothing to do: 8 of 8 jobs done in project basic-demo")
        .doesNotContain("Plan for").doesNotContain("Running");
    assertThat(Files.getLastModifiedTime(bucket.resolve("output/result-1.txt")).toMillis())
        .as("a DONE job never runs again").isEqualTo(outputsBefore);
  }

  private record Result(int status, String output) {}

  private Result aether(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectErrorStream(true);
    // No cloud account: the credential chain must find nothing, as on a fresh machine.
    Stream.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .forEach(pb.environment()::remove);
    pb.environment().put("HOME", home.toString());
    pb.environment().put("AETHER_HOME", home.toString());
    pb.environment().put("AETHER_EXAMPLE_SLEEP", "0.2");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
