package dev.aether.cli;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The one way Aether shows progress: a redrawn bar on a terminal, and, when the output goes to a
 * file or a pipe (a log, CI, nohup), one plain line each time another {@value #LINE_STEP}% is
 * done, since carriage-return redraws make such a file unreadable.
 */
final class ConsoleBars {
  /** Percent between two progress lines off a terminal. */
  static final int LINE_STEP = 5;

  private ConsoleBars() {}

  /** Progress of one task: steps done of a known total, and a short message after it. */
  interface Progress extends AutoCloseable {
    void stepTo(long done);

    void stepBy(long more);

    void message(String message);

    @Override
    void close();
  }

  /**
   * Progress of {@code max} steps named {@code task}, started at {@code start}.
   *
   * @param unit the unit shown, e.g. " MB" with {@code unitSize} 1,000,000; empty for counts
   */
  static Progress start(PrintStream out, String task, long max, long start, String unit,
      long unitSize) {
    return System.console() != null ? bar(out, task, max, start, unit, unitSize)
        : new Lines(out, task, Math.max(1, max), start, unit, Math.max(1, unitSize));
  }

  private static Progress bar(PrintStream out, String task, long max, long start, String unit,
      long unitSize) {
    ProgressBarBuilder b = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(Math.max(1, max))
        .setConsumer(new ConsoleProgressBarConsumer(out, 100))
        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
        .setUpdateIntervalMillis(500)
        .startsFrom(start, Duration.ZERO);
    if (!unit.isEmpty()) {
      b.setUnit(unit, unitSize);
    }
    ProgressBar bar = b.build();
    return new Progress() {
      @Override
      public void stepTo(long done) {
        bar.stepTo(done);
      }

      @Override
      public void stepBy(long more) {
        bar.stepBy(more);
      }

      @Override
      public void message(String message) {
        bar.setExtraMessage(message);
      }

      @Override
      public void close() {
        bar.close();
      }
    };
  }

  /** Off a terminal: a line at every {@link #LINE_STEP}% and one at the end. */
  static final class Lines implements Progress {
    private final PrintStream out;
    private final String task;
    private final long max;
    private final String unit;
    private final long unitSize;
    private long done;
    private long lastPercent = -LINE_STEP; // so that 0% is printed too
    private String message = "";

    Lines(PrintStream out, String task, long max, long start, String unit, long unitSize) {
      this.out = out;
      this.task = task;
      this.max = max;
      this.unit = unit;
      this.unitSize = unitSize;
      this.done = start;
    }

    @Override
    public synchronized void stepTo(long to) {
      done = to;
      maybePrint(false);
    }

    @Override
    public synchronized void stepBy(long more) {
      done += more;
      maybePrint(false);
    }

    @Override
    public synchronized void message(String m) {
      message = m;
    }

    @Override
    public synchronized void close() {
      maybePrint(true);
    }

    private void maybePrint(boolean last) {
      long percent = Math.min(100, done * 100 / max);
      if (percent / LINE_STEP == lastPercent / LINE_STEP && !(last && percent != lastPercent)) {
        return;
      }
      lastPercent = percent;
      String amount = unit.isEmpty() ? done + "/" + max
          : done / unitSize + "/" + max / unitSize + unit;
      out.println(task + " " + percent + "% " + amount + message);
    }
  }
}
