package dev.aether.core.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@code aether agent} was told about its node; a provider fills in the rest from what it
 * knows (instance metadata, this machine's size).
 *
 * @param project the project name (-N)
 * @param bucket where the project bucket is, in the provider's words (bucket name, folder)
 * @param region the provider's region, when it has regions
 * @param node the node id the launcher gave, when it gave one
 * @param cores cores the agent may use, when not the whole machine
 * @param memoryGb memory the agent may use, when not the whole machine
 * @param address this node's address for jobs, when the launcher knows it better
 * @param token the pipeline's token, for providers whose bucket is reached with it (a bucket
 *     the launcher serves); a secret, hidden by {@link #toString()}
 */
public record NodeOptions(String project, String bucket, Optional<String> region,
    Optional<String> node, Optional<Integer> cores, Optional<Double> memoryGb,
    Optional<String> address, Optional<String> token) {
  public NodeOptions {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(token, "token");
  }

  /** Without the token: providers whose bucket has credentials of its own. */
  public NodeOptions(String project, String bucket, Optional<String> region,
      Optional<String> node, Optional<Integer> cores, Optional<Double> memoryGb,
      Optional<String> address) {
    this(project, bucket, region, node, cores, memoryGb, address, Optional.empty());
  }

  @Override
  public String toString() {
    return "NodeOptions[project=" + project + ", bucket=" + bucket + ", region=" + region
        + ", node=" + node + ", cores=" + cores + ", memoryGb=" + memoryGb + ", address="
        + address + ", token=" + token.map(t -> "***").orElse("none") + "]";
  }
}
