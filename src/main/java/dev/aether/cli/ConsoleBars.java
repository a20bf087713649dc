package dev.aether.cli;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The one way Aether draws a progress bar: fixed width, colours only on a terminal. */
final class ConsoleBars {
  private ConsoleBars() {}

  /**
   * A bar of {@code max} steps named {@code task}, started at {@code start}.
   *
   * @param unit the unit shown, e.g. " MB" with {@code unitSize} 1,000,000; empty for counts
   */
  static ProgressBar start(PrintStream out, String task, long max, long start, String unit,
      long unitSize) {
    ProgressBarBuilder b = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(Math.max(1, max))
        // A fixed width: no terminal is needed to render it (logs, CI).
        .setConsumer(new ConsoleProgressBarConsumer(out, 100))
        // Colours and block characters only on a terminal; plain ASCII in logs.
        .setStyle(System.console() != null ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK
            : ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .startsFrom(start, Duration.ZERO);
    if (!unit.isEmpty()) {
      b.setUnit(unit, unitSize);
    }
    return b.build();
  }
}
