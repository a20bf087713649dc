package dev.aether.core.pipeline.run;

import dev.aether.core.pipeline.ledger.LedgerCounts;
import java.net.URI;
import java.util.function.LongConsumer;

/** What {@link Pipeline#run} tells its caller while it runs (called from the caller's thread). */
public interface PipelineListener {
  PipelineListener NONE = new PipelineListener() {};

  /** The ledger is open and the coordinator listens; nodes are about to start. */
  default void started(LedgerCounts counts, String bucket, URI coordinator) {}

  /** Counts now; called a few times a second until the batch is over. */
  default void progress(LedgerCounts counts) {}

  /** Something the user should know: a node started, how to stop the batch, results home. */
  default void note(String message) {}

  /** Inputs of {@code totalBytes} are about to be uploaded; closed when they are. */
  default Upload uploading(long totalBytes) {
    return Upload.NONE;
  }

  /** Hears the bytes of an upload as they are sent. */
  interface Upload extends LongConsumer, AutoCloseable {
    Upload NONE = new Upload() {
      @Override
      public void accept(long bytes) {}

      @Override
      public void close() {}
    };

    @Override
    void close();
  }
}
