package dev.aether.core.pipeline.run;

import dev.aether.core.pipeline.ledger.LedgerCounts;
import java.net.URI;

/** What {@link Pipeline#run} tells its caller while it runs (called from the caller's thread). */
public interface PipelineListener {
  PipelineListener NONE = new PipelineListener() {};

  /** The ledger is open and the coordinator listens; nodes are about to start. */
  default void started(LedgerCounts counts, String bucket, URI coordinator) {}

  /** Counts now; called a few times a second until the batch is over. */
  default void progress(LedgerCounts counts) {}
}
