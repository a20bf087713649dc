package dev.aether.cli;

import dev.aether.core.pipeline.ProjectDirs;
import java.util.Optional;

/**
 * How to run the batch (not how to bid).
 *
 * @param provider local or aws, when chosen with --provider
 * @param maxAttempts runs a job gets before it is FAILED
 * @param restart forget the project's ledger and run every job again
 * @param dirs where projects' local buckets and ledgers live
 */
record RunOptions(Optional<String> provider, int maxAttempts, boolean restart, ProjectDirs dirs) {}
