package dev.aether.cli;

import dev.aether.providers.slurm.SlurmProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The options of a batch on a cluster (--partition, --account, --time, --nodes, --sbatch-arg,
 * --bucket, --coordinator-host) and the batch's job shape, which a cluster's agent jobs are
 * sized from. Checked by the provider that uses them.
 *
 * @param jobs -P, -M and the jobs to run at once; empty before the request is checked, and for
 *     commands that start no batch
 */
record ClusterOptions(Optional<String> partition, Optional<String> account,
    Optional<String> time, Optional<Integer> nodes, List<String> sbatchArgs,
    Optional<Path> bucket, Optional<String> coordinatorHost,
    Optional<SlurmProvider.JobShape> jobs) {
  static final ClusterOptions NONE = new ClusterOptions(Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
      Optional.empty());

  ClusterOptions {
    sbatchArgs = List.copyOf(sbatchArgs);
  }


  SlurmProvider.Settings slurm() {
    return new SlurmProvider.Settings(partition, account, time, nodes, sbatchArgs, bucket,
        coordinatorHost, jobs);
  }
}
