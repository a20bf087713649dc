package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.pipeline.run.StopRequest;
import dev.aether.core.spi.CapacityReplacer;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Storage;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a batch with a progress bar and a summary: what the root command calls once it has a spec,
 * machines and a bucket. AetherExceptions pass through to the root command's handler.
 *
 * <p>SIGTERM and SIGINT (Ctrl-C) stop the batch cleanly: a shutdown hook asks the pipeline to stop,
 * which stops the agents it started and their jobs, keeps the ledger and checkpoints it; the hook
 * lets the JVM exit (status 143 or 130) once that is done and the way to resume is printed.
 */
public final class PipelineConsole {
  /** What {@link #run} returns when a signal stopped the batch (the JVM exits 128 + signal). */
  static final int STOPPED = 130;
  /** How long the shutdown hook waits for the nodes to stop. */
  private static final long STOP_WAIT_SECONDS = 30;

  private PipelineConsole() {}

  /** @return 0 when every job is DONE, else 1 (the failed jobs and their logs are listed) */
  public static int run(PipelineSpec spec, Machines machines, Storage storage, PrintStream out) {
    Bar bar = new Bar(out);
    StopRequest stop = new StopRequest();
    CountDownLatch ended = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.request("SIGTERM or SIGINT");
      try {
        ended.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "aether-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    PipelineResult result;
    try {
      result = Pipeline.run(spec, machines, storage, bar, b -> CapacityReplacer.NONE,
          Optional.empty(), stop);
    } catch (AetherException e) {
      if (stop.reason().isEmpty()) {
        throw e;
      }
      bar.close();
      out.println("Stopped by " + stop.reason().get() + ": the agents and their jobs were"
          + " stopped" + bar.last().map(c -> ", " + c.done() + " of " + c.total() + " jobs done")
              .orElse("") + ". Run the same command again to resume (DONE jobs do not run"
          + " again).");
      out.flush();
      return STOPPED;
    } finally {
      bar.close();
      ended.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook is running
      }
    }
    out.print(summary(result));
    out.flush();
    return result.succeeded() ? 0 : 1;
  }

  /** Counts, where the results are, and each failed job with its log. */
  public static String summary(PipelineResult result) {
    StringBuilder out = new StringBuilder();
    LedgerCounts c = result.counts();
    StringBuilder line = new StringBuilder()
        .append(c.done()).append(" of ").append(c.total()).append(" jobs done");
    if (c.failed() > 0) {
      line.append(", ").append(c.failed()).append(" failed");
    }
    if (c.pending() + c.leased() > 0) {
      line.append(", ").append(c.leased()).append(" running, ").append(c.pending())
          .append(" pending");
    }
    if (!result.elapsed().isZero()) {
      line.append(" (").append(human(result.elapsed())).append(')');
    }
    out.append(line).append('\n');
    out.append("Outputs: ").append(result.bucket()).append("/output/   Logs: ")
        .append(result.bucket()).append("/logs/\n");
    // Grouped by how they ended, with the args (usually the sample name), so a user sees at a
    // glance that e.g. every job failed the same way.
    Map<String, List<PipelineResult.FailedJob>> byEnd = new TreeMap<>();
    for (PipelineResult.FailedJob f : result.failed()) {
      byEnd.computeIfAbsent(f.exitCode().map(e -> "with exit " + e + ExitCodes.meaning(e))
          .orElse("because their node went silent"), k -> new ArrayList<>()).add(f);
    }
    for (Map.Entry<String, List<PipelineResult.FailedJob>> group : byEnd.entrySet()) {
      List<PipelineResult.FailedJob> jobs = group.getValue();
      out.append(jobs.size()).append(jobs.size() == 1 ? " job failed " : " jobs failed ")
          .append(group.getKey()).append(": ")
          .append(String.join(", ", jobs.stream().limit(SHOWN).map(f -> f.args()).toList()))
          .append(jobs.size() > SHOWN ? ", ... (" + (jobs.size() - SHOWN) + " more)" : "")
          .append('\n');
    }
    result.failed().stream().limit(SHOWN).forEach(f -> out.append("  FAILED job ")
        .append(f.number()).append(" (args line ").append(f.line()).append(", ")
        .append(f.attempts()).append(f.attempts() == 1 ? " attempt" : " attempts").append(", ")
        .append(f.exitCode().map(e -> "exit " + e).orElse("node went silent")).append("): ")
        .append(f.log()).append('\n'));
    if (result.failed().size() > SHOWN) {
      out.append("  ... and ").append(result.failed().size() - SHOWN)
          .append(" more failed jobs: their logs are in the same folder\n");
    }
    return out.toString();
  }

  /** Failed jobs named one by one in the summary; the rest are counted. */
  private static final int SHOWN = 20;

  private static String human(Duration d) {
    long s = d.toSeconds();
    return s < 60 ? d.toMillis() / 100 / 10.0 + " s" : s / 60 + " min " + s % 60 + " s";
  }

  /** The progress bar: done + failed of total; running and failed in its message. */
  static final class Bar implements PipelineListener {
    private final PrintStream out;
    private ConsoleBars.Progress bar;
    private volatile LedgerCounts last;

    Bar(PrintStream out) {
      this.out = out;
    }

    @Override
    public void started(LedgerCounts c, String bucket, URI coordinator) {
      out.println("Running " + c.total() + " jobs (" + (c.done() + c.failed())
          + " already ended); bucket " + bucket);
      bar = ConsoleBars.start(out, "jobs", c.total(), c.done() + c.failed(), "", 1);
      progress(c);
    }

    @Override
    public void note(String message) {
      out.println(message);
    }

    @Override
    public Upload uploading(long totalBytes) {
      ConsoleBars.Progress upload = ConsoleBars.start(out, "upload", totalBytes, 0, " MB",
          1_000_000);
      return new Upload() {
        @Override
        public void accept(long bytes) {
          upload.stepBy(bytes);
        }

        @Override
        public void close() {
          upload.close();
        }
      };
    }

    /** The counts last heard, when any. */
    java.util.Optional<LedgerCounts> last() {
      return java.util.Optional.ofNullable(last);
    }

    @Override
    public void progress(LedgerCounts c) {
      last = c;
      if (bar != null) {
        bar.message(" running " + c.leased() + ", failed " + c.failed());
        bar.stepTo(c.done() + c.failed());
      }
    }

    void close() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }
}
