package dev.aether.core.spi;

import dev.aether.core.plan.ProvisionedInstance;
import java.util.Objects;
import java.util.Optional;

/**
 * A machine started for the pipeline.
 *
 * @param id provider's id (instance id, process id, host name, Slurm job id)
 * @param instance what it was started as (its prov.psv line)
 * @param address its address as jobs see it ($6 LOCALIP), when known
 * @param state where it is in its life, mapped from the vendor's states by the provider
 */
public record Node(String id, ProvisionedInstance instance, Optional<String> address,
    NodeState state) {
  public Node {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(state, "state");
  }

  /** The same node in another state. */
  public Node in(NodeState newState) {
    return new Node(id, instance, address, newState);
  }
}
