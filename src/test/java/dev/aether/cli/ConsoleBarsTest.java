package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Progress written to a file or a pipe: plain lines, not carriage-return redraws. */
class ConsoleBarsTest {
  @Test
  void offATerminalPrintsALineEveryFivePercentAndNoRedraws() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (ConsoleBars.Progress p = ConsoleBars.start(out, "jobs", 1000, 0, "", 1)) {
      for (int done = 0; done <= 1000; done++) {
        p.message(", failed 0");
        p.stepTo(done);
      }
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\r");
    assertThat(text.lines()).hasSize(21).first().isEqualTo("jobs 0% 0/1000, failed 0");
    assertThat(text.lines()).last().isEqualTo("jobs 100% 1000/1000, failed 0");
  }

  @Test
  void bytesAreShownInTheirUnit() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (ConsoleBars.Progress p = ConsoleBars.start(out, "upload", 50_000_000, 0, " MB",
        1_000_000)) {
      p.stepBy(25_000_000);
      p.stepBy(25_000_000);
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("upload 50% 25/50 MB", "upload 100% 50/50 MB");
  }
}
