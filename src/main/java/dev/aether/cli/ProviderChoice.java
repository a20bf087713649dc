package dev.aether.cli;

import dev.aether.core.project.ProjectDirs;
import java.util.Optional;

/**
 * What the user said about where to run, for {@link ProviderRegistry}.
 *
 * @param name --provider, when given
 * @param region -R, or the default region
 * @param keyId -E, when given (a secret's half: never printed)
 * @param key -K, when given (a secret: never printed)
 * @param instanceProfile --instance-profile (AWS workers)
 * @param coordinatorProfile --coordinator-profile (AWS coordinator node)
 * @param coordinatorPort --coordinator-port (AWS coordinator node)
 * @param dirs where projects live on this machine
 * @param ssh --hosts and the other SSH options
 * @param cluster the options of a cluster's batch system (Slurm), and the batch's job shape
 * @param subscription --subscription (Azure), when given
 */
record ProviderChoice(Optional<String> name, String region, Optional<String> keyId,
    Optional<String> key, String instanceProfile, String coordinatorProfile, int coordinatorPort,
    ProjectDirs dirs, SshChoice ssh, ClusterOptions cluster, Optional<String> subscription) {

  /**
   * The default coordinator profile, no SSH or cluster options and no Azure subscription named
   * (the environment's or az login's): commands that start no batch (status, down, agent).
   */
  ProviderChoice(Optional<String> name, String region, Optional<String> keyId,
      Optional<String> key, String instanceProfile, int coordinatorPort, ProjectDirs dirs) {
    this(name, region, keyId, key, instanceProfile,
        dev.aether.providers.aws.AwsProvider.DEFAULT_COORDINATOR_PROFILE, coordinatorPort, dirs,
        SshChoice.NONE, ClusterOptions.NONE, Optional.empty());
  }

  /** The same choice naming this Azure subscription. */
  ProviderChoice withSubscription(Optional<String> id) {
    return new ProviderChoice(name, region, keyId, key, instanceProfile, coordinatorProfile,
        coordinatorPort, dirs, ssh, cluster, id);
  }

  @Override
  public String toString() {
    return "ProviderChoice[name=" + name + ", region=" + region + "]";
  }
}
