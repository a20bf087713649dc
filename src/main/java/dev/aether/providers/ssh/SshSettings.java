package dev.aether.providers.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How the system's OpenSSH client is called for every host of one run.
 *
 * @param ssh the ssh program: {@code ssh} is the first on PATH
 * @param configFile an ssh_config to read instead of {@code ~/.ssh/config} ({@code ssh -F}); empty
 *     leaves ssh to its own files, as the user's own {@code ssh} command would
 * @param connectTimeout how long reaching a host may take (ssh's ConnectTimeout: the TCP connect
 *     and the server's greeting), whole seconds
 * @param loginTimeout how long the whole login may take, key exchange and authentication included
 * @param controlDir a folder only this user can read, for the connections' control sockets; its
 *     path must be short (a socket's path is limited to about 100 bytes)
 * @param environment variables set (present) or removed (empty) for ssh, e.g. SSH_AUTH_SOCK
 */
record SshSettings(String ssh, Optional<Path> configFile, Duration connectTimeout,
    Duration loginTimeout, Path controlDir, Map<String, Optional<String>> environment) {
  private static final int MAX_CONTROL_DIR = 80;

  SshSettings {
    if (ssh.isBlank()) {
      throw new IllegalArgumentException("the ssh program is empty");
    }
    if (connectTimeout.toMillis() < 1000 || connectTimeout.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException(
          "the SSH connect timeout must be whole seconds, at least 1, got " + connectTimeout);
    }
    if (loginTimeout.compareTo(connectTimeout) < 0) {
      throw new IllegalArgumentException("the SSH login timeout " + loginTimeout
          + " is shorter than the connect timeout " + connectTimeout);
    }
    if (controlDir.toString().length() > MAX_CONTROL_DIR) {
      throw new IllegalArgumentException("the folder for SSH control sockets " + controlDir
          + " has a path longer than " + MAX_CONTROL_DIR + " characters");
    }
    environment = Map.copyOf(environment);
  }

  /** The user's own ssh setup (agent, ~/.ssh/config, known_hosts) with bounded waits. */
  static SshSettings of(Path controlDir) {
    return new SshSettings("ssh", Optional.empty(), Duration.ofSeconds(10),
        Duration.ofSeconds(40), controlDir, Map.of());
  }
}
