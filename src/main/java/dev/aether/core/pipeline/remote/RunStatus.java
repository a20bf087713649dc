package dev.aether.core.pipeline.remote;

import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.spi.Storage;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.LongSupplier;

/**
 * A remote run's progress as the launcher follows it: the ledger's counts and what the user
 * should know (pools left out, nodes that did not join), in {@code state/status.properties}. A
 * few hundred bytes, so the launcher can read it every few seconds instead of the whole ledger.
 * Its first appearance for a run is also the coordinator node's sign that it has joined.
 *
 * @param run the launch it belongs to
 * @param counts the ledger's counts when it was written
 * @param notes every note so far, oldest first (at most {@link #MAX_NOTES})
 */
record RunStatus(String run, LedgerCounts counts, List<String> notes) {
  static final int MAX_NOTES = 200;

  RunStatus {
    notes = List.copyOf(notes);
  }

  byte[] bytes() {
    Properties p = new Properties();
    p.setProperty("run", run);
    p.setProperty("pending", Integer.toString(counts.pending()));
    p.setProperty("leased", Integer.toString(counts.leased()));
    p.setProperty("done", Integer.toString(counts.done()));
    p.setProperty("failed", Integer.toString(counts.failed()));
    p.setProperty("notes", Integer.toString(notes.size()));
    for (int i = 0; i < notes.size(); i++) {
      p.setProperty("note." + (i + 1), notes.get(i));
    }
    return RunManifest.store(p);
  }

  /** The bucket's status object, when there is one that can be read. */
  static Optional<RunStatus> read(Storage storage) {
    return storage.read(BucketLayout.RUN_STATUS).flatMap(RunStatus::parse);
  }

  static Optional<RunStatus> parse(byte[] bytes) {
    Properties p = RunManifest.load(bytes);
    try {
      int n = Integer.parseInt(p.getProperty("notes", "0"));
      List<String> notes = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        notes.add(p.getProperty("note." + i, ""));
      }
      return Optional.of(new RunStatus(p.getProperty("run", ""), new LedgerCounts(
          Integer.parseInt(p.getProperty("pending")), Integer.parseInt(p.getProperty("leased")),
          Integer.parseInt(p.getProperty("done")), Integer.parseInt(p.getProperty("failed"))),
          notes));
    } catch (RuntimeException e) {
      return Optional.empty(); // half-written or damaged: the next one will do
    }
  }

  /**
   * Passes everything on to {@code delegate} and keeps the status object up to date: at once when
   * the batch starts or a note arrives, otherwise when the counts change, at most once per
   * {@code minIntervalMillis} (a PUT costs money; the ledger checkpoint has the details). Notes
   * may come from other threads (the join watch, the capacity fallback).
   */
  static final class Writer implements PipelineListener {
    private final PipelineListener delegate;
    private final Storage storage;
    private final String run;
    private final long minIntervalMillis;
    private final LongSupplier clock;
    private final List<String> notes = new ArrayList<>();
    private LedgerCounts counts;
    private LedgerCounts written;
    private long lastWrite;

    Writer(PipelineListener delegate, Storage storage, String run, LedgerCounts initial,
        long minIntervalMillis, LongSupplier clock) {
      this.delegate = delegate;
      this.storage = storage;
      this.run = run;
      this.counts = initial;
      this.minIntervalMillis = minIntervalMillis;
      this.clock = clock;
    }

    @Override
    public void started(LedgerCounts c, String bucket, URI coordinator) {
      delegate.started(c, bucket, coordinator);
      synchronized (this) {
        counts = c;
        write();
      }
    }

    @Override
    public void progress(LedgerCounts c) {
      delegate.progress(c);
      synchronized (this) {
        counts = c;
        if (!c.equals(written) && clock.getAsLong() - lastWrite >= minIntervalMillis) {
          write();
        }
      }
    }

    @Override
    public void note(String message) {
      delegate.note(message);
      synchronized (this) {
        notes.add(message);
        if (notes.size() > MAX_NOTES) {
          notes.remove(0);
        }
        write();
      }
    }

    @Override
    public Upload uploading(long totalBytes) {
      return delegate.uploading(totalBytes);
    }

    /** The last counts, written now (at the end of the batch). */
    synchronized void flush() {
      write();
    }

    private void write() {
      try {
        storage.put(BucketLayout.RUN_STATUS, new RunStatus(run, counts, notes).bytes());
        written = counts;
        lastWrite = clock.getAsLong();
      } catch (RuntimeException e) {
        // the bucket unreachable for a moment: the next change writes it again
      }
    }
  }
}
