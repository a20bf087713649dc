package dev.aether.cli;

import dev.aether.core.project.ProjectDirs;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How to run the batch (not how to bid, not where).
 *
 * @param providerChosen whether --provider was given (else it was found from credentials)
 * @param maxAttempts runs a job gets before it is FAILED
 * @param restart forget the project's ledger and run every job again
 * @param dirs where projects' local buckets and ledgers live
 * @param agentJar the jar remote nodes run, when not the one this program runs from
 * @param jobTimeout a job running longer is killed and counts as failed, when given
 */
record RunOptions(boolean providerChosen, int maxAttempts, boolean restart, ProjectDirs dirs,
    Optional<Path> agentJar, Optional<java.time.Duration> jobTimeout) {}
