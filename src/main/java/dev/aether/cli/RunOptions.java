package dev.aether.cli;

import dev.aether.core.project.ProjectDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How to run the batch (not how to bid, not where).
 *
 * @param providerChosen whether --provider was given (else it was found from credentials)
 * @param maxAttempts runs a job gets before it is FAILED
 * @param restart forget the project's ledger and run every job again
 * @param dirs where projects' local buckets and ledgers live
 * @param agentJar the jar remote nodes run, when not the one this program runs from
 * @param leaseTimeout how long a silent node keeps its jobs, when not the pipeline's default
 * @param joinDeadline how long a cloud node has from its launch to join before it is ended
 * @param spotAttempts after this many spot interruptions of a job, its next attempt is on-demand
 * @param jobTimeout a job running longer is killed and counts as failed, when given
 */
record RunOptions(boolean providerChosen, int maxAttempts, boolean restart, ProjectDirs dirs,
    Optional<Path> agentJar, Optional<Duration> leaseTimeout, Duration joinDeadline,
    int spotAttempts, Optional<Duration> jobTimeout) {}
