package dev.aether.core.spi;

import java.net.URI;
import java.util.Objects;

/**
 * What a new node needs to join the pipeline. The token is a secret: each provider hands it over
 * out of band (a pipe, a bucket object only the nodes' role can read), never on a command line,
 * in user-data in clear text, or in a log. {@link #toString()} hides it.
 *
 * @param coordinator the coordinator's base URL as nodes reach it
 * @param token the pipeline's secret token
 * @param project the project name (-N)
 */
public record NodeBootstrap(URI coordinator, String token, String project) {
  public NodeBootstrap {
    Objects.requireNonNull(coordinator, "coordinator");
    Objects.requireNonNull(token, "token");
  }

  @Override
  public String toString() {
    return "NodeBootstrap[coordinator=" + coordinator + ", token=***, project=" + project + "]";
  }
}
