package dev.aether.core.spi;

import dev.aether.core.plan.ProvisionedInstance;
import java.util.List;
import java.util.Set;

/** Starts, lists and stops the nodes of one project on one provider. */
public interface Machines {
  Set<Capability> capabilities();

  /**
   * Starts one node per instance; each node runs an agent that joins the coordinator described by
   * {@code bootstrap}. On failure, stops what this call started before throwing.
   */
  List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap);

  /** The project's nodes that are running now. */
  List<Node> list();

  /** Stops (terminates) a node; stopping a stopped node does nothing. */
  void stop(Node node);
}
