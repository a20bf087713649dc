package dev.aether.cli;

import dev.aether.core.project.ProjectDirs;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How to run the batch (not how to bid).
 *
 * @param provider local or aws, when chosen with --provider
 * @param runOn where the batch runs: the chosen provider, else aws when credentials are found
 * @param maxAttempts runs a job gets before it is FAILED
 * @param restart forget the project's ledger and run every job again
 * @param dirs where projects' local buckets and ledgers live
 * @param instanceProfile the AWS nodes' IAM instance profile
 * @param coordinatorPort the AWS coordinator node's port
 * @param agentJar the jar AWS nodes run, when not the one this program runs from
 */
record RunOptions(Optional<String> provider, String runOn, int maxAttempts, boolean restart, ProjectDirs dirs,
    String instanceProfile, int coordinatorPort, Optional<Path> agentJar) {}
