package dev.aether.cli;

import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Storage;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a batch with a progress bar and a summary: what the root command calls once it has a spec,
 * machines and a bucket. AetherExceptions pass through to the root command's handler.
 */
public final class PipelineConsole {
  private PipelineConsole() {}

  /** @return 0 when every job is DONE, else 1 (the failed jobs and their logs are listed) */
  public static int run(PipelineSpec spec, Machines machines, Storage storage, PrintStream out) {
    Bar bar = new Bar(out);
    PipelineResult result;
    try {
      result = Pipeline.run(spec, machines, storage, bar);
    } finally {
      bar.close();
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

    @Override
    public void progress(LedgerCounts c) {
      if (bar != null) {
        bar.message(" running " + c.leased() + ", failed " + c.failed());
        bar.stepTo(c.done() + c.failed());
      }
    }

    void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }
}
