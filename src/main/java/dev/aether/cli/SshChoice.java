package dev.aether.cli;

import dev.aether.providers.ssh.SshProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What the user said about their SSH hosts, for {@link ProviderRegistry}.
 *
 * @param hostsFile --hosts
 * @param joinHost aether join --host
 * @param joinSlots aether join --slots
 * @param sshConfig --ssh-config
 * @param connectTimeoutSeconds --connect-timeout
 * @param processors -P of the batch (a host's slots=N is N jobs of this size)
 * @param memoryGb -M of the batch
 * @param agentJar --agent-jar, when given
 */
record SshChoice(Optional<Path> hostsFile, Optional<String> joinHost, Optional<Integer> joinSlots,
    Optional<Path> sshConfig, int connectTimeoutSeconds, int processors, double memoryGb,
    Optional<Path> agentJar) {
  static final int DEFAULT_CONNECT_TIMEOUT = 10;

  /** Nothing said: what commands that only look at a project (status, down, agent) pass. */
  static final SshChoice NONE = new SshChoice(Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), DEFAULT_CONNECT_TIMEOUT, 1, 1, Optional.empty());

  SshProvider.Settings settings() {
    return new SshProvider.Settings(hostsFile, joinHost, joinSlots, sshConfig,
        Duration.ofSeconds(connectTimeoutSeconds), processors, memoryGb,
        () -> RunStep.agentJar(agentJar), Duration.ofSeconds(60));
  }
}
