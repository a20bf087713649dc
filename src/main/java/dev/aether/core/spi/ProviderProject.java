package dev.aether.core.spi;

import dev.aether.core.catalog.Catalog;
import dev.aether.core.plan.ProvisionedInstance;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One project opened on one provider: its bucket, its machines, and what a user does to a
 * project as a whole (stop it, ask what it has cost). Closing releases clients, never machines.
 */
public interface ProviderProject extends AutoCloseable {
  /** The project bucket as it is (for status, down, a node); nothing is created. */
  Storage storage();

  /**
   * Makes the project bucket if it is missing, after checking that one of that name is this
   * project's and no one else's, and returns it: called once a batch is about to start.
   */
  Storage prepareBucket();

  /** The project's worker machines. */
  Machines machines();

  /**
   * The nodes this provider runs the batch on when it does not buy them from a catalog (no
   * {@link Capability#BIDS}): this machine, the user's hosts, a cluster's agent jobs. Empty when
   * the bidder's plan is what to start.
   */
  default Optional<List<ProvisionedInstance>> fixedNodes() {
    return Optional.empty();
  }

  /**
   * What starting {@code nodes} (its {@link #fixedNodes()}) will do, in the provider's words,
   * for the plan the user sees before anything starts: e.g. the sbatch options of a cluster's
   * agent jobs. Empty when the nodes' table says it all.
   */
  default List<String> describe(List<ProvisionedInstance> nodes) {
    return List.of();
  }

  /**
   * The address of this machine that the provider's nodes reach it at, for providers whose nodes
   * are other machines that connect to a coordinator running here (a cluster's compute nodes
   * calling its login node): the coordinator listens on it and hands it to the nodes. Empty =
   * loopback, for nodes on this machine or reaching it through a tunnel.
   */
  default Optional<String> coordinatorHost() {
    return Optional.empty();
  }

  /**
   * Starts and finds the node that runs the coordinator, for providers with
   * {@link Capability#REMOTE_COORDINATOR}; empty for the others.
   */
  default Optional<CoordinatorNodes> coordinatorNodes() {
    return Optional.empty();
  }

  /**
   * Stops everything of the project that costs money (machines, addresses, tokens), waiting up
   * to {@code wait} for machines to end. The bucket and its results stay.
   */
  DownReport down(Duration wait);

  /**
   * What a batch's end (or failure) leaves of the project: whatever costs money is stopped, as
   * {@link #down} does; a provider may keep what is free and slow to make again (Azure keeps the
   * resource group with its identity and network, whose role assignments take minutes to reach
   * every region). {@code aether down} still removes everything.
   */
  default DownReport afterBatch(Duration wait) {
    return down(wait);
  }

  /** What the project has cost so far, in one line, where the provider bills. */
  default Optional<String> costSoFar() {
    return Optional.empty();
  }

  @Override
  void close();

  /** The coordinator's own node on providers whose nodes cannot reach the launcher. */
  interface CoordinatorNodes {
    /**
     * Starts the coordinator node, sized from {@code catalog} (the one the plan was bid from). It
     * runs {@code aether coordinate}, which starts the plan's workers and ends them.
     */
    Node start(Catalog catalog);

    /** The project's coordinator nodes that are pending or running. */
    List<Node> running();

    /** The port the coordinator listens on, on its node (nodes are let in on it). */
    int port();
  }

  /**
   * What {@link #down} did, line by line for the user, and whether everything has ended.
   *
   * @param complete false when machines were still shutting down at the end of the wait
   */
  record DownReport(List<String> lines, boolean complete) {
    public DownReport {
      lines = List.copyOf(lines);
    }
  }
}
