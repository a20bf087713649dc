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
 * @param instanceProfile --instance-profile (AWS nodes)
 * @param coordinatorPort --coordinator-port (AWS coordinator node)
 * @param dirs where projects live on this machine
 * @param subscription --subscription (Azure), when given
 */
record ProviderChoice(Optional<String> name, String region, Optional<String> keyId,
    Optional<String> key, String instanceProfile, int coordinatorPort, ProjectDirs dirs,
    Optional<String> subscription) {
  /** A choice that names no Azure subscription (the environment or az login's default). */
  ProviderChoice(Optional<String> name, String region, Optional<String> keyId,
      Optional<String> key, String instanceProfile, int coordinatorPort, ProjectDirs dirs) {
    this(name, region, keyId, key, instanceProfile, coordinatorPort, dirs, Optional.empty());
  }

  @Override
  public String toString() {
    return "ProviderChoice[name=" + name + ", region=" + region + "]";
  }
}
