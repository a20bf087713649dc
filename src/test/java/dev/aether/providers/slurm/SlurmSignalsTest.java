package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Slurm's signals to an agent job become one interruption notice, in a process of its own. */
class SlurmSignalsTest {
  @ParameterizedTest
  @CsvSource({
    "USR1, SIGUSR1 from Slurm: the job's time limit is about 120 s away",
    "TERM, 'SIGTERM from Slurm: the job is cancelled, preempted or at its time limit'"})
  void aSignalFromSlurmIsANoticeAndNotTheEndOfTheAgent(String signal, String notice)
      throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), SignalChild.class.getName())
        .redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("watching");

      kill(signal, child);

      assertThat(out.readLine()).isEqualTo("notice: " + notice);
      assertThat(out.readLine()).isEqualTo("closed");
      // Once the agent stops watching, SIGTERM ends the process as it ends any JVM.
      kill("TERM", child);
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(143);
    } finally {
      child.destroyForcibly();
    }
  }

  private static void kill(String signal, Process p) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start()
        .waitFor()).isZero();
  }
}
