package dev.aether.providers.ssh;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What ssh will really connect to for an address once {@code ~/.ssh/config} is applied (a Host
 * alias's HostName, User and Port), as {@code ssh -G} prints it; messages name both.
 *
 * @param knownHostsFile the first UserKnownHostsFile, where ssh looks for the host's key
 */
record SshEndpoint(SshAddress address, String user, String hostname, int port,
    String knownHostsFile) {
  SshEndpoint {
    if (user.isBlank() || hostname.isBlank() || knownHostsFile.isBlank()) {
      throw new IllegalArgumentException("incomplete ssh endpoint for " + address);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
    }
  }

  /** Reads {@code ssh -G} output: one {@code keyword value} a line, keywords in lower case. */
  static Optional<SshEndpoint> fromSshG(SshAddress address, String output) {
    Map<String, String> values = new HashMap<>();
    for (String line : output.split("\n")) {
      int space = line.indexOf(' ');
      if (space > 0) {
        values.putIfAbsent(line.substring(0, space), line.substring(space + 1).strip());
      }
    }
    String port = values.getOrDefault("port", "");
    if (!values.containsKey("user") || !values.containsKey("hostname") || !port.matches("\\d{1,5}")
        || !values.containsKey("userknownhostsfile")) {
      return Optional.empty();
    }
    String knownHosts = values.get("userknownhostsfile").split("\\s+")[0];
    return Optional.of(new SshEndpoint(address, values.get("user"), values.get("hostname"),
        Integer.parseInt(port), knownHosts));
  }

  /** The host as written, with the real address in brackets when an alias hides it. */
  String name() {
    return address.host().equals(hostname) ? address.toString() : address + " (" + hostname + ")";
  }

  /** The host as ssh-keyscan and ssh-keygen -R want it. */
  String keyscanArgs() {
    return "-p " + port + " " + hostname;
  }

  /** How known_hosts names the host: {@code [host]:port} unless the port is 22. */
  String knownHostsName() {
    return port == 22 ? hostname : "[" + hostname + "]:" + port;
  }
}
