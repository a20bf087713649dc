package dev.aether.core.spi;

import dev.aether.core.plan.ProvisionedInstance;
import java.util.List;
import java.util.Optional;

/** Starts, lists and stops the worker nodes of one project on one provider. */
public interface Machines {
  /**
   * Starts one node per instance; each node runs an agent that joins the coordinator described by
   * {@code bootstrap}. On failure, stops what this call started before throwing.
   */
  List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap);

  /** The project's worker nodes that are still alive ({@link NodeState#alive()}). */
  List<Node> list();

  /**
   * The worker node with this id in whatever state the provider still knows it (an interrupted
   * node has often ended by the time its replacement is bought; its pool must still be known).
   */
  default Optional<Node> find(String id) {
    return list().stream().filter(n -> n.id().equals(id)).findFirst();
  }

  /**
   * Why a node that is no longer alive ended, in a user's words, when the provider knows (a local
   * agent's exit status and last log line, a cloud's state reason): for the launcher's messages
   * when it restarts a node or stops because every node has stopped.
   */
  default Optional<String> whyGone(Node node) {
    return Optional.empty();
  }

  /** Stops (terminates) a node; stopping a stopped node does nothing. */
  void stop(Node node);

  /**
   * Starts each instance on its own, so that one pool without room does not stop the others:
   * instances whose pool has none to give now come back in {@link StartReport#unavailable()},
   * and the caller may plan their slots elsewhere. Any other failure (credentials, permissions,
   * bad input) stops what this call started and throws, as {@link #start} does. The default
   * starts them all or none.
   */
  default StartReport startEach(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
    return new StartReport(start(instances, bootstrap), List.of());
  }

  /**
   * What the node printed while it booted (on EC2 its console output), when the provider can tell:
   * kept in the bucket when a node fails to join, so the user sees why.
   */
  default Optional<String> console(Node node) {
    return Optional.empty();
  }
}
